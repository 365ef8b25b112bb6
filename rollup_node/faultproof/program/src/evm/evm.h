/*
 * evm.h - executing an L2 block (SPEC §3) in the fault-proof program.
 *
 * The derivation code opens a block on the parent's state root with the
 * block's environment, applies its transactions in order (deposits, then
 * sequenced ones) and finishes the block to get the roots and the bloom of
 * the header. A sequenced transaction that is invalid at its position
 * (SPEC §3.1) is reported and left out; the block keeps the rest (§6.4).
 *
 * Execution is Cancun as ethereum/execution-specs defines it, with the L2
 * differences of SPEC §3: no blob transactions, the deposit type 0x7E, and
 * the L1 data fee.
 */
#ifndef EVM_EVM_H
#define EVM_EVM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "state.h"
#include "uint256.h"

struct evm_block_env {
    evm_address coinbase;
    uint64_t number;
    uint64_t timestamp;
    uint64_t gas_limit;
    uint64_t chain_id;
    u256 base_fee;
    uint8_t prev_randao[32];
    /* BLOBBASEFEE; 1 on L2, where excess blob gas is always 0. */
    u256 blob_base_fee;
    /* BLOCKHASH of an earlier block (called only for the 256 previous ones). */
    void (*block_hash)(void *ctx, uint64_t number, uint8_t out[32]);
    void *block_hash_ctx;
    /* The L1 data fee (SPEC §3.4); off for Ethereum state tests. */
    bool l1_fee_enabled;
    u256 l1_base_fee;
    uint64_t l1_fee_overhead;
    uint64_t l1_fee_scalar; /* millionths */
    evm_address l1_fee_vault;
    /* Accept legacy transactions without a chain id (Ethereum state tests only:
     * SPEC §3.1 admits EIP-155 legacy transactions alone). */
    bool allow_unprotected_legacy;
};

/* Why a transaction was rejected; EVM_TX_OK when applied. */
enum evm_tx_error {
    EVM_TX_OK = 0,
    EVM_TX_MALFORMED,         /* undecodable or non-canonical encoding */
    EVM_TX_TYPE_NOT_SUPPORTED,/* blob (type 3) or unknown type */
    EVM_TX_BAD_SIGNATURE,     /* high s, bad v, unrecoverable */
    EVM_TX_WRONG_CHAIN_ID,
    EVM_TX_NONCE_MISMATCH,
    EVM_TX_NONCE_OVERFLOW,
    EVM_TX_SENDER_HAS_CODE,
    EVM_TX_INTRINSIC_GAS,
    EVM_TX_BLOCK_GAS,         /* more gas than the block has left */
    EVM_TX_FEE_ORDER,         /* maxPriorityFee > maxFee */
    EVM_TX_FEE_TOO_LOW,       /* maxFee / gasPrice below the base fee */
    EVM_TX_INSUFFICIENT_FUNDS,
    EVM_TX_INITCODE_TOO_LARGE,
};

const char *evm_tx_error_name(int error);

struct evm_tx_outcome {
    int error;          /* enum evm_tx_error */
    bool success;       /* receipt status */
    uint64_t gas_used;  /* as counted against the block */
    const evm_log *logs;/* valid until the next transaction */
    size_t log_count;
};

/* The L2ToL1MessagePasser predeploy, whose storage root is part of the output root (SPEC §4). */
#define EVM_MESSAGE_PASSER_ADDRESS                                                                 \
    {                                                                                              \
        0x42, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x16                           \
    }

struct evm_block_result {
    uint8_t state_root[32];
    uint8_t message_passer_storage_root[32];
    uint8_t transactions_root[32];
    uint8_t receipts_root[32];
    uint8_t logs_bloom[256];
    uint64_t gas_used;
    size_t transaction_count; /* applied ones */
};

struct evm_block;

/* Open a block on a pre-state; trie nodes and code come from preimage(). */
struct evm_block *evm_block_begin(const uint8_t pre_state_root[32], evm_preimage_fn preimage,
                                  void *preimage_ctx, const struct evm_block_env *env);
/* Apply one EIP-2718-encoded transaction (a legacy one is its RLP list). */
void evm_block_apply(struct evm_block *b, const uint8_t *raw, size_t len,
                     struct evm_tx_outcome *out);
/* Commit the state and compute the header fields; frees the block. */
void evm_block_finish(struct evm_block *b, struct evm_block_result *out);

/* keccak(rlp(logs)) as the state tests report it. */
void evm_logs_hash(const evm_log *logs, size_t count, uint8_t out[32]);

#endif
