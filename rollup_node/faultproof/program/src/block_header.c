/*
 * block_header.c - header decoding, L2 header hashing and the base fee.
 */
#include "block_header.h"

#include "fp_libc.h"
#include "keccak.h"
#include "mpt.h"
#include "oracle.h"
#include "rlp.h"

/* keccak(rlp([])) */
static const uint8_t EMPTY_UNCLES_HASH[32] = {
    0x1d, 0xcc, 0x4d, 0xe8, 0xde, 0xc7, 0x5d, 0x7a, 0xab, 0x85, 0xb5, 0x67, 0xb6, 0xcc, 0xd4, 0x1a,
    0xd3, 0x12, 0x45, 0x1b, 0x94, 0x8a, 0x74, 0x13, 0xf0, 0xa1, 0x42, 0xfd, 0x40, 0xd4, 0x93, 0x47};

int block_header_decode(const uint8_t *data, size_t len, block_header *out) {
    rlp_item header, f[16];
    rlp_iter it;
    if (rlp_decode(data, len, &header) || !header.is_list) return -1;
    rlp_iter_init(&it, &header);
    size_t n = 0;
    rlp_item extra;
    int r;
    while ((r = rlp_iter_next(&it, n < 16 ? &f[n] : &extra)) == 1) n++;
    if (r != 0 || n < 15) return -1;
    memset(out, 0, sizeof *out);
    if (rlp_get_fixed(&f[0], out->parent_hash, 32) || rlp_get_fixed(&f[2], out->coinbase, 20) ||
        rlp_get_fixed(&f[3], out->state_root, 32) ||
        rlp_get_fixed(&f[4], out->transactions_root, 32) ||
        rlp_get_fixed(&f[5], out->receipts_root, 32) ||
        rlp_get_fixed(&f[6], out->logs_bloom, 256) || rlp_get_u64(&f[8], &out->number) ||
        rlp_get_u64(&f[9], &out->gas_limit) || rlp_get_u64(&f[10], &out->gas_used) ||
        rlp_get_u64(&f[11], &out->timestamp) || rlp_get_fixed(&f[13], out->mix_hash, 32))
        return -1;
    if (n >= 16 && rlp_get_u256(&f[15], out->base_fee)) return -1;
    return 0;
}

void block_header_fetch(const char *hint_type, const uint8_t hash[32], block_header *out) {
    size_t len;
    hint_hash(hint_type, hash);
    uint8_t *data = preimage_keccak(hash, &len);
    if (block_header_decode(data, len, out)) fp_panic("block header does not decode");
    free(data);
}

void l2_header_hash(const block_header *h, uint8_t out[32]) {
    static const uint8_t zero[32] = {0};
    rlp_buf b;
    rlp_buf_init(&b);
    size_t mark = rlp_list_begin(&b);
    rlp_put_bytes(&b, h->parent_hash, 32);
    rlp_put_bytes(&b, EMPTY_UNCLES_HASH, 32);
    rlp_put_bytes(&b, h->coinbase, 20);
    rlp_put_bytes(&b, h->state_root, 32);
    rlp_put_bytes(&b, h->transactions_root, 32);
    rlp_put_bytes(&b, h->receipts_root, 32);
    rlp_put_bytes(&b, h->logs_bloom, 256);
    rlp_put_u64(&b, 0); /* difficulty */
    rlp_put_u64(&b, h->number);
    rlp_put_u64(&b, h->gas_limit);
    rlp_put_u64(&b, h->gas_used);
    rlp_put_u64(&b, h->timestamp);
    rlp_put_bytes(&b, NULL, 0); /* extra data */
    rlp_put_bytes(&b, h->mix_hash, 32);
    rlp_put_bytes(&b, zero, 8); /* nonce */
    rlp_put_u256(&b, h->base_fee);
    rlp_put_bytes(&b, MPT_EMPTY_ROOT, 32); /* withdrawals root */
    rlp_put_u64(&b, 0);                    /* blob gas used */
    rlp_put_u64(&b, 0);                    /* excess blob gas */
    rlp_put_bytes(&b, zero, 32);           /* parent beacon block root */
    rlp_list_end(&b, mark);
    keccak256(b.data, b.len, out);
    rlp_buf_free(&b);
}

/* ---- base fee, in 256-bit big-endian arithmetic on small operands ---- */

/* x = x * m + a, for x big-endian 32 bytes, m and a below 2^32. */
static void be_mul_add(uint8_t x[32], uint32_t m, uint32_t a) {
    uint64_t carry = a;
    for (int i = 31; i >= 0; i--) {
        uint64_t v = (uint64_t)x[i] * m + carry;
        x[i] = (uint8_t)v;
        carry = v >> 8;
    }
}

/* x = x / d (d below 2^32, non-zero). */
static void be_div(uint8_t x[32], uint32_t d) {
    uint64_t rem = 0;
    for (int i = 0; i < 32; i++) {
        uint64_t cur = (rem << 8) | x[i];
        x[i] = (uint8_t)(cur / d);
        rem = cur % d;
    }
}

/* x = x + y or x - y (no overflow by the callers' bounds). */
static void be_add(uint8_t x[32], const uint8_t y[32], int subtract) {
    int carry = 0;
    for (int i = 31; i >= 0; i--) {
        int v = subtract ? x[i] - y[i] - carry : x[i] + y[i] + carry;
        carry = subtract ? v < 0 : v > 255;
        x[i] = (uint8_t)(v & 255);
    }
}

static int be_is_zero(const uint8_t x[32]) {
    for (int i = 0; i < 32; i++)
        if (x[i]) return 0;
    return 1;
}

void next_base_fee(const block_header *parent, uint8_t out[32]) {
    uint64_t target = parent->gas_limit / 2;
    memcpy(out, parent->base_fee, 32);
    if (parent->gas_used == target) return;
    if (target == 0 || target > 0xffffffffu || parent->gas_used > 0xffffffffu)
        fp_panic("parent gas out of range");
    int up = parent->gas_used > target;
    uint64_t delta = up ? parent->gas_used - target : target - parent->gas_used;
    uint8_t change[32];
    memcpy(change, parent->base_fee, 32);
    be_mul_add(change, (uint32_t)delta, 0);
    be_div(change, (uint32_t)target);
    be_div(change, 8);
    if (up && be_is_zero(change)) change[31] = 1;
    be_add(out, change, !up);
}
