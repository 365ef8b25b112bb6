/*
 * keccak.c - Keccak-f[1600] and the Keccak-256 sponge.
 *
 * The state is bit-interleaved: each 64-bit lane is kept as two 32-bit words,
 * one holding its even-numbered bits and one its odd-numbered bits. A 64-bit
 * rotation then becomes two 32-bit rotations (one instruction each on
 * mips32r2), so the permutation needs no 64-bit arithmetic: on the 32-bit
 * fault-proof VM, where keccak dominates the program's step count, this is
 * several times cheaper than 64-bit lanes. Lanes are absorbed and squeezed
 * little-endian (Keccak's convention) byte by byte, so the code is
 * endian-independent.
 */
#include "keccak.h"

#include "fp_libc.h"

const uint8_t KECCAK_EMPTY[32] = {0xc5, 0xd2, 0x46, 0x01, 0x86, 0xf7, 0x23, 0x3c, 0x92, 0x7e, 0x7d,
                                  0xb2, 0xdc, 0xc7, 0x03, 0xc0, 0xe5, 0x00, 0xb6, 0x53, 0xca, 0x82,
                                  0x27, 0x3b, 0x7b, 0xfa, 0xd8, 0x04, 0x5d, 0x85, 0xa4, 0x70};

/* Round constants, interleaved: [round][0] even bits, [round][1] odd bits. */
static const uint32_t round_constants[24][2] = {
    {0x00000001, 0x00000000}, {0x00000000, 0x00000089}, {0x00000000, 0x8000008b},
    {0x00000000, 0x80008080}, {0x00000001, 0x0000008b}, {0x00000001, 0x00008000},
    {0x00000001, 0x80008088}, {0x00000001, 0x80000082}, {0x00000000, 0x0000000b},
    {0x00000000, 0x0000000a}, {0x00000001, 0x00008082}, {0x00000000, 0x00008003},
    {0x00000001, 0x0000808b}, {0x00000001, 0x8000000b}, {0x00000001, 0x8000008a},
    {0x00000001, 0x80000081}, {0x00000000, 0x80000081}, {0x00000000, 0x80000008},
    {0x00000000, 0x00000083}, {0x00000000, 0x80008003}, {0x00000001, 0x80008088},
    {0x00000000, 0x80000088}, {0x00000001, 0x00008000}, {0x00000000, 0x80008082},
};

#define ROL(x, n) (((x) << (n)) | ((x) >> (32 - (n))))

/* One permutation. The round body is written out (generated from the rho and
 * pi tables of the reference: lane cycle from lane 1, offsets
 * 1 3 6 10 15 21 28 36 45 55 2 14 27 41 56 8 25 43 62 18 39 61 20 44) so that
 * every index and rotation is a constant: a 64-bit rotation by r becomes
 * 32-bit rotations by r/2 of the halves, swapping them when r is odd. */
