/*
 * interpreter.c - running messages: the top-level call of a transaction,
 * nested calls and creations, and the fetch-execute loop.
 *
 * Follows execution-specs' vm/interpreter.py: every message runs on a state
 * snapshot that is rolled back if the message fails; a creation also pays
 * for and checks the deployed code.
 */
#include "gas.h"
#include "vm.h"

static void execute_code(struct evm_frame *f)
{
    const struct evm_message *msg = f->msg;
    if (is_precompile(&msg->code_address)) {
        run_precompile(f);
    } else {
        while (f->status == EVM_RUNNING) {
            if (f->pc >= msg->code_len) {
                f->status = EVM_STOPPED;
                break;
            }
            const struct op_info *op = &op_table[msg->code[f->pc]];
            if (!op->fn) {
                f->status = EVM_ERR_INVALID_OPCODE;
                break;
            }
            if (f->sp < op->stack_in) {
                f->status = EVM_ERR_STACK_UNDERFLOW;
                break;
            }
            if (f->sp - op->stack_in + op->stack_out > STACK_LIMIT) {
                f->status = EVM_ERR_STACK_OVERFLOW;
                break;
            }
            if (!charge_gas(f, op->gas))
                break;
            f->pc++;
            op->fn(f);
        }
    }
    if (f->status > EVM_REVERTED) {
        /* An exceptional halt consumes all gas and returns nothing. */
        f->gas_left = 0;
        f->output.len = 0;
    }
}

struct evm_frame *process_message(struct evm *evm, const struct evm_message *msg)
{
    struct evm_state *st = evm->state;
    size_t snapshot = state_snapshot(st);
    state_touch(st, &msg->target);
    if (msg->should_transfer_value && !u256_is_zero(&msg->value)) {
        /* Debit before reading the credit side: caller and target may be one
         * account (CALLCODE with value). */
        u256 from = state_get_balance(st, &msg->caller);
        from = u256_sub(&from, &msg->value);
        state_set_balance(st, &msg->caller, &from);
        u256 to = state_get_balance(st, &msg->target);
        to = u256_add(&to, &msg->value);
        state_set_balance(st, &msg->target, &to);
    }
    struct evm_frame *f = frame_acquire(evm, msg);
    execute_code(f);
    if (status_is_error(f->status))
        state_revert(st, snapshot);
    return f;
}

struct evm_frame *process_create_message(struct evm *evm, const struct evm_message *msg)
{
    struct evm_state *st = evm->state;
    size_t snapshot = state_snapshot(st);
    state_mark_created(st, &msg->target);
    state_set_nonce(st, &msg->target, state_get_nonce(st, &msg->target) + 1);
    struct evm_frame *f = process_message(evm, msg);
    if (status_is_error(f->status)) {
        state_revert(st, snapshot);
        return f;
    }
    const struct evm_bytes *code = &f->output;
    int error = EVM_RUNNING;
    if (code->len > 0 && code->data[0] == 0xef)
        error = EVM_ERR_INVALID_CONTRACT_PREFIX;
    else if (!charge_gas(f, (uint64_t)code->len * GAS_CODE_DEPOSIT))
        error = EVM_ERR_OUT_OF_GAS;
    else if (code->len > MAX_CODE_SIZE)
        error = EVM_ERR_OUT_OF_GAS;
    if (error != EVM_RUNNING) {
        state_revert(st, snapshot);
        f->gas_left = 0;
        f->output.len = 0;
        f->status = error;
        return f;
    }
    uint8_t *copy = malloc(code->len ? code->len : 1);
    if (code->len)
        memcpy(copy, code->data, code->len);
    state_set_code(st, &msg->target, copy, code->len);
    return f;
}

struct evm_frame *process_message_call(struct evm *evm, const struct evm_message *msg)
{
    struct evm_state *st = evm->state;
    if (msg->is_create) {
        if (state_account_has_code_or_nonce(st, &msg->target) ||
            state_account_has_storage(st, &msg->target)) {
            struct evm_frame *f = frame_acquire(evm, msg);
            f->gas_left = 0;
            f->status = EVM_ERR_ADDRESS_COLLISION;
            return f;
        }
        return process_create_message(evm, msg);
    }
    return process_message(evm, msg);
}

void incorporate_child(struct evm_frame *parent, const struct evm_frame *child)
{
    parent->gas_left += child->gas_left;
    if (!status_is_error(child->status))
        parent->refund += child->refund;
}
