/*
 * block_header.h - Ethereum block headers: decoding the fields the program
 * reads (L1 headers of any fork since London, L2 headers), and encoding an L2
 * header (SPEC §3.5, Cancun's 20 fields) to get its hash.
 */
#ifndef BLOCK_HEADER_H
#define BLOCK_HEADER_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint8_t parent_hash[32];
    uint8_t coinbase[20];
    uint8_t state_root[32];
    uint8_t transactions_root[32];
    uint8_t receipts_root[32];
    uint8_t logs_bloom[256];
    uint64_t number;
    uint64_t gas_limit;
    uint64_t gas_used;
    uint64_t timestamp;
    uint8_t mix_hash[32];
    uint8_t base_fee[32]; /* zero before London */
} block_header;

/* Decode a header's RLP (15 or more fields); 0 or -1 if malformed. */
int block_header_decode(const uint8_t *rlp, size_t len, block_header *out);

/* Fetch a header by hash through the oracle (hint "l1-header" or
 * "l2-header", then the keccak preimage) and decode it; panics if it does
 * not decode. */
void block_header_fetch(const char *hint_type, const uint8_t hash[32], block_header *out);

/* keccak(rlp(header)) of an L2 header with SPEC §3.5's constant fields:
 * empty uncles hash, difficulty 0, empty extra data, zero nonce, empty
 * withdrawals root, zero blob gas fields and parent beacon block root. */
void l2_header_hash(const block_header *h, uint8_t out[32]);

/* EIP-1559 base fee of a child of parent (Cancun constants), big-endian. */
void next_base_fee(const block_header *parent, uint8_t out[32]);

#endif
