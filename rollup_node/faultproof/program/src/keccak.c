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

#define ROL(x, n) ((uint32_t)((x) << (n)) | (uint32_t)((x) >> (32 - (n))))

/* One permutation, two rounds per iteration: the first from (e, o) into a
 * scratch state, the second back. Each output row is computed at once from
 * its five source lanes (theta's column parities applied, rho's rotation, pi's
 * move), then chi and iota, so every lane is read and written once per round
 * (the even half of a row first, then the odd half; a rotation by an odd
 * amount takes each half from the other half of the source).
 * The rounds are written out (generated from the reference rho offsets and pi
 * permutation) so that every index and rotation is a constant: a 64-bit
 * rotation by r becomes 32-bit rotations by r/2 of the halves, swapped when r
 * is odd. */
static void keccak_f(uint32_t *restrict e, uint32_t *restrict o) {
    uint32_t e2[25], o2[25];
    for (int round = 0; round < 24; round += 2) {
        uint32_t ce0, ce1, ce2, ce3, ce4, co0, co1, co2, co3, co4;
        uint32_t de0, de1, de2, de3, de4, do0, do1, do2, do3, do4, b0, b1, b2, b3, b4;
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
        de0 = ce4 ^ ROL(co1, 1);
        do0 = co4 ^ ce1;
        de1 = ce0 ^ ROL(co2, 1);
        do1 = co0 ^ ce2;
        de2 = ce1 ^ ROL(co3, 1);
        do2 = co1 ^ ce3;
        de3 = ce2 ^ ROL(co4, 1);
        do3 = co2 ^ ce4;
        de4 = ce3 ^ ROL(co0, 1);
        do4 = co3 ^ ce0;
        b0 = (e[0] ^ de0);
        b1 = ROL((e[6] ^ de1), 22);
        b2 = ROL((o[12] ^ do2), 22);
        b3 = ROL((o[18] ^ do3), 11);
        b4 = ROL((e[24] ^ de4), 7);
        e2[0] = b0 ^ (~b1 & b2);
        e2[1] = b1 ^ (~b2 & b3);
        e2[2] = b2 ^ (~b3 & b4);
        e2[3] = b3 ^ (~b4 & b0);
        e2[4] = b4 ^ (~b0 & b1);
        b0 = (o[0] ^ do0);
        b1 = ROL((o[6] ^ do1), 22);
        b2 = ROL((e[12] ^ de2), 21);
        b3 = ROL((e[18] ^ de3), 10);
        b4 = ROL((o[24] ^ do4), 7);
        o2[0] = b0 ^ (~b1 & b2);
        o2[1] = b1 ^ (~b2 & b3);
        o2[2] = b2 ^ (~b3 & b4);
        o2[3] = b3 ^ (~b4 & b0);
        o2[4] = b4 ^ (~b0 & b1);
        b0 = ROL((e[3] ^ de3), 14);
        b1 = ROL((e[9] ^ de4), 10);
        b2 = ROL((o[10] ^ do0), 2);
        b3 = ROL((o[16] ^ do1), 23);
        b4 = ROL((o[22] ^ do2), 31);
        e2[5] = b0 ^ (~b1 & b2);
        e2[6] = b1 ^ (~b2 & b3);
        e2[7] = b2 ^ (~b3 & b4);
        e2[8] = b3 ^ (~b4 & b0);
        e2[9] = b4 ^ (~b0 & b1);
        b0 = ROL((o[3] ^ do3), 14);
        b1 = ROL((o[9] ^ do4), 10);
        b2 = ROL((e[10] ^ de0), 1);
        b3 = ROL((e[16] ^ de1), 22);
        b4 = ROL((e[22] ^ de2), 30);
        o2[5] = b0 ^ (~b1 & b2);
        o2[6] = b1 ^ (~b2 & b3);
        o2[7] = b2 ^ (~b3 & b4);
        o2[8] = b3 ^ (~b4 & b0);
        o2[9] = b4 ^ (~b0 & b1);
        b0 = ROL((o[1] ^ do1), 1);
        b1 = ROL((e[7] ^ de2), 3);
        b2 = ROL((o[13] ^ do3), 13);
        b3 = ROL((e[19] ^ de4), 4);
        b4 = ROL((e[20] ^ de0), 9);
        e2[10] = b0 ^ (~b1 & b2);
        e2[11] = b1 ^ (~b2 & b3);
        e2[12] = b2 ^ (~b3 & b4);
        e2[13] = b3 ^ (~b4 & b0);
        e2[14] = b4 ^ (~b0 & b1);
        b0 = (e[1] ^ de1);
        b1 = ROL((o[7] ^ do2), 3);
        b2 = ROL((e[13] ^ de3), 12);
        b3 = ROL((o[19] ^ do4), 4);
        b4 = ROL((o[20] ^ do0), 9);
        o2[10] = b0 ^ (~b1 & b2);
        o2[11] = b1 ^ (~b2 & b3);
        o2[12] = b2 ^ (~b3 & b4);
        o2[13] = b3 ^ (~b4 & b0);
        o2[14] = b4 ^ (~b0 & b1);
        b0 = ROL((o[4] ^ do4), 14);
        b1 = ROL((e[5] ^ de0), 18);
        b2 = ROL((e[11] ^ de1), 5);
        b3 = ROL((o[17] ^ do2), 8);
        b4 = ROL((e[23] ^ de3), 28);
        e2[15] = b0 ^ (~b1 & b2);
        e2[16] = b1 ^ (~b2 & b3);
        e2[17] = b2 ^ (~b3 & b4);
        e2[18] = b3 ^ (~b4 & b0);
        e2[19] = b4 ^ (~b0 & b1);
        b0 = ROL((e[4] ^ de4), 13);
        b1 = ROL((o[5] ^ do0), 18);
        b2 = ROL((o[11] ^ do1), 5);
        b3 = ROL((e[17] ^ de2), 7);
        b4 = ROL((o[23] ^ do3), 28);
        o2[15] = b0 ^ (~b1 & b2);
        o2[16] = b1 ^ (~b2 & b3);
        o2[17] = b2 ^ (~b3 & b4);
        o2[18] = b3 ^ (~b4 & b0);
        o2[19] = b4 ^ (~b0 & b1);
        b0 = ROL((e[2] ^ de2), 31);
        b1 = ROL((o[8] ^ do3), 28);
        b2 = ROL((o[14] ^ do4), 20);
        b3 = ROL((o[15] ^ do0), 21);
        b4 = ROL((e[21] ^ de1), 1);
        e2[20] = b0 ^ (~b1 & b2);
        e2[21] = b1 ^ (~b2 & b3);
        e2[22] = b2 ^ (~b3 & b4);
        e2[23] = b3 ^ (~b4 & b0);
        e2[24] = b4 ^ (~b0 & b1);
        b0 = ROL((o[2] ^ do2), 31);
        b1 = ROL((e[8] ^ de3), 27);
        b2 = ROL((e[14] ^ de4), 19);
        b3 = ROL((e[15] ^ de0), 20);
        b4 = ROL((o[21] ^ do1), 1);
        o2[20] = b0 ^ (~b1 & b2);
        o2[21] = b1 ^ (~b2 & b3);
        o2[22] = b2 ^ (~b3 & b4);
        o2[23] = b3 ^ (~b4 & b0);
        o2[24] = b4 ^ (~b0 & b1);
        e2[0] ^= round_constants[round][0];
        o2[0] ^= round_constants[round][1];
        ce0 = e2[0] ^ e2[5] ^ e2[10] ^ e2[15] ^ e2[20];
        co0 = o2[0] ^ o2[5] ^ o2[10] ^ o2[15] ^ o2[20];
        ce1 = e2[1] ^ e2[6] ^ e2[11] ^ e2[16] ^ e2[21];
        co1 = o2[1] ^ o2[6] ^ o2[11] ^ o2[16] ^ o2[21];
        ce2 = e2[2] ^ e2[7] ^ e2[12] ^ e2[17] ^ e2[22];
        co2 = o2[2] ^ o2[7] ^ o2[12] ^ o2[17] ^ o2[22];
        ce3 = e2[3] ^ e2[8] ^ e2[13] ^ e2[18] ^ e2[23];
        co3 = o2[3] ^ o2[8] ^ o2[13] ^ o2[18] ^ o2[23];
        ce4 = e2[4] ^ e2[9] ^ e2[14] ^ e2[19] ^ e2[24];
        co4 = o2[4] ^ o2[9] ^ o2[14] ^ o2[19] ^ o2[24];
        de0 = ce4 ^ ROL(co1, 1);
        do0 = co4 ^ ce1;
        de1 = ce0 ^ ROL(co2, 1);
        do1 = co0 ^ ce2;
        de2 = ce1 ^ ROL(co3, 1);
        do2 = co1 ^ ce3;
        de3 = ce2 ^ ROL(co4, 1);
        do3 = co2 ^ ce4;
        de4 = ce3 ^ ROL(co0, 1);
        do4 = co3 ^ ce0;
        b0 = (e2[0] ^ de0);
        b1 = ROL((e2[6] ^ de1), 22);
        b2 = ROL((o2[12] ^ do2), 22);
        b3 = ROL((o2[18] ^ do3), 11);
        b4 = ROL((e2[24] ^ de4), 7);
        e[0] = b0 ^ (~b1 & b2);
        e[1] = b1 ^ (~b2 & b3);
        e[2] = b2 ^ (~b3 & b4);
        e[3] = b3 ^ (~b4 & b0);
        e[4] = b4 ^ (~b0 & b1);
        b0 = (o2[0] ^ do0);
        b1 = ROL((o2[6] ^ do1), 22);
        b2 = ROL((e2[12] ^ de2), 21);
        b3 = ROL((e2[18] ^ de3), 10);
        b4 = ROL((o2[24] ^ do4), 7);
        o[0] = b0 ^ (~b1 & b2);
        o[1] = b1 ^ (~b2 & b3);
        o[2] = b2 ^ (~b3 & b4);
        o[3] = b3 ^ (~b4 & b0);
        o[4] = b4 ^ (~b0 & b1);
        b0 = ROL((e2[3] ^ de3), 14);
        b1 = ROL((e2[9] ^ de4), 10);
        b2 = ROL((o2[10] ^ do0), 2);
        b3 = ROL((o2[16] ^ do1), 23);
        b4 = ROL((o2[22] ^ do2), 31);
        e[5] = b0 ^ (~b1 & b2);
        e[6] = b1 ^ (~b2 & b3);
        e[7] = b2 ^ (~b3 & b4);
        e[8] = b3 ^ (~b4 & b0);
        e[9] = b4 ^ (~b0 & b1);
        b0 = ROL((o2[3] ^ do3), 14);
        b1 = ROL((o2[9] ^ do4), 10);
        b2 = ROL((e2[10] ^ de0), 1);
        b3 = ROL((e2[16] ^ de1), 22);
        b4 = ROL((e2[22] ^ de2), 30);
        o[5] = b0 ^ (~b1 & b2);
        o[6] = b1 ^ (~b2 & b3);
        o[7] = b2 ^ (~b3 & b4);
        o[8] = b3 ^ (~b4 & b0);
        o[9] = b4 ^ (~b0 & b1);
        b0 = ROL((o2[1] ^ do1), 1);
        b1 = ROL((e2[7] ^ de2), 3);
        b2 = ROL((o2[13] ^ do3), 13);
        b3 = ROL((e2[19] ^ de4), 4);
        b4 = ROL((e2[20] ^ de0), 9);
        e[10] = b0 ^ (~b1 & b2);
        e[11] = b1 ^ (~b2 & b3);
        e[12] = b2 ^ (~b3 & b4);
        e[13] = b3 ^ (~b4 & b0);
        e[14] = b4 ^ (~b0 & b1);
        b0 = (e2[1] ^ de1);
        b1 = ROL((o2[7] ^ do2), 3);
        b2 = ROL((e2[13] ^ de3), 12);
        b3 = ROL((o2[19] ^ do4), 4);
        b4 = ROL((o2[20] ^ do0), 9);
        o[10] = b0 ^ (~b1 & b2);
        o[11] = b1 ^ (~b2 & b3);
        o[12] = b2 ^ (~b3 & b4);
        o[13] = b3 ^ (~b4 & b0);
        o[14] = b4 ^ (~b0 & b1);
        b0 = ROL((o2[4] ^ do4), 14);
        b1 = ROL((e2[5] ^ de0), 18);
        b2 = ROL((e2[11] ^ de1), 5);
        b3 = ROL((o2[17] ^ do2), 8);
        b4 = ROL((e2[23] ^ de3), 28);
        e[15] = b0 ^ (~b1 & b2);
        e[16] = b1 ^ (~b2 & b3);
        e[17] = b2 ^ (~b3 & b4);
        e[18] = b3 ^ (~b4 & b0);
        e[19] = b4 ^ (~b0 & b1);
        b0 = ROL((e2[4] ^ de4), 13);
        b1 = ROL((o2[5] ^ do0), 18);
        b2 = ROL((o2[11] ^ do1), 5);
        b3 = ROL((e2[17] ^ de2), 7);
        b4 = ROL((o2[23] ^ do3), 28);
        o[15] = b0 ^ (~b1 & b2);
        o[16] = b1 ^ (~b2 & b3);
        o[17] = b2 ^ (~b3 & b4);
        o[18] = b3 ^ (~b4 & b0);
        o[19] = b4 ^ (~b0 & b1);
        b0 = ROL((e2[2] ^ de2), 31);
        b1 = ROL((o2[8] ^ do3), 28);
        b2 = ROL((o2[14] ^ do4), 20);
        b3 = ROL((o2[15] ^ do0), 21);
        b4 = ROL((e2[21] ^ de1), 1);
        e[20] = b0 ^ (~b1 & b2);
        e[21] = b1 ^ (~b2 & b3);
        e[22] = b2 ^ (~b3 & b4);
        e[23] = b3 ^ (~b4 & b0);
        e[24] = b4 ^ (~b0 & b1);
        b0 = ROL((o2[2] ^ do2), 31);
        b1 = ROL((e2[8] ^ de3), 27);
        b2 = ROL((e2[14] ^ de4), 19);
        b3 = ROL((e2[15] ^ de0), 20);
        b4 = ROL((o2[21] ^ do1), 1);
        o[20] = b0 ^ (~b1 & b2);
        o[21] = b1 ^ (~b2 & b3);
        o[22] = b2 ^ (~b3 & b4);
        o[23] = b3 ^ (~b4 & b0);
        o[24] = b4 ^ (~b0 & b1);
        e[0] ^= round_constants[round + 1][0];
        o[0] ^= round_constants[round + 1][1];
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
