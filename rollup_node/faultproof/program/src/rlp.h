/*
 * rlp.h - Ethereum RLP, canonical only (SPEC notation: no leading zeros,
 * shortest length form).
 *
 * Decoding works in place over a byte span: an rlp_item points into the
 * caller's buffer and owns nothing. Every decoding function returns 0 on
 * success and RLP_ERR on malformed or non-canonical input; callers reject
 * the whole input on error, never guess.
 *
 * Encoding appends to a growable rlp_buf. Lists are written by remembering
 * the offset where the list starts (rlp_list_begin), appending the items and
 * then inserting the header (rlp_list_end).
 */
#ifndef RLP_H
#define RLP_H

#include <stddef.h>
#include <stdint.h>

#define RLP_ERR (-1)

typedef struct {
    int is_list;
    const uint8_t *payload; /* string bytes, or the concatenated list items */
    size_t payload_len;
    size_t encoded_len; /* header + payload */
} rlp_item;

/* Decode the item at the start of data[0..len) (data may continue after it). */
int rlp_decode_prefix(const uint8_t *data, size_t len, rlp_item *out);
/* Decode data[0..len) as exactly one item, nothing after it. */
int rlp_decode(const uint8_t *data, size_t len, rlp_item *out);

typedef struct {
    const uint8_t *next;
    size_t left;
} rlp_iter;

/* Iterate the items of a list item. */
void rlp_iter_init(rlp_iter *it, const rlp_item *list);
/* 1 = *out holds the next item, 0 = end of list, RLP_ERR = malformed. */
int rlp_iter_next(rlp_iter *it, rlp_item *out);
/* Number of items of a list (RLP_ERR if not a list or malformed). */
long rlp_list_count(const rlp_item *list);
/* Decode a list of exactly n items into out[0..n). */
int rlp_list_exact(const rlp_item *list, rlp_item *out, size_t n);

/* Scalars: the item must be a string holding a canonical big-endian integer
 * (no leading zero byte; zero is the empty string) that fits. */
int rlp_get_u64(const rlp_item *item, uint64_t *out);
/* Up to 32 bytes, left-padded with zeros into out (a uint256, big-endian). */
int rlp_get_u256(const rlp_item *item, uint8_t out[32]);
/* A string of exactly n bytes (hashes, addresses). */
int rlp_get_fixed(const rlp_item *item, uint8_t *out, size_t n);

typedef struct {
    uint8_t *data;
    size_t len;
    size_t cap;
} rlp_buf;

void rlp_buf_init(rlp_buf *b);
void rlp_buf_free(rlp_buf *b);
void rlp_buf_reserve(rlp_buf *b, size_t extra);
/* Append raw bytes (e.g. an already-encoded item). */
void rlp_buf_append(rlp_buf *b, const void *data, size_t len);

/* Append a string item. */
void rlp_put_bytes(rlp_buf *b, const uint8_t *data, size_t len);
/* Append a minimal unsigned integer (0 encodes as the empty string). */
void rlp_put_u64(rlp_buf *b, uint64_t v);
/* Append a 32-byte big-endian integer, minimally (leading zeros dropped). */
void rlp_put_u256(rlp_buf *b, const uint8_t be[32]);
/* Start a list: returns the offset to pass to rlp_list_end. */
size_t rlp_list_begin(rlp_buf *b);
/* Close the list started at mark: inserts its header before the items. */
void rlp_list_end(rlp_buf *b, size_t mark);

/* Length of the header for a payload of n bytes (1 for short forms). */
size_t rlp_header_len(size_t n);

#endif
