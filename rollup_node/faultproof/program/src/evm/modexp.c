/*
 * modexp.c - the MODEXP precompile at 0x05: base^exponent mod modulus over
 * big-endian byte strings of the lengths given in the input's first three
 * words, with the gas formula of execution-specs (Berlin onwards).
 */
#include "../fp_libc.h"
#include "bignum.h"
#include "precompiles.h"
#include "uint256.h"

#define LENGTH_CAP ((uint64_t)1 << 40) /* anything longer is unaffordable */

/* n bytes of input starting at offset, zero past its end. */
static void read_padded(const uint8_t *in, size_t len, uint64_t offset, uint8_t *out, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint64_t pos = offset + i;
        out[i] = pos < len ? in[pos] : 0;
    }
}

static uint64_t read_length(const uint8_t *in, size_t len, uint64_t offset)
{
    uint8_t w[32];
    read_padded(in, len, offset, w, 32);
    u256 v = u256_from_be(w, 32);
    return u256_clamp_u64(&v, LENGTH_CAP);
}

static uint64_t saturating_mul(uint64_t a, uint64_t b)
{
    if (a != 0 && b > UINT64_MAX / a)
        return UINT64_MAX;
    return a * b;
}

static unsigned bit_length(const uint8_t *be, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (be[i]) {
            unsigned bits = 8;
            while (!(be[i] & (1u << (bits - 1))))
                bits--;
            return (unsigned)(n - 1 - i) * 8 + bits;
        }
    }
    return 0;
}

uint64_t modexp_gas(const uint8_t *in, size_t len)
{
    uint64_t base_len = read_length(in, len, 0);
    uint64_t exp_len = read_length(in, len, 32);
    uint64_t mod_len = read_length(in, len, 64);
    uint8_t head[32];
    size_t head_len = exp_len < 32 ? (size_t)exp_len : 32;
    read_padded(in, len, 96 + base_len, head, head_len);
    unsigned head_bits = bit_length(head, head_len);

    uint64_t max_len = base_len > mod_len ? base_len : mod_len;
    uint64_t w = (max_len + 7) / 8;
    uint64_t complexity = saturating_mul(w, w);
    uint64_t iterations;
    if (exp_len <= 32)
        iterations = head_bits ? head_bits - 1 : 0;
    else
        iterations = 8 * (exp_len - 32) + (head_bits ? head_bits - 1 : 0);
    if (iterations < 1)
        iterations = 1;
    uint64_t cost = saturating_mul(complexity, iterations);
    if (cost != UINT64_MAX)
        cost /= 3;
    return cost > 200 ? cost : 200;
}

/* Big-endian bytes to n little-endian limbs. */
static void to_limbs(const uint8_t *be, size_t len, uint32_t *out, size_t n)
{
    for (size_t i = 0; i < n; i++)
        out[i] = 0;
    for (size_t i = 0; i < len; i++)
        out[i / 4] |= (uint32_t)be[len - 1 - i] << (8 * (i % 4));
}

/* r = x mod m, x of xn limbs, m of n significant limbs; r has n limbs. */
static void reduce(const uint32_t *x, size_t xn, const uint32_t *m, size_t n, uint32_t *r,
                   uint32_t *scratch)
{
    size_t len = bn_len(x, xn);
    if (len < n) {
        for (size_t i = 0; i < n; i++)
            r[i] = i < len ? x[i] : 0;
        return;
    }
    bn_divmod(x, len, m, n, NULL, r, scratch);
}

uint8_t *modexp_run(const uint8_t *in, size_t len, size_t *out_len)
{
    uint64_t base_len = read_length(in, len, 0);
    uint64_t exp_len = read_length(in, len, 32);
    uint64_t mod_len = read_length(in, len, 64);
    /* Gas was paid, so the lengths are small enough to hold in memory. */
    size_t bl = (size_t)base_len, el = (size_t)exp_len, ml = (size_t)mod_len;
    uint8_t *out = calloc(ml ? ml : 1, 1);
    *out_len = ml;
    if (ml == 0)
        return out;

    uint8_t *base = malloc(bl + 1), *exp = malloc(el + 1), *mod = malloc(ml);
    read_padded(in, len, 96, base, bl);
    read_padded(in, len, 96 + base_len, exp, el);
    read_padded(in, len, 96 + base_len + exp_len, mod, ml);

    size_t mn_all = (ml + 3) / 4, bn_all = (bl + 3) / 4 + 1;
    uint32_t *m = malloc(4 * mn_all);
    to_limbs(mod, ml, m, mn_all);
    size_t n = bn_len(m, mn_all);
    if (n > 0) {
        size_t big = (bn_all > 2 * n ? bn_all : 2 * n);
        uint32_t *b = malloc(4 * bn_all), *bm = malloc(4 * n), *r = calloc(n, 4);
        uint32_t *prod = malloc(4 * 2 * n), *scratch = malloc(4 * (2 * big + n + 2));
        to_limbs(base, bl, b, bn_all);
        reduce(b, bn_all, m, n, bm, scratch);
        uint32_t one = 1;
        reduce(&one, 1, m, n, r, scratch);
        bool started = false;
        for (size_t i = 0; i < el; i++) {
            for (int bit = 7; bit >= 0; bit--) {
                bool set = (exp[i] >> bit) & 1;
                if (started) {
                    bn_mul(r, n, r, n, prod);
                    reduce(prod, 2 * n, m, n, r, scratch);
                }
                if (set) {
                    bn_mul(r, n, bm, n, prod);
                    reduce(prod, 2 * n, m, n, r, scratch);
                    started = true;
                }
            }
        }
        for (size_t i = 0; i < ml && i < 4 * n; i++)
            out[ml - 1 - i] = (uint8_t)(r[i / 4] >> (8 * (i % 4)));
        free(b);
        free(bm);
        free(r);
        free(prod);
        free(scratch);
    }
    free(m);
    free(base);
    free(exp);
    free(mod);
    return out;
}
