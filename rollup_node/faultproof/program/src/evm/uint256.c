/*
 * uint256.c - 256-bit word arithmetic for the EVM (see uint256.h).
 */
#include "uint256.h"
#include "bignum.h"

u256 u256_zero(void)
{
    u256 r = {{0}};
    return r;
}

u256 u256_from_u64(uint64_t x)
{
    u256 r = {{0}};
    r.w[0] = (uint32_t)x;
    r.w[1] = (uint32_t)(x >> 32);
    return r;
}

u256 u256_from_be(const uint8_t *bytes, size_t n)
{
    u256 r = {{0}};
    if (n > 32) {
        bytes += n - 32;
        n = 32;
    }
    /* Whole limbs from the end, then the leftover high bytes. */
    const uint8_t *end = bytes + n;
    unsigned limb = 0;
    for (; n >= 4; n -= 4, end -= 4)
        r.w[limb++] = ((uint32_t)end[-4] << 24) | ((uint32_t)end[-3] << 16) |
                      ((uint32_t)end[-2] << 8) | end[-1];
    for (unsigned i = 0; i < n; i++)
        r.w[limb] |= (uint32_t)end[-1 - (int)i] << (8 * i);
    return r;
}

void u256_to_be(const u256 *x, uint8_t out[32])
{
    for (int i = 0; i < 32; i++)
        out[31 - i] = (uint8_t)(x->w[i / 4] >> (8 * (i % 4)));
}

bool u256_is_zero(const u256 *x)
{
    uint32_t acc = 0;
    for (int i = 0; i < 8; i++)
        acc |= x->w[i];
    return acc == 0;
}

bool u256_eq(const u256 *a, const u256 *b)
{
    for (int i = 0; i < 8; i++)
        if (a->w[i] != b->w[i])
            return false;
    return true;
}

bool u256_lt(const u256 *a, const u256 *b)
{
    for (int i = 7; i >= 0; i--)
        if (a->w[i] != b->w[i])
            return a->w[i] < b->w[i];
    return false;
}

bool u256_is_negative(const u256 *x)
{
    return (x->w[7] >> 31) != 0;
}

bool u256_slt(const u256 *a, const u256 *b)
{
    bool na = u256_is_negative(a), nb = u256_is_negative(b);
    if (na != nb)
        return na;
    return u256_lt(a, b);
}

bool u256_fits_u64(const u256 *x)
{
    for (int i = 2; i < 8; i++)
        if (x->w[i])
            return false;
    return true;
}

uint64_t u256_low64(const u256 *x)
{
    return ((uint64_t)x->w[1] << 32) | x->w[0];
}

uint64_t u256_clamp_u64(const u256 *x, uint64_t limit)
{
    if (!u256_fits_u64(x))
        return limit;
    uint64_t v = u256_low64(x);
    return v < limit ? v : limit;
}

unsigned u256_byte_length(const u256 *x)
{
    for (int i = 7; i >= 0; i--) {
        if (x->w[i]) {
            unsigned n = 4;
            while (!(x->w[i] >> (8 * (n - 1))))
                n--;
            return (unsigned)i * 4 + n;
        }
    }
    return 0;
}

u256 u256_add(const u256 *a, const u256 *b)
{
    u256 r;
    uint64_t carry = 0;
    for (int i = 0; i < 8; i++) {
        uint64_t t = (uint64_t)a->w[i] + b->w[i] + carry;
        r.w[i] = (uint32_t)t;
        carry = t >> 32;
    }
    return r;
}

u256 u256_sub(const u256 *a, const u256 *b)
{
    u256 r;
    uint32_t borrow = 0;
    for (int i = 0; i < 8; i++) {
        uint64_t t = (uint64_t)a->w[i] - b->w[i] - borrow;
        r.w[i] = (uint32_t)t;
        borrow = (uint32_t)(t >> 63);
    }
    return r;
}

