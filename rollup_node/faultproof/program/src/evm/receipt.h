/*
 * receipt.h - receipts, logs blooms and the state tests' logs hash.
 */
#ifndef EVM_RECEIPT_H
#define EVM_RECEIPT_H

#include <stdbool.h>
#include <stdint.h>

#include "../rlp.h"
#include "state.h"

/*
 * type ‖ rlp([status, cumulativeGasUsed, bloom, logs]) (no prefix for legacy);
 * deposits (SPEC §3.2) append depositNonce and the receipt version 1.
 * Initialises *out; the caller frees it.
 */
void receipt_encode(uint8_t type, bool success, uint64_t cumulative_gas, const evm_log *logs,
                    size_t log_count, const uint64_t *deposit_nonce, rlp_buf *out);
/* OR the blooms of these logs into bloom. */
void logs_bloom_add(uint8_t bloom[256], const evm_log *logs, size_t count);

#endif
