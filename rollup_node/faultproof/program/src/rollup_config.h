/*
 * rollup_config.h - the consensus part of the rollup config (SPEC §2), as the
 * program learns it: the preimage of the local input consensus_config_hash.
 *
 * The preimage is abi.encode of the consensus fields in the order that
 * docs/protocol.md lists (rollup_node/config.py RollupConfig.consensus_fields):
 * 18 static 32-byte words.
 */
#ifndef ROLLUP_CONFIG_H
#define ROLLUP_CONFIG_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint64_t l1_chain_id;
    uint64_t l2_chain_id;
    uint64_t l2_block_time;
    uint64_t l2_genesis_timestamp;
    uint64_t l2_gas_limit;
    uint64_t max_sequencer_drift;
    uint64_t force_inclusion_blocks;
    uint64_t deposit_gas_per_block;
    uint64_t max_deposit_gas;
    uint64_t max_deposit_data;
    uint64_t max_batch_bytes;
    uint64_t max_blocks_per_batch;
    uint64_t l1_fee_overhead;
    uint64_t l1_fee_scalar;
    uint64_t genesis_l1_number;
    uint8_t genesis_l1_hash[32];
    uint8_t canonical_transaction_chain[20];
    uint8_t state_commitment_chain[20];
} rollup_config;

#define ROLLUP_CONFIG_ENCODED_LEN (18 * 32)

/* Decode the abi-encoded consensus fields; 0 on success, -1 if malformed
 * (wrong length, an integer beyond 64 bits, an address with high bytes). */
int rollup_config_decode(const uint8_t *data, size_t len, rollup_config *out);

#endif
