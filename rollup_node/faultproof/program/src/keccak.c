/*
 * keccak.c - Keccak-f[1600] and the Keccak-256 sponge.
 *
 * Lanes are little-endian 64-bit words (Keccak's convention), so absorbing
 * XORs bytes into lanes byte by byte; this is endian-independent and works
 * unchanged on the big-endian MIPS target.
 */
#include "keccak.h"

#include "fp_libc.h"

const uint8_t KECCAK_EMPTY[32] = {0xc5, 0xd2, 0x46, 0x01, 0x86, 0xf7, 0x23, 0x3c, 0x92, 0x7e, 0x7d,
                                  0xb2, 0xdc, 0xc7, 0x03, 0xc0, 0xe5, 0x00, 0xb6, 0x53, 0xca, 0x82,
                                  0x27, 0x3b, 0x7b, 0xfa, 0xd8, 0x04, 0x5d, 0x85, 0xa4, 0x70};

static const uint64_t round_constants[24] = {
    0x0000000000000001ULL, 0x0000000000008082ULL, 0x800000000000808aULL, 0x8000000080008000ULL,
    0x000000000000808bULL, 0x0000000080000001ULL, 0x8000000080008081ULL, 0x8000000000008009ULL,
    0x000000000000008aULL, 0x0000000000000088ULL, 0x0000000080008009ULL, 0x000000008000000aULL,
    0x000000008000808bULL, 0x800000000000008bULL, 0x8000000000008089ULL, 0x8000000000008003ULL,
    0x8000000000008002ULL, 0x8000000000000080ULL, 0x000000000000800aULL, 0x800000008000000aULL,
    0x8000000080008081ULL, 0x8000000000008080ULL, 0x0000000080000001ULL, 0x8000000080008008ULL,
};

/* rho rotation offsets and pi destinations, walking the lane cycle from lane 1. */
static const unsigned rho[24] = {1,  3,  6,  10, 15, 21, 28, 36, 45, 55, 2,  14,
                                 27, 41, 56, 8,  25, 43, 62, 18, 39, 61, 20, 44};
static const unsigned pi[24] = {10, 7,  11, 17, 18, 3, 5,  16, 8,  21, 24, 4,
                                15, 23, 19, 13, 12, 2, 20, 14, 22, 9,  6,  1};

static inline uint64_t rotl(uint64_t x, unsigned n) { return (x << n) | (x >> (64 - n)); }

static void keccak_f(uint64_t a[25]) {
    for (int round = 0; round < 24; round++) {
        uint64_t c[5], d;
        /* theta */
        for (int x = 0; x < 5; x++) c[x] = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20];
        for (int x = 0; x < 5; x++) {
            d = c[(x + 4) % 5] ^ rotl(c[(x + 1) % 5], 1);
            for (int y = 0; y < 25; y += 5) a[y + x] ^= d;
        }
        /* rho and pi */
        uint64_t t = a[1];
        for (int i = 0; i < 24; i++) {
            unsigned j = pi[i];
            uint64_t next = a[j];
            a[j] = rotl(t, rho[i]);
            t = next;
        }
        /* chi */
        for (int y = 0; y < 25; y += 5) {
            for (int x = 0; x < 5; x++) c[x] = a[y + x];
            for (int x = 0; x < 5; x++) a[y + x] = c[x] ^ (~c[(x + 1) % 5] & c[(x + 2) % 5]);
        }
        /* iota */
        a[0] ^= round_constants[round];
    }
}

void keccak_init(keccak_ctx *ctx) {
    memset(ctx, 0, sizeof *ctx);
}

static inline void absorb_byte(keccak_ctx *ctx, size_t pos, uint8_t b) {
    ctx->lanes[pos / 8] ^= (uint64_t)b << (8 * (pos % 8));
}

void keccak_update(keccak_ctx *ctx, const uint8_t *data, size_t len) {
    size_t used = ctx->used;
    while (len > 0) {
        if (used == 0 && len >= KECCAK256_RATE) {
            /* whole blocks: absorb lane by lane */
            for (int i = 0; i < KECCAK256_RATE / 8; i++) {
                const uint8_t *p = data + 8 * i;
                uint64_t lane = (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 |
                                (uint64_t)p[3] << 24 | (uint64_t)p[4] << 32 |
                                (uint64_t)p[5] << 40 | (uint64_t)p[6] << 48 |
                                (uint64_t)p[7] << 56;
                ctx->lanes[i] ^= lane;
            }
            keccak_f(ctx->lanes);
            data += KECCAK256_RATE;
            len -= KECCAK256_RATE;
            continue;
        }
        absorb_byte(ctx, used++, *data++);
        len--;
        if (used == KECCAK256_RATE) {
            keccak_f(ctx->lanes);
            used = 0;
        }
    }
    ctx->used = used;
}

void keccak_final(keccak_ctx *ctx, uint8_t out[32]) {
    absorb_byte(ctx, ctx->used, 0x01);
    absorb_byte(ctx, KECCAK256_RATE - 1, 0x80);
    keccak_f(ctx->lanes);
    for (int i = 0; i < 32; i++) out[i] = (uint8_t)(ctx->lanes[i / 8] >> (8 * (i % 8)));
}

void keccak256(const uint8_t *data, size_t len, uint8_t out[32]) {
    keccak_ctx ctx;
    keccak_init(&ctx);
    keccak_update(&ctx, data, len);
    keccak_final(&ctx, out);
}
