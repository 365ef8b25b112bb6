/*
 * instructions_bitwise.c - comparisons, bitwise logic, BYTE and the shifts.
 */
#include "instructions.h"

static u256 from_bool(bool b)
{
    return u256_from_u64(b ? 1 : 0);
}

#define BINARY_OP(name, expr)                                                                     \
    void op_##name(struct evm_frame *f)                                                           \
    {                                                                                             \
        u256 a = pop(f);                                                                          \
        u256 *b = peek(f, 0);                                                                     \
        *b = expr;                                                                                \
    }

BINARY_OP(lt, from_bool(u256_lt(&a, b)))
BINARY_OP(gt, from_bool(u256_lt(b, &a)))
BINARY_OP(slt, from_bool(u256_slt(&a, b)))
BINARY_OP(sgt, from_bool(u256_slt(b, &a)))
BINARY_OP(eq, from_bool(u256_eq(&a, b)))
BINARY_OP(and, u256_and(&a, b))
BINARY_OP(or, u256_or(&a, b))
BINARY_OP(xor, u256_xor(&a, b))
BINARY_OP(byte, u256_byte(&a, b))
BINARY_OP(shl, u256_shl(&a, b))
BINARY_OP(shr, u256_shr(&a, b))
BINARY_OP(sar, u256_sar(&a, b))

void op_iszero(struct evm_frame *f)
{
    u256 *a = peek(f, 0);
    *a = from_bool(u256_is_zero(a));
}

void op_not(struct evm_frame *f)
{
    u256 *a = peek(f, 0);
    *a = u256_not(a);
}
