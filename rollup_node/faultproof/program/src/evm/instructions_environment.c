/*
 * instructions_environment.c - what a frame can learn about its message,
 * its transaction and other accounts: ADDRESS .. EXTCODEHASH, SELFBALANCE,
 * BLOBHASH.
 */
#include "gas.h"
#include "instructions.h"

/* Warm/cold surcharge for touching another account (static gas is 0). */
static bool charge_account_access(struct evm_frame *f, const evm_address *a)
{
    bool warm = state_warm_address(f->evm->state, a);
    return charge_gas(f, warm ? GAS_WARM_ACCESS : GAS_COLD_ACCOUNT_ACCESS);
}

void op_address(struct evm_frame *f)
{
    push(f, address_to_word(&f->msg->target));
}

void op_balance(struct evm_frame *f)
{
    u256 w = pop(f);
    evm_address a = word_to_address(&w);
    if (!charge_account_access(f, &a))
        return;
    push(f, state_get_balance(f->evm->state, &a));
}

void op_origin(struct evm_frame *f)
{
    push(f, address_to_word(&f->evm->tx.origin));
}

void op_caller(struct evm_frame *f)
{
    push(f, address_to_word(&f->msg->caller));
}

void op_callvalue(struct evm_frame *f)
{
    push(f, f->msg->value);
}

void op_calldataload(struct evm_frame *f)
{
    u256 *offset = peek(f, 0);
    uint8_t buf[32];
    copy_padded(buf, f->msg->data, f->msg->data_len, offset, 32);
    *offset = u256_from_be(buf, 32);
}

void op_calldatasize(struct evm_frame *f)
{
    push(f, u256_from_u64(f->msg->data_len));
}

/* The common body of CALLDATACOPY, CODECOPY, EXTCODECOPY, RETURNDATACOPY. */
static bool copy_to_memory(struct evm_frame *f, const u256 *dest, const u256 *offset,
                           const u256 *size, const uint8_t *src, size_t src_len,
                           uint64_t extra_gas)
{
    if (!u256_fits_u64(size)) {
        f->status = EVM_ERR_OUT_OF_GAS;
        return false;
    }
    uint64_t len = u256_low64(size);
    if (!charge_memory(f, dest, size, 1, extra_gas + GAS_COPY * words(len)))
        return false;
    if (len)
        copy_padded(f->memory.data + u256_low64(dest), src, src_len, offset, (size_t)len);
    return true;
}

void op_calldatacopy(struct evm_frame *f)
{
    u256 dest = pop(f), offset = pop(f), size = pop(f);
    copy_to_memory(f, &dest, &offset, &size, f->msg->data, f->msg->data_len, 0);
}

void op_codesize(struct evm_frame *f)
{
    push(f, u256_from_u64(f->msg->code_len));
}

void op_codecopy(struct evm_frame *f)
{
    u256 dest = pop(f), offset = pop(f), size = pop(f);
    copy_to_memory(f, &dest, &offset, &size, f->msg->code, f->msg->code_len, 0);
}

void op_gasprice(struct evm_frame *f)
{
    push(f, f->evm->tx.gas_price);
}

void op_extcodesize(struct evm_frame *f)
{
    u256 w = pop(f);
    evm_address a = word_to_address(&w);
    if (!charge_account_access(f, &a))
        return;
    size_t len;
    state_get_code(f->evm->state, &a, &len);
    push(f, u256_from_u64(len));
}

void op_extcodecopy(struct evm_frame *f)
{
    u256 w = pop(f), dest = pop(f), offset = pop(f), size = pop(f);
    evm_address a = word_to_address(&w);
    bool warm = state_warm_address(f->evm->state, &a);
    size_t len;
    const uint8_t *code = state_get_code(f->evm->state, &a, &len);
    copy_to_memory(f, &dest, &offset, &size, code, len,
                   warm ? GAS_WARM_ACCESS : GAS_COLD_ACCOUNT_ACCESS);
}

void op_returndatasize(struct evm_frame *f)
{
    push(f, u256_from_u64(f->return_data.len));
}

void op_returndatacopy(struct evm_frame *f)
{
    u256 dest = pop(f), offset = pop(f), size = pop(f);
    /* Reading past the end of the return data is an exceptional halt (all
     * gas is lost either way, so checking it before the gas is equivalent). */
    u256 end = u256_add(&offset, &size);
    u256 have = u256_from_u64(f->return_data.len);
    if (u256_lt(&end, &offset) || u256_lt(&have, &end)) {
        f->status = EVM_ERR_RETURN_DATA_OUT_OF_BOUNDS;
        return;
    }
    copy_to_memory(f, &dest, &offset, &size, f->return_data.data, f->return_data.len, 0);
}

void op_extcodehash(struct evm_frame *f)
{
    u256 *w = peek(f, 0);
    evm_address a = word_to_address(w);
    if (!charge_account_access(f, &a))
        return;
    /* Non-existent and empty accounts hash to zero. */
    if (!state_account_is_alive(f->evm->state, &a)) {
        *w = u256_zero();
        return;
    }
    uint8_t h[32];
    state_get_code_hash(f->evm->state, &a, h);
    *w = u256_from_be(h, 32);
}

void op_selfbalance(struct evm_frame *f)
{
    push(f, state_get_balance(f->evm->state, &f->msg->target));
}

void op_blobhash(struct evm_frame *f)
{
    /* L2 transactions carry no blobs: every index is out of range. */
    u256 *index = peek(f, 0);
    *index = u256_zero();
}
