/*
 * instructions_arithmetic.c - ADD .. SIGNEXTEND, wrapping modulo 2^256.
 */
#include "gas.h"
#include "instructions.h"

#define BINARY_OP(name, expr)                                                                     \
    void op_##name(struct evm_frame *f)                                                           \
    {                                                                                             \
        u256 a = pop(f);                                                                          \
        u256 *b = peek(f, 0);                                                                     \
        *b = expr;                                                                                \
    }

BINARY_OP(add, u256_add(&a, b))
BINARY_OP(sub, u256_sub(&a, b))
BINARY_OP(mul, u256_mul(&a, b))
BINARY_OP(div, u256_div(&a, b))
BINARY_OP(sdiv, u256_sdiv(&a, b))
BINARY_OP(mod, u256_mod(&a, b))
BINARY_OP(smod, u256_smod(&a, b))
BINARY_OP(signextend, u256_signextend(&a, b))

void op_addmod(struct evm_frame *f)
{
    u256 a = pop(f), b = pop(f);
    u256 *n = peek(f, 0);
    *n = u256_addmod(&a, &b, n);
}

void op_mulmod(struct evm_frame *f)
{
    u256 a = pop(f), b = pop(f);
    u256 *n = peek(f, 0);
    *n = u256_mulmod(&a, &b, n);
}

void op_exp(struct evm_frame *f)
{
    u256 base = pop(f);
    u256 *exponent = peek(f, 0);
    /* GAS: 50 per byte of the exponent on top of the static 10. */
    if (!charge_gas(f, GAS_EXPONENTIATION_PER_BYTE * (uint64_t)u256_byte_length(exponent)))
        return;
    *exponent = u256_exp(&base, exponent);
}
