/*
 * batch.h - the batch format (SPEC §5, strict).
 *
 * batchData = 0x00 ‖ rlp([block, ...]): the bytes after the version byte are
 * exactly one canonical RLP list; each block is exactly
 * [l1OriginNumber, numDeposits, txs], the first two canonical integers below
 * 2^64, txs a list of byte strings (EIP-2718 encodings). Anything else is
 * malformed; version 1 (zlib) is reserved and malformed here.
 */
#ifndef BATCH_H
#define BATCH_H

#include <stddef.h>
#include <stdint.h>

#include "rlp.h"

typedef struct {
    uint64_t l1_origin_number;
    uint64_t num_deposits;
    rlp_item txs; /* a list of byte strings, pointing into the batch data */
} batch_block;

/* Decode batchData; on success *blocks is a malloc'd array of *count blocks
 * that point into data. Returns 0, or -1 if malformed. */
int batch_decode(const uint8_t *data, size_t len, batch_block **blocks, size_t *count);

#endif
