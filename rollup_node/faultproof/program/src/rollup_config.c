/*
 * rollup_config.c - decoding the consensus config preimage (see rollup_config.h).
 */
#include "rollup_config.h"

#include "abi.h"
#include "fp_libc.h"

int rollup_config_decode(const uint8_t *data, size_t len, rollup_config *out) {
    if (len != ROLLUP_CONFIG_ENCODED_LEN) return -1;
    uint64_t *ints[] = {
        &out->l1_chain_id,          &out->l2_chain_id,           &out->l2_block_time,
        &out->l2_genesis_timestamp, &out->l2_gas_limit,          &out->max_sequencer_drift,
        &out->force_inclusion_blocks, &out->deposit_gas_per_block, &out->max_deposit_gas,
        &out->max_deposit_data,     &out->max_batch_bytes,       &out->max_blocks_per_batch,
        &out->l1_fee_overhead,      &out->l1_fee_scalar,         &out->genesis_l1_number,
    };
    size_t word = 0;
    for (; word < sizeof ints / sizeof ints[0]; word++)
        if (abi_word_u64(data + 32 * word, ints[word])) return -1;
    memcpy(out->genesis_l1_hash, data + 32 * word++, 32);
    if (abi_word_address(data + 32 * word++, out->canonical_transaction_chain)) return -1;
    if (abi_word_address(data + 32 * word++, out->state_commitment_chain)) return -1;
    return 0;
}
