/*
 * bignum.h - unsigned multi-limb integers: the long division shared by the
 * 256-bit opcodes and the modexp precompile.
 *
 * Numbers are arrays of 32-bit limbs, least significant limb first. Only
 * 32-bit divisions and 32x32->64 products are used, so the code needs no
 * compiler runtime helpers on a 32-bit MIPS target.
 */
#ifndef EVM_BIGNUM_H
#define EVM_BIGNUM_H

#include <stddef.h>
#include <stdint.h>

/* Number of significant limbs of x[0..n) (0 for zero). */
size_t bn_len(const uint32_t *x, size_t n);

/*
 * Knuth's algorithm D: q = u / v, r = u % v.
 * u has m limbs, v has n limbs with v[n-1] != 0 and n <= m.
 * q receives m - n + 1 limbs, r receives n limbs; either may be NULL.
 * scratch must hold 2 * m + n + 2 limbs.
 */
void bn_divmod(const uint32_t *u, size_t m, const uint32_t *v, size_t n,
               uint32_t *q, uint32_t *r, uint32_t *scratch);

/* out[0..an+bn) = a * b. */
void bn_mul(const uint32_t *a, size_t an, const uint32_t *b, size_t bn,
            uint32_t *out);

#endif