static void keccak_f(uint32_t *restrict e, uint32_t *restrict o) {
    for (int round = 0; round < 24; round++) {
        uint32_t ce0, ce1, ce2, ce3, ce4, co0, co1, co2, co3, co4, de, dO, te, to, ne, no;
        ce0 = e[0] ^ e[5] ^ e[10] ^ e[15] ^ e[20];
        co0 = o[0] ^ o[5] ^ o[10] ^ o[15] ^ o[20];
        ce1 = e[1] ^ e[6] ^ e[11] ^ e[16] ^ e[21];
        co1 = o[1] ^ o[6] ^ o[11] ^ o[16] ^ o[21];
        ce2 = e[2] ^ e[7] ^ e[12] ^ e[17] ^ e[22];
        co2 = o[2] ^ o[7] ^ o[12] ^ o[17] ^ o[22];
        ce3 = e[3] ^ e[8] ^ e[13] ^ e[18] ^ e[23];
        co3 = o[3] ^ o[8] ^ o[13] ^ o[18] ^ o[23];
        ce4 = e[4] ^ e[9] ^ e[14] ^ e[19] ^ e[24];
        co4 = o[4] ^ o[9] ^ o[14] ^ o[19] ^ o[24];
        de = ce4 ^ ROL(co1, 1);
        dO = co4 ^ ce1;
        e[0] ^= de; e[5] ^= de; e[10] ^= de; e[15] ^= de; e[20] ^= de;
        o[0] ^= dO; o[5] ^= dO; o[10] ^= dO; o[15] ^= dO; o[20] ^= dO;
        de = ce0 ^ ROL(co2, 1);
        dO = co0 ^ ce2;
        e[1] ^= de; e[6] ^= de; e[11] ^= de; e[16] ^= de; e[21] ^= de;
        o[1] ^= dO; o[6] ^= dO; o[11] ^= dO; o[16] ^= dO; o[21] ^= dO;
        de = ce1 ^ ROL(co3, 1);
        dO = co1 ^ ce3;
        e[2] ^= de; e[7] ^= de; e[12] ^= de; e[17] ^= de; e[22] ^= de;
        o[2] ^= dO; o[7] ^= dO; o[12] ^= dO; o[17] ^= dO; o[22] ^= dO;
        de = ce2 ^ ROL(co4, 1);
        dO = co2 ^ ce4;
        e[3] ^= de; e[8] ^= de; e[13] ^= de; e[18] ^= de; e[23] ^= de;
        o[3] ^= dO; o[8] ^= dO; o[13] ^= dO; o[18] ^= dO; o[23] ^= dO;
        de = ce3 ^ ROL(co0, 1);
        dO = co3 ^ ce0;
        e[4] ^= de; e[9] ^= de; e[14] ^= de; e[19] ^= de; e[24] ^= de;
        o[4] ^= dO; o[9] ^= dO; o[14] ^= dO; o[19] ^= dO; o[24] ^= dO;
        te = e[1];
        to = o[1];
        ne = e[10];
        no = o[10];
        e[10] = ROL(to, 1);
        o[10] = te;
        te = ne;
        to = no;
        ne = e[7];
        no = o[7];
        e[7] = ROL(to, 2);
        o[7] = ROL(te, 1);
        te = ne;
        to = no;
        ne = e[11];
        no = o[11];
        e[11] = ROL(te, 3);
        o[11] = ROL(to, 3);
        te = ne;
        to = no;
        ne = e[17];
        no = o[17];
        e[17] = ROL(te, 5);
        o[17] = ROL(to, 5);
        te = ne;
        to = no;
        ne = e[18];
        no = o[18];
        e[18] = ROL(to, 8);
        o[18] = ROL(te, 7);
        te = ne;
        to = no;
        ne = e[3];
        no = o[3];
        e[3] = ROL(to, 11);
        o[3] = ROL(te, 10);
        te = ne;
        to = no;
        ne = e[5];
        no = o[5];
        e[5] = ROL(te, 14);
        o[5] = ROL(to, 14);
        te = ne;
        to = no;
        ne = e[16];
        no = o[16];
        e[16] = ROL(te, 18);
        o[16] = ROL(to, 18);
        te = ne;
        to = no;
        ne = e[8];
        no = o[8];
        e[8] = ROL(to, 23);
        o[8] = ROL(te, 22);
        te = ne;
        to = no;
        ne = e[21];
        no = o[21];
        e[21] = ROL(to, 28);
        o[21] = ROL(te, 27);
        te = ne;
        to = no;
        ne = e[24];
        no = o[24];
        e[24] = ROL(te, 1);
        o[24] = ROL(to, 1);
        te = ne;
        to = no;
        ne = e[4];
        no = o[4];
        e[4] = ROL(te, 7);
        o[4] = ROL(to, 7);
        te = ne;
        to = no;
        ne = e[15];
        no = o[15];
        e[15] = ROL(to, 14);
        o[15] = ROL(te, 13);
        te = ne;
        to = no;
        ne = e[23];
        no = o[23];
        e[23] = ROL(to, 21);
        o[23] = ROL(te, 20);
        te = ne;
        to = no;
        ne = e[19];
        no = o[19];
        e[19] = ROL(te, 28);
        o[19] = ROL(to, 28);
        te = ne;
        to = no;
        ne = e[13];
        no = o[13];
        e[13] = ROL(te, 4);
        o[13] = ROL(to, 4);
        te = ne;
        to = no;
        ne = e[12];
        no = o[12];
        e[12] = ROL(to, 13);
        o[12] = ROL(te, 12);
        te = ne;
        to = no;
        ne = e[2];
        no = o[2];
        e[2] = ROL(to, 22);
        o[2] = ROL(te, 21);
        te = ne;
        to = no;
        ne = e[20];
        no = o[20];
        e[20] = ROL(te, 31);
        o[20] = ROL(to, 31);
        te = ne;
        to = no;
        ne = e[14];
        no = o[14];
        e[14] = ROL(te, 9);
        o[14] = ROL(to, 9);
        te = ne;
        to = no;
        ne = e[22];
        no = o[22];
        e[22] = ROL(to, 20);
        o[22] = ROL(te, 19);
        te = ne;
        to = no;
        ne = e[9];
        no = o[9];
        e[9] = ROL(to, 31);
        o[9] = ROL(te, 30);
        te = ne;
        to = no;
        ne = e[6];
        no = o[6];
        e[6] = ROL(te, 10);
        o[6] = ROL(to, 10);
        te = ne;
        to = no;
        ne = e[1];
        no = o[1];
        e[1] = ROL(te, 22);
        o[1] = ROL(to, 22);
        te = ne;
        to = no;
        ce0 = e[0]; ce1 = e[1]; ce2 = e[2]; ce3 = e[3]; ce4 = e[4];
        e[0] = ce0 ^ (~ce1 & ce2);
        e[1] = ce1 ^ (~ce2 & ce3);
        e[2] = ce2 ^ (~ce3 & ce4);
        e[3] = ce3 ^ (~ce4 & ce0);
        e[4] = ce4 ^ (~ce0 & ce1);
        co0 = o[0]; co1 = o[1]; co2 = o[2]; co3 = o[3]; co4 = o[4];
        o[0] = co0 ^ (~co1 & co2);
        o[1] = co1 ^ (~co2 & co3);
        o[2] = co2 ^ (~co3 & co4);
        o[3] = co3 ^ (~co4 & co0);
        o[4] = co4 ^ (~co0 & co1);
        ce0 = e[5]; ce1 = e[6]; ce2 = e[7]; ce3 = e[8]; ce4 = e[9];
        e[5] = ce0 ^ (~ce1 & ce2);
        e[6] = ce1 ^ (~ce2 & ce3);
        e[7] = ce2 ^ (~ce3 & ce4);
        e[8] = ce3 ^ (~ce4 & ce0);
        e[9] = ce4 ^ (~ce0 & ce1);
        co0 = o[5]; co1 = o[6]; co2 = o[7]; co3 = o[8]; co4 = o[9];
        o[5] = co0 ^ (~co1 & co2);
        o[6] = co1 ^ (~co2 & co3);
        o[7] = co2 ^ (~co3 & co4);
        o[8] = co3 ^ (~co4 & co0);
        o[9] = co4 ^ (~co0 & co1);
        ce0 = e[10]; ce1 = e[11]; ce2 = e[12]; ce3 = e[13]; ce4 = e[14];
        e[10] = ce0 ^ (~ce1 & ce2);
        e[11] = ce1 ^ (~ce2 & ce3);
        e[12] = ce2 ^ (~ce3 & ce4);
        e[13] = ce3 ^ (~ce4 & ce0);
        e[14] = ce4 ^ (~ce0 & ce1);
        co0 = o[10]; co1 = o[11]; co2 = o[12]; co3 = o[13]; co4 = o[14];
        o[10] = co0 ^ (~co1 & co2);
        o[11] = co1 ^ (~co2 & co3);
        o[12] = co2 ^ (~co3 & co4);
        o[13] = co3 ^ (~co4 & co0);
        o[14] = co4 ^ (~co0 & co1);
        ce0 = e[15]; ce1 = e[16]; ce2 = e[17]; ce3 = e[18]; ce4 = e[19];
        e[15] = ce0 ^ (~ce1 & ce2);
        e[16] = ce1 ^ (~ce2 & ce3);
        e[17] = ce2 ^ (~ce3 & ce4);
        e[18] = ce3 ^ (~ce4 & ce0);
        e[19] = ce4 ^ (~ce0 & ce1);
        co0 = o[15]; co1 = o[16]; co2 = o[17]; co3 = o[18]; co4 = o[19];
        o[15] = co0 ^ (~co1 & co2);
        o[16] = co1 ^ (~co2 & co3);
        o[17] = co2 ^ (~co3 & co4);
        o[18] = co3 ^ (~co4 & co0);
        o[19] = co4 ^ (~co0 & co1);
        ce0 = e[20]; ce1 = e[21]; ce2 = e[22]; ce3 = e[23]; ce4 = e[24];
        e[20] = ce0 ^ (~ce1 & ce2);
        e[21] = ce1 ^ (~ce2 & ce3);
        e[22] = ce2 ^ (~ce3 & ce4);
        e[23] = ce3 ^ (~ce4 & ce0);
        e[24] = ce4 ^ (~ce0 & ce1);
        co0 = o[20]; co1 = o[21]; co2 = o[22]; co3 = o[23]; co4 = o[24];
        o[20] = co0 ^ (~co1 & co2);
        o[21] = co1 ^ (~co2 & co3);
        o[22] = co2 ^ (~co3 & co4);
        o[23] = co3 ^ (~co4 & co0);
        o[24] = co4 ^ (~co0 & co1);
        e[0] ^= round_constants[round][0];
        o[0] ^= round_constants[round][1];
    }
}

