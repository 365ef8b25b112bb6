/*
 * deposit.h - deposit transactions (SPEC §3.2, §3.3a): user deposits from
 * CTC queue elements, and the L1-info deposit that opens every block.
 */
#ifndef DEPOSIT_H
#define DEPOSIT_H

#include <stddef.h>
#include <stdint.h>

#include "rlp.h"

/* A queue element: the preimage of queue[i],
 * abi.encode(from, to, mint, gasLimit, isCreation, data, l1BlockNumber, l1Timestamp). */
typedef struct {
    uint8_t from[20];
    uint8_t to[20];
    uint8_t mint[32];
    uint64_t gas_limit;
    int is_creation;
    const uint8_t *data; /* points into the preimage */
    size_t data_len;
    uint64_t l1_block_number;
    uint64_t l1_timestamp;
} queue_element;

/* Decode a queue element preimage (strict ABI); 0 or -1 if malformed. */
int queue_element_decode(const uint8_t *abi, size_t len, queue_element *out);

/* L1 origin fields the L1-info deposit records. */
typedef struct {
    uint64_t number;
    uint64_t timestamp;
    uint8_t base_fee[32];
    uint8_t hash[32];
    uint8_t mix_hash[32];
} l1_origin;

/* keccak(uint256(0) ‖ keccak(queueElementHash ‖ uint256(queueIndex))) */
void user_deposit_source_hash(const uint8_t element_hash[32], uint64_t index, uint8_t out[32]);
/* keccak(uint256(1) ‖ keccak(l1OriginHash ‖ uint256(l2BlockNumber))) */
void l1_info_source_hash(const uint8_t origin_hash[32], uint64_t l2_number, uint8_t out[32]);

/* 0x7E ‖ rlp([sourceHash, from, to, mint, value, gasLimit, isSystemTx=0, data])
 * for the user deposit of queue element (hash, index); appended to out. */
void user_deposit_encode(const queue_element *e, const uint8_t element_hash[32], uint64_t index,
                         rlp_buf *out);
/* The L1-info deposit of L2 block l2_number, appended to out. */
void l1_info_deposit_encode(const l1_origin *origin, uint64_t sequence_number, uint64_t l2_number,
                            rlp_buf *out);

#endif
