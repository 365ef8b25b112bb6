/*
 * instructions_stack.c - POP, PUSH0..PUSH32, DUP1..DUP16, SWAP1..SWAP16.
 * The opcode byte (just before pc) selects n.
 */
#include "instructions.h"

static unsigned opcode(const struct evm_frame *f)
{
    return f->msg->code[f->pc - 1];
}

void op_pop(struct evm_frame *f)
{
    f->sp--;
}

void op_push(struct evm_frame *f)
{
    size_t n = opcode(f) - 0x5f; /* PUSH0 has n = 0 */
    size_t avail = f->msg->code_len - f->pc;
    uint8_t buf[32] = {0};
    /* Past the end of code, PUSH data reads as zeros. */
    memcpy(buf, f->msg->code + f->pc, n < avail ? n : avail);
    push(f, u256_from_be(buf, n));
    f->pc += n;
}

void op_dup(struct evm_frame *f)
{
    unsigned n = opcode(f) - 0x80;
    u256 v = *peek(f, n);
    push(f, v);
}

void op_swap(struct evm_frame *f)
{
    unsigned n = opcode(f) - 0x8f;
    u256 *top = peek(f, 0), *other = peek(f, n);
    u256 t = *top;
    *top = *other;
    *other = t;
}