/* Even bits of x to its low half, odd bits to its high half. */
static inline uint32_t unshuffle(uint32_t x) {
    uint32_t t;
    t = (x ^ (x >> 1)) & 0x22222222u;
    x ^= t ^ (t << 1);
    t = (x ^ (x >> 2)) & 0x0c0c0c0cu;
    x ^= t ^ (t << 2);
    t = (x ^ (x >> 4)) & 0x00f000f0u;
    x ^= t ^ (t << 4);
    t = (x ^ (x >> 8)) & 0x0000ff00u;
    x ^= t ^ (t << 8);
    return x;
}

/* The inverse of unshuffle. */
static inline uint32_t shuffle(uint32_t x) {
    uint32_t t;
    t = (x ^ (x >> 8)) & 0x0000ff00u;
    x ^= t ^ (t << 8);
    t = (x ^ (x >> 4)) & 0x00f000f0u;
    x ^= t ^ (t << 4);
    t = (x ^ (x >> 2)) & 0x0c0c0c0cu;
    x ^= t ^ (t << 2);
    t = (x ^ (x >> 1)) & 0x22222222u;
    x ^= t ^ (t << 1);
    return x;
}

static inline uint32_t load_le32(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* XOR the 8 little-endian bytes at p into lane i. */
static inline void absorb_lane(keccak_ctx *ctx, int i, const uint8_t *p) {
    uint32_t lo = unshuffle(load_le32(p)), hi = unshuffle(load_le32(p + 4));
    ctx->even[i] ^= (lo & 0xffffu) | (hi << 16);
    ctx->odd[i] ^= (lo >> 16) | (hi & 0xffff0000u);
}

static uint64_t permutations;

uint64_t keccak_permutation_count(void) { return permutations; }

static void absorb_block(keccak_ctx *ctx, const uint8_t *block) {
    for (int i = 0; i < KECCAK256_RATE / 8; i++) absorb_lane(ctx, i, block + 8 * i);
    keccak_f(ctx->even, ctx->odd);
    permutations++;
}

void keccak_init(keccak_ctx *ctx) { memset(ctx, 0, sizeof *ctx); }

void keccak_update(keccak_ctx *ctx, const uint8_t *data, size_t len) {
    if (ctx->used > 0) {
        size_t take = KECCAK256_RATE - ctx->used;
        if (take > len) take = len;
        memcpy(ctx->block + ctx->used, data, take);
        ctx->used += take;
        data += take;
        len -= take;
        if (ctx->used < KECCAK256_RATE) return;
        absorb_block(ctx, ctx->block);
        ctx->used = 0;
    }
    while (len >= KECCAK256_RATE) {
        absorb_block(ctx, data);
        data += KECCAK256_RATE;
        len -= KECCAK256_RATE;
    }
    memcpy(ctx->block, data, len);
    ctx->used = len;
}

void keccak_final(keccak_ctx *ctx, uint8_t out[32]) {
    memset(ctx->block + ctx->used, 0, KECCAK256_RATE - ctx->used);
    ctx->block[ctx->used] = 0x01;
    ctx->block[KECCAK256_RATE - 1] |= 0x80;
    absorb_block(ctx, ctx->block);
    for (int i = 0; i < 4; i++) {
        uint32_t e = ctx->even[i], o = ctx->odd[i];
        uint32_t lo = shuffle((e & 0xffffu) | (o << 16));
        uint32_t hi = shuffle((e >> 16) | (o & 0xffff0000u));
        for (int b = 0; b < 4; b++) {
            out[8 * i + b] = (uint8_t)(lo >> (8 * b));
            out[8 * i + 4 + b] = (uint8_t)(hi >> (8 * b));
        }
    }
}

void keccak256(const uint8_t *data, size_t len, uint8_t out[32]) {
    keccak_ctx ctx;
    keccak_init(&ctx);
    keccak_update(&ctx, data, len);
    keccak_final(&ctx, out);
}
