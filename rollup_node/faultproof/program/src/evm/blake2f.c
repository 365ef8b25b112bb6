/*
 * blake2f.c - the BLAKE2b compression function F (RFC 7693) with a caller-
 * chosen number of rounds, for the precompile at 0x09.
 */
#include "../fp_libc.h"
#include "precompiles.h"

static const uint64_t IV[8] = {
    0x6a09e667f3bcc908ull, 0xbb67ae8584caa73bull, 0x3c6ef372fe94f82bull, 0xa54ff53a5f1d36f1ull,
    0x510e527fade682d1ull, 0x9b05688c2b3e6c1full, 0x1f83d9abfb41bd6bull, 0x5be0cd19137e2179ull,
};

static const uint8_t SIGMA[10][16] = {
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
    {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3},
    {11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4},
    {7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8},
    {9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13},
    {2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9},
    {12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11},
    {13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10},
    {6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5},
    {10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0},
};

static uint64_t rotr64(uint64_t x, int n)
{
    return (x >> n) | (x << (64 - n));
}

static uint64_t le64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

/* The G mixing function on four state words (locals, so they stay in registers). */
#define MIX(a, b, c, d, x, y)                                                                     \
    do {                                                                                          \
        a = a + b + (x);                                                                          \
        d = rotr64(d ^ a, 32);                                                                    \
        c = c + d;                                                                                \
        b = rotr64(b ^ c, 24);                                                                    \
        a = a + b + (y);                                                                          \
        d = rotr64(d ^ a, 16);                                                                    \
        c = c + d;                                                                                \
        b = rotr64(b ^ c, 63);                                                                    \
    } while (0)

/* input: rounds (u32 BE) ‖ h (8 u64 LE) ‖ m (16 u64 LE) ‖ t (2 u64 LE) ‖ final flag */
bool blake2f_compress(const uint8_t input[213], uint8_t out[64])
{
    uint8_t flag = input[212];
    if (flag > 1)
        return false;
    uint32_t rounds = fp_be32(input);
    uint64_t h[8], m[16], v[16];
    for (int i = 0; i < 8; i++)
        h[i] = le64(input + 4 + 8 * i);
    for (int i = 0; i < 16; i++)
        m[i] = le64(input + 68 + 8 * i);
    uint64_t v0 = h[0], v1 = h[1], v2 = h[2], v3 = h[3], v4 = h[4], v5 = h[5], v6 = h[6],
             v7 = h[7], v8 = IV[0], v9 = IV[1], v10 = IV[2], v11 = IV[3], v12 = IV[4],
             v13 = IV[5], v14 = IV[6], v15 = IV[7];
    v12 ^= le64(input + 196);
    v13 ^= le64(input + 204);
    if (flag)
        v14 = ~v14;
    unsigned row = 0;
    for (uint32_t r = 0; r < rounds; r++) {
        const uint8_t *s = SIGMA[row];
        row = row == 9 ? 0 : row + 1;
        MIX(v0, v4, v8, v12, m[s[0]], m[s[1]]);
        MIX(v1, v5, v9, v13, m[s[2]], m[s[3]]);
        MIX(v2, v6, v10, v14, m[s[4]], m[s[5]]);
        MIX(v3, v7, v11, v15, m[s[6]], m[s[7]]);
        MIX(v0, v5, v10, v15, m[s[8]], m[s[9]]);
        MIX(v1, v6, v11, v12, m[s[10]], m[s[11]]);
        MIX(v2, v7, v8, v13, m[s[12]], m[s[13]]);
        MIX(v3, v4, v9, v14, m[s[14]], m[s[15]]);
    }
    v[0] = v0, v[1] = v1, v[2] = v2, v[3] = v3, v[4] = v4, v[5] = v5, v[6] = v6, v[7] = v7;
    v[8] = v8, v[9] = v9, v[10] = v10, v[11] = v11, v[12] = v12, v[13] = v13, v[14] = v14;
    v[15] = v15;
    for (int i = 0; i < 8; i++) {
        uint64_t x = h[i] ^ v[i] ^ v[i + 8];
        for (int k = 0; k < 8; k++)
            out[8 * i + k] = (uint8_t)(x >> (8 * k));
    }
    return true;
}
