/*
 * instructions_control.c - STOP, JUMP, JUMPI, PC, GAS, JUMPDEST, INVALID.
 */
#include "instructions.h"

static bool set_jump(struct evm_frame *f, const u256 *dest)
{
    if (!u256_fits_u64(dest) || u256_low64(dest) >= f->msg->code_len) {
        f->status = EVM_ERR_INVALID_JUMP;
        return false;
    }
    size_t d = (size_t)u256_low64(dest);
    if (!(f->jumpdests[d / 8] & (1u << (d % 8)))) {
        f->status = EVM_ERR_INVALID_JUMP;
        return false;
    }
    f->pc = d;
    return true;
}

void op_stop(struct evm_frame *f)
{
    f->status = EVM_STOPPED;
}

void op_jump(struct evm_frame *f)
{
    u256 dest = pop(f);
    set_jump(f, &dest);
}

void op_jumpi(struct evm_frame *f)
{
    u256 dest = pop(f), cond = pop(f);
    if (!u256_is_zero(&cond))
        set_jump(f, &dest);
}

void op_pc(struct evm_frame *f)
{
    push(f, u256_from_u64(f->pc - 1));
}

void op_gas(struct evm_frame *f)
{
    push(f, u256_from_u64(f->gas_left));
}

void op_jumpdest(struct evm_frame *f)
{
    (void)f;
}

void op_invalid(struct evm_frame *f)
{
    f->status = EVM_ERR_INVALID_OPCODE;
}
