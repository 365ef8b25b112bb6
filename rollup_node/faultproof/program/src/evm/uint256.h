/*
 * uint256.h - the EVM word: 256-bit unsigned integers with wrap-around
 * arithmetic, and the signed views (two's complement) some opcodes use.
 *
 * Eight 32-bit limbs, least significant first, so the same code runs on
 * 32-bit big-endian MIPS and on x86-64. Byte conversions are explicit
 * big-endian, never a memory cast.
 */
#ifndef EVM_UINT256_H
#define EVM_UINT256_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint32_t w[8];
} u256;

u256 u256_zero(void);
u256 u256_from_u64(uint64_t x);
/* Big-endian bytes, right-aligned: n <= 32 bytes become the low bytes. */
u256 u256_from_be(const uint8_t *bytes, size_t n);
void u256_to_be(const u256 *x, uint8_t out[32]);

bool u256_is_zero(const u256 *x);
bool u256_eq(const u256 *a, const u256 *b);
bool u256_lt(const u256 *a, const u256 *b);
bool u256_slt(const u256 *a, const u256 *b);
bool u256_is_negative(const u256 *x);
/* True when x < 2^64; then u256_low64 is x. */
bool u256_fits_u64(const u256 *x);
uint64_t u256_low64(const u256 *x);
/* min(x, limit) as a u64: for sizes and offsets that only matter when small. */
uint64_t u256_clamp_u64(const u256 *x, uint64_t limit);
/* Number of significant bytes (0 for zero). */
unsigned u256_byte_length(const u256 *x);

u256 u256_add(const u256 *a, const u256 *b);
u256 u256_sub(const u256 *a, const u256 *b);
u256 u256_mul(const u256 *a, const u256 *b);
u256 u256_neg(const u256 *a);
/* Division by zero gives zero, as the EVM defines it. */
u256 u256_div(const u256 *a, const u256 *b);
u256 u256_mod(const u256 *a, const u256 *b);
u256 u256_sdiv(const u256 *a, const u256 *b);
u256 u256_smod(const u256 *a, const u256 *b);
u256 u256_addmod(const u256 *a, const u256 *b, const u256 *m);
u256 u256_mulmod(const u256 *a, const u256 *b, const u256 *m);
u256 u256_exp(const u256 *base, const u256 *exponent);
u256 u256_signextend(const u256 *byte_index, const u256 *x);

u256 u256_and(const u256 *a, const u256 *b);
u256 u256_or(const u256 *a, const u256 *b);
u256 u256_xor(const u256 *a, const u256 *b);
u256 u256_not(const u256 *a);
u256 u256_byte(const u256 *index, const u256 *x);
u256 u256_shl(const u256 *shift, const u256 *x);
u256 u256_shr(const u256 *shift, const u256 *x);
u256 u256_sar(const u256 *shift, const u256 *x);

#endif
