/*
 * transaction.h - decoding transactions (legacy, access-list, fee-market and
 * the rollup's deposit), their signing hash, sender and intrinsic gas.
 */
#ifndef EVM_TRANSACTION_H
#define EVM_TRANSACTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../rlp.h"
#include "evm.h"

#define TX_TYPE_LEGACY 0x00
#define TX_TYPE_ACCESS_LIST 0x01
#define TX_TYPE_FEE_MARKET 0x02
#define TX_TYPE_BLOB 0x03
#define TX_TYPE_DEPOSIT 0x7e

struct transaction {
    uint8_t type;
    bool has_chain_id; /* false only for pre-EIP-155 legacy transactions */
    uint64_t chain_id;
    uint64_t nonce;
    u256 gas_price;                /* legacy and access-list */
    u256 max_priority_fee_per_gas; /* fee-market */
    u256 max_fee_per_gas;          /* fee-market */
    uint64_t gas;
    bool is_create;
    evm_address to;
    u256 value;
    const uint8_t *data;
    size_t data_len;
    rlp_item access_list; /* a list item (empty list when absent) */
    /* signature: v is the legacy v or the y parity */
    u256 v, r, s;
    /* deposit fields */
    uint8_t source_hash[32];
    evm_address from;
    u256 mint;
    /* the signing payload's item list (all fields before the signature) */
    const uint8_t *unsigned_items;
    size_t unsigned_items_len;
};

/* Decode an EIP-2718 encoding; returns an evm_tx_error (EVM_TX_OK). */
int transaction_decode(const uint8_t *raw, size_t len, struct transaction *tx);
/* Recover and check the sender (SPEC §3.1 signature rules). */
int transaction_sender(const struct transaction *tx, const struct evm_block_env *env,
                       evm_address *sender);
/* Intrinsic gas; false if it does not fit in a u64. */
uint64_t transaction_intrinsic_gas(const struct transaction *tx);

#endif
