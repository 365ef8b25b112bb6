/*
 * ctc.h - the CanonicalTransactionChain's storage at the L1 head, read
 * through L1 state and storage proofs (SPEC §4, §10.2).
 *
 * Storage layout (contracts/src/L1/CanonicalTransactionChain.sol, every value
 * in a full slot): 0 queue (bytes32[]), 1 queueL1Block (uint256[]),
 * 2 queueGasPrefix (uint256[], [0] = 0), 3 batches (Batch[], 8 slots each:
 * batchDataHash, prevTotalBlocks, numBlocks, prevQueueIndex, queueIndexAfter,
 * l1BlockNumber, l1ParentHash, forced), 4 totalBlocks, 5 nextQueueIndex.
 *
 * Before each slot read the program hints "l1-storage <l1BlockHash ‖ address ‖
 * slot>" so the host can fetch the account and storage proof (eth_getProof);
 * the proof's nodes are then read as keccak preimages and checked against the
 * L1 head's state root.
 */
#ifndef CTC_H
#define CTC_H

#include <stdint.h>

#include "block_header.h"
#include "mpt.h"

typedef struct {
    uint8_t l1_block_hash[32];
    uint8_t address[20];
    mpt storage;
} ctc_view;

typedef struct {
    uint8_t batch_data_hash[32];
    uint64_t prev_total_blocks;
    uint64_t num_blocks;
    uint64_t prev_queue_index;
    uint64_t queue_index_after;
    uint64_t l1_block_number;
    uint8_t l1_parent_hash[32];
    int forced;
} ctc_batch;

/* Open the CTC's storage in the state of L1 block l1_hash (header given). */
void ctc_open(ctc_view *v, const uint8_t l1_hash[32], const block_header *l1, const uint8_t address[20]);
void ctc_close(ctc_view *v);

uint64_t ctc_total_blocks(ctc_view *v);
uint64_t ctc_batch_count(ctc_view *v);
void ctc_read_batch(ctc_view *v, uint64_t index, ctc_batch *out);
/* The index of the batch holding L2 block n (1 <= n <= total blocks). */
uint64_t ctc_find_batch(ctc_view *v, uint64_t n, ctc_batch *out);
void ctc_queue_element(ctc_view *v, uint64_t index, uint8_t hash[32]);
uint64_t ctc_queue_gas_prefix(ctc_view *v, uint64_t index);

#endif
