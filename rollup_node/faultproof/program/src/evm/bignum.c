/*
 * bignum.c - long multiplication and Knuth's long division over 32-bit limbs.
 */
#include "bignum.h"

size_t bn_len(const uint32_t *x, size_t n)
{
    while (n > 0 && x[n - 1] == 0)
        n--;
    return n;
}

static int leading_zeros32(uint32_t x)
{
    int n = 0;
    if (x == 0)
        return 32;
    while (!(x & 0x80000000u)) {
        x <<= 1;
        n++;
    }
    return n;
}

/*
 * (hi:lo) / d for a normalised d (top bit set) and hi < d, using only
 * 32-bit divisions by 16-bit halves (Hacker's Delight, divlu).
 */
static uint32_t div_2by1(uint32_t hi, uint32_t lo, uint32_t d, uint32_t *rem)
{
    const uint32_t b = 0x10000u;
    uint32_t dh = d >> 16, dl = d & 0xffffu;
    uint32_t lo1 = lo >> 16, lo0 = lo & 0xffffu;
    uint32_t q1 = hi / dh, rhat = hi - q1 * dh;
    while (q1 >= b || q1 * dl > ((rhat << 16) | lo1)) {
        q1--;
        rhat += dh;
        if (rhat >= b)
            break;
    }
    uint32_t mid = (hi << 16) + lo1 - q1 * d;
    uint32_t q0 = mid / dh;
    rhat = mid - q0 * dh;
    while (q0 >= b || q0 * dl > ((rhat << 16) | lo0)) {
        q0--;
        rhat += dh;
        if (rhat >= b)
            break;
    }
    *rem = (mid << 16) + lo0 - q0 * d;
    return (q1 << 16) | q0;
}

void bn_mul(const uint32_t *a, size_t an, const uint32_t *b, size_t bn,
            uint32_t *out)
{
    for (size_t i = 0; i < an + bn; i++)
        out[i] = 0;
    for (size_t i = 0; i < an; i++) {
        uint64_t carry = 0;
        if (a[i] == 0)
            continue;
        for (size_t j = 0; j < bn; j++) {
            uint64_t t = (uint64_t)a[i] * b[j] + out[i + j] + carry;
            out[i + j] = (uint32_t)t;
            carry = t >> 32;
        }
        out[i + bn] = (uint32_t)carry;
    }
}

/* Single-limb divisor: schoolbook division limb by limb. */
static void divmod_small(const uint32_t *u, size_t m, uint32_t v, uint32_t *q,
                         uint32_t *r)
{
    int s = leading_zeros32(v);
    uint32_t d = v << s;
    uint32_t rem = 0;
    /* Work on u << s so the divisor is normalised; the shifted-out top bits
     * start the remainder. */
    if (s)
        rem = u[m - 1] >> (32 - s);
    for (size_t i = m; i-- > 0;) {
        uint32_t limb = u[i] << s;
        if (s && i > 0)
            limb |= u[i - 1] >> (32 - s);
        uint32_t qi = div_2by1(rem, limb, d, &rem);
        if (q)
            q[i] = qi;
    }
    if (r)
        r[0] = rem >> s;
}

void bn_divmod(const uint32_t *u, size_t m, const uint32_t *v, size_t n,
               uint32_t *q, uint32_t *r, uint32_t *scratch)
{
    if (n == 1) {
        divmod_small(u, m, v[0], q, r);
        return;
    }
    int s = leading_zeros32(v[n - 1]);
    uint32_t *un = scratch;         /* m + 1 limbs */
    uint32_t *vn = scratch + m + 1; /* n limbs */

    for (size_t i = n - 1; i > 0; i--)
        vn[i] = (v[i] << s) | (s ? v[i - 1] >> (32 - s) : 0);
    vn[0] = v[0] << s;
    un[m] = s ? u[m - 1] >> (32 - s) : 0;
    for (size_t i = m - 1; i > 0; i--)
        un[i] = (u[i] << s) | (s ? u[i - 1] >> (32 - s) : 0);
    un[0] = u[0] << s;

    for (size_t j = m - n + 1; j-- > 0;) {
        uint32_t qhat, rhat;
        int rhat_overflow = 0;
        if (un[j + n] >= vn[n - 1]) {
            /* Only equality is possible here: qhat = B - 1. */
            qhat = 0xffffffffu;
            uint64_t r64 = (uint64_t)un[j + n - 1] + vn[n - 1];
            rhat = (uint32_t)r64;
            rhat_overflow = (r64 >> 32) != 0;
        } else {
            qhat = div_2by1(un[j + n], un[j + n - 1], vn[n - 1], &rhat);
        }
        while (!rhat_overflow) {
            uint64_t lhs = (uint64_t)qhat * vn[n - 2];
            uint64_t rhs = ((uint64_t)rhat << 32) | un[j + n - 2];
            if (lhs <= rhs)
                break;
            qhat--;
            uint64_t r64 = (uint64_t)rhat + vn[n - 1];
            rhat = (uint32_t)r64;
            rhat_overflow = (r64 >> 32) != 0;
        }
        /* Multiply and subtract. */
        uint64_t borrow = 0, carry = 0;
        for (size_t i = 0; i < n; i++) {
            uint64_t p = (uint64_t)qhat * vn[i] + carry;
            carry = p >> 32;
            uint64_t t = (uint64_t)un[i + j] - (uint32_t)p - borrow;
            un[i + j] = (uint32_t)t;
            borrow = (t >> 32) ? 1 : 0;
        }
        uint64_t t = (uint64_t)un[j + n] - carry - borrow;
        un[j + n] = (uint32_t)t;
        if (t >> 32) {
            /* Subtracted one time too many: add back. */
            qhat--;
            uint64_t c = 0;
            for (size_t i = 0; i < n; i++) {
                uint64_t sum = (uint64_t)un[i + j] + vn[i] + c;
                un[i + j] = (uint32_t)sum;
                c = sum >> 32;
            }
            un[j + n] += (uint32_t)c;
        }
        if (q)
            q[j] = qhat;
    }
    if (r) {
        for (size_t i = 0; i < n; i++)
            r[i] = (un[i] >> s) | (s ? un[i + 1] << (32 - s) : 0);
    }
}