u256 u256_mul(const u256 *a, const u256 *b)
{
    u256 r = {{0}};
    for (int i = 0; i < 8; i++) {
        uint64_t carry = 0;
        for (int j = 0; i + j < 8; j++) {
            uint64_t t = (uint64_t)a->w[i] * b->w[j] + r.w[i + j] + carry;
            r.w[i + j] = (uint32_t)t;
            carry = t >> 32;
        }
    }
    return r;
}

u256 u256_neg(const u256 *a)
{
    u256 z = u256_zero();
    return u256_sub(&z, a);
}

/* q = a / b and r = a % b over limbs; b non-zero. */
static void divmod_limbs(const uint32_t *a, size_t an, const uint32_t *b,
                         size_t bn, uint32_t *q, uint32_t *r)
{
    uint32_t scratch[2 * 16 + 8 + 2];
    size_t m = bn_len(a, an), n = bn_len(b, bn);
    for (size_t i = 0; i < an; i++)
        q[i] = 0;
    for (size_t i = 0; i < bn; i++)
        r[i] = 0;
    if (m < n) {
        for (size_t i = 0; i < m; i++)
            r[i] = a[i];
        return;
    }
    bn_divmod(a, m, b, n, q, r, scratch);
}

static void divmod(const u256 *a, const u256 *b, u256 *q, u256 *r)
{
    uint32_t qq[9];
    divmod_limbs(a->w, 8, b->w, 8, qq, r->w);
    for (int i = 0; i < 8; i++)
        q->w[i] = qq[i];
}

u256 u256_div(const u256 *a, const u256 *b)
{
    u256 q = {{0}}, r;
    if (u256_is_zero(b))
        return q;
    divmod(a, b, &q, &r);
    return q;
}

u256 u256_mod(const u256 *a, const u256 *b)
{
    u256 q, r = {{0}};
    if (u256_is_zero(b))
        return r;
    divmod(a, b, &q, &r);
    return r;
}

static u256 absolute(const u256 *x)
{
    return u256_is_negative(x) ? u256_neg(x) : *x;
}

u256 u256_sdiv(const u256 *a, const u256 *b)
{
    u256 ua = absolute(a), ub = absolute(b);
    u256 q = u256_div(&ua, &ub);
    /* -2^255 / -1 wraps back to -2^255, which this yields naturally. */
    if (u256_is_negative(a) != u256_is_negative(b))
        q = u256_neg(&q);
    return q;
}

u256 u256_smod(const u256 *a, const u256 *b)
{
    u256 ua = absolute(a), ub = absolute(b);
    u256 r = u256_mod(&ua, &ub);
    if (u256_is_negative(a))
        r = u256_neg(&r);
    return r;
}

u256 u256_addmod(const u256 *a, const u256 *b, const u256 *m)
{
    uint32_t sum[9], q[9];
    u256 r = {{0}};
    if (u256_is_zero(m))
        return r;
    uint64_t carry = 0;
    for (int i = 0; i < 8; i++) {
        uint64_t t = (uint64_t)a->w[i] + b->w[i] + carry;
        sum[i] = (uint32_t)t;
        carry = t >> 32;
    }
    sum[8] = (uint32_t)carry;
    uint32_t scratch[2 * 9 + 8 + 2];
    size_t sl = bn_len(sum, 9), ml = bn_len(m->w, 8);
    if (sl < ml) {
        for (size_t i = 0; i < sl; i++)
            r.w[i] = sum[i];
        return r;
    }
    bn_divmod(sum, sl, m->w, ml, q, r.w, scratch);
    return r;
}

u256 u256_mulmod(const u256 *a, const u256 *b, const u256 *m)
{
    uint32_t prod[16], q[17];
    u256 r = {{0}};
    if (u256_is_zero(m))
        return r;
    bn_mul(a->w, 8, b->w, 8, prod);
    divmod_limbs(prod, 16, m->w, 8, q, r.w);
    return r;
}

u256 u256_exp(const u256 *base, const u256 *exponent)
{
    u256 result = u256_from_u64(1), b = *base;
    unsigned bits = 8 * u256_byte_length(exponent);
    for (unsigned i = 0; i < bits; i++) {
        if ((exponent->w[i / 32] >> (i % 32)) & 1)
            result = u256_mul(&result, &b);
        if (i + 1 < bits)
            b = u256_mul(&b, &b);
    }
    return result;
}

u256 u256_signextend(const u256 *byte_index, const u256 *x)
{
    if (!u256_fits_u64(byte_index) || u256_low64(byte_index) >= 31)
        return *x;
    unsigned bit = (unsigned)u256_low64(byte_index) * 8 + 7;
    bool negative = (x->w[bit / 32] >> (bit % 32)) & 1;
    u256 r = *x;
    for (unsigned i = bit + 1; i < 256; i++) {
        uint32_t mask = 1u << (i % 32);
        if (negative)
            r.w[i / 32] |= mask;
        else
            r.w[i / 32] &= ~mask;
    }
    return r;
}

u256 u256_and(const u256 *a, const u256 *b)
{
    u256 r;
    for (int i = 0; i < 8; i++)
        r.w[i] = a->w[i] & b->w[i];
    return r;
}

u256 u256_or(const u256 *a, const u256 *b)
{
    u256 r;
    for (int i = 0; i < 8; i++)
        r.w[i] = a->w[i] | b->w[i];
    return r;
}

u256 u256_xor(const u256 *a, const u256 *b)
{
    u256 r;
    for (int i = 0; i < 8; i++)
        r.w[i] = a->w[i] ^ b->w[i];
    return r;
}

u256 u256_not(const u256 *a)
{
    u256 r;
    for (int i = 0; i < 8; i++)
        r.w[i] = ~a->w[i];
    return r;
}

u256 u256_byte(const u256 *index, const u256 *x)
{
    if (!u256_fits_u64(index) || u256_low64(index) >= 32)
        return u256_zero();
    unsigned from_low = 31 - (unsigned)u256_low64(index);
    return u256_from_u64((x->w[from_low / 4] >> (8 * (from_low % 4))) & 0xff);
}

/* x << n for n < 256, filling with zeros. */
static u256 shift_left(const u256 *x, unsigned n)
{
    u256 r = {{0}};
    unsigned limbs = n / 32, bits = n % 32;
    for (int i = 7; i >= (int)limbs; i--) {
        uint32_t v = x->w[i - limbs] << bits;
        if (bits && i - (int)limbs - 1 >= 0)
            v |= x->w[i - limbs - 1] >> (32 - bits);
        r.w[i] = v;
    }
    return r;
}

/* x >> n for n < 256, filling with `fill` limbs (0 or all ones). */
static u256 shift_right(const u256 *x, unsigned n, uint32_t fill)
{
    u256 r;
    unsigned limbs = n / 32, bits = n % 32;
    for (unsigned i = 0; i < 8; i++) {
        uint32_t lo = i + limbs < 8 ? x->w[i + limbs] : fill;
        uint32_t hi = i + limbs + 1 < 8 ? x->w[i + limbs + 1] : fill;
        r.w[i] = bits ? (lo >> bits) | (hi << (32 - bits)) : lo;
    }
    return r;
}

u256 u256_shl(const u256 *shift, const u256 *x)
{
    if (!u256_fits_u64(shift) || u256_low64(shift) >= 256)
        return u256_zero();
    return shift_left(x, (unsigned)u256_low64(shift));
}

u256 u256_shr(const u256 *shift, const u256 *x)
{
    if (!u256_fits_u64(shift) || u256_low64(shift) >= 256)
        return u256_zero();
    return shift_right(x, (unsigned)u256_low64(shift), 0);
}

u256 u256_sar(const u256 *shift, const u256 *x)
{
    uint32_t fill = u256_is_negative(x) ? 0xffffffffu : 0;
    if (!u256_fits_u64(shift) || u256_low64(shift) >= 256) {
        u256 r;
        for (int i = 0; i < 8; i++)
            r.w[i] = fill;
        return r;
    }
    return shift_right(x, (unsigned)u256_low64(shift), fill);
}
