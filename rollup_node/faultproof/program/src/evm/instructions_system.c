/*
 * instructions_system.c - creating contracts, calling them, returning and
 * self-destructing: CREATE, CREATE2, CALL, CALLCODE, DELEGATECALL,
 * STATICCALL, RETURN, REVERT, SELFDESTRUCT.
 */
#include "../keccak.h"
#include "gas.h"
#include "instructions.h"

/* The common part of CREATE and CREATE2 once the address is known. */
static void generic_create(struct evm_frame *f, const u256 *endowment, const evm_address *address,
                           const u256 *offset, const u256 *size)
{
    struct evm_state *st = f->evm->state;
    uint64_t len = u256_low64(size);
    if (len > MAX_INITCODE_SIZE) {
        f->status = EVM_ERR_OUT_OF_GAS;
        return;
    }
    state_warm_address(st, address);
    uint64_t create_gas = max_message_call_gas(f->gas_left);
    f->gas_left -= create_gas;
    if (f->msg->is_static) {
        f->status = EVM_ERR_WRITE_IN_STATIC;
        return;
    }
    f->return_data.len = 0;

    const evm_address *sender = &f->msg->target;
    u256 balance = state_get_balance(st, sender);
    uint64_t nonce = state_get_nonce(st, sender);
    if (u256_lt(&balance, endowment) || nonce == UINT64_MAX || f->msg->depth + 1 > DEPTH_LIMIT) {
        f->gas_left += create_gas;
        push(f, u256_zero());
        return;
    }
    if (state_account_has_code_or_nonce(st, address) || state_account_has_storage(st, address)) {
        state_set_nonce(st, sender, nonce + 1);
        push(f, u256_zero());
        return;
    }
    state_set_nonce(st, sender, nonce + 1);

    struct evm_message child = {
        .caller = *sender,
        .target = *address,
        .code_address = *address,
        .value = *endowment,
        .data = NULL,
        .data_len = 0,
        .code = memory_at(f, offset, size),
        .code_len = (size_t)len,
        .gas = create_gas,
        .depth = f->msg->depth + 1,
        .is_create = true,
        .is_static = false,
        .should_transfer_value = true,
    };
    /* The init code lives in this frame's memory, which the child cannot
     * touch; copy it anyway so the child's view is stable. */
    uint8_t *code = malloc(len ? (size_t)len : 1);
    if (len)
        memcpy(code, child.code, (size_t)len);
    child.code = code;
    struct evm_frame *c = process_create_message(f->evm, &child);
    incorporate_child(f, c);
    if (status_is_error(c->status)) {
        bytes_assign(&f->return_data, c->output.data, c->output.len);
        push(f, u256_zero());
    } else {
        f->return_data.len = 0;
        push(f, address_to_word(address));
    }
    free(code);
}

void op_create(struct evm_frame *f)
{
    u256 endowment = pop(f), offset = pop(f), size = pop(f);
    if (!u256_fits_u64(&size)) {
        f->status = EVM_ERR_OUT_OF_GAS;
        return;
    }
    if (!charge_memory(f, &offset, &size, 1, GAS_CREATE + init_code_cost(u256_low64(&size))))
        return;
    uint64_t nonce = state_get_nonce(f->evm->state, &f->msg->target);
    evm_address address = compute_contract_address(&f->msg->target, nonce);
    generic_create(f, &endowment, &address, &offset, &size);
}

void op_create2(struct evm_frame *f)
{
    u256 endowment = pop(f), offset = pop(f), size = pop(f), salt = pop(f);
    if (!u256_fits_u64(&size)) {
        f->status = EVM_ERR_OUT_OF_GAS;
        return;
    }
    uint64_t len = u256_low64(&size);
    if (!charge_memory(f, &offset, &size, 1,
                       GAS_CREATE + GAS_KECCAK256_WORD * words(len) + init_code_cost(len)))
        return;
    uint8_t salt_bytes[32];
    u256_to_be(&salt, salt_bytes);
    evm_address address = compute_create2_address(&f->msg->target, salt_bytes,
                                                   memory_at(f, &offset, &size), (size_t)len);
    generic_create(f, &endowment, &address, &offset, &size);
}

/* The stack arguments every CALL variant shares. */
struct call_args {
    u256 gas;
    evm_address to;
    u256 value;
    u256 regions_off[2]; /* input, output */
    u256 regions_len[2];
};

static void pop_call_args(struct evm_frame *f, struct call_args *a, bool has_value)
{
    a->gas = pop(f);
    u256 to = pop(f);
    a->to = word_to_address(&to);
    a->value = has_value ? pop(f) : u256_zero();
    a->regions_off[0] = pop(f);
    a->regions_len[0] = pop(f);
    a->regions_off[1] = pop(f);
    a->regions_len[1] = pop(f);
}

/*
 * Charge the call's own cost plus the gas it forwards (at most all but one
 * 64th of what is left after the other costs); returns the gas the child gets
 * before any stipend, or false on out of gas.
 */
static bool charge_call(struct evm_frame *f, struct call_args *a, uint64_t extra_gas,
                        uint64_t *child_gas)
{
    uint64_t memory_cost, new_size;
    if (!memory_expansion_cost(f, a->regions_off, a->regions_len, 2, &memory_cost, &new_size) ||
        f->gas_left < extra_gas + memory_cost) {
        f->status = EVM_ERR_OUT_OF_GAS;
        return false;
    }
    uint64_t cap = max_message_call_gas(f->gas_left - memory_cost - extra_gas);
    uint64_t gas = u256_clamp_u64(&a->gas, cap);
    if (!charge_gas(f, gas + extra_gas + memory_cost))
        return false;
    if (new_size > f->memory.len)
        bytes_resize(&f->memory, (size_t)new_size);
    *child_gas = gas;
    return true;
}

static uint64_t access_cost(struct evm_frame *f, const evm_address *a)
{
    return state_warm_address(f->evm->state, a) ? GAS_WARM_ACCESS : GAS_COLD_ACCOUNT_ACCESS;
}

/* The common part of the CALL family once gas is paid. */
static void generic_call(struct evm_frame *f, uint64_t gas, const u256 *value,
                         const evm_address *caller, const evm_address *to,
                         const evm_address *code_address, bool transfer, bool is_static,
                         const struct call_args *a)
{
    f->return_data.len = 0;
    if (f->msg->depth + 1 > DEPTH_LIMIT) {
        f->gas_left += gas;
        push(f, u256_zero());
        return;
    }
    size_t code_len;
    const uint8_t *code = state_get_code(f->evm->state, code_address, &code_len);
    struct evm_message child = {
        .caller = *caller,
        .target = *to,
        .code_address = *code_address,
        .value = *value,
        .data = memory_at(f, &a->regions_off[0], &a->regions_len[0]),
        .data_len = (size_t)u256_clamp_u64(&a->regions_len[0], UINT64_MAX),
        .code = code,
        .code_len = code_len,
        .gas = gas,
        .depth = f->msg->depth + 1,
        .is_create = false,
        .is_static = is_static || f->msg->is_static,
        .should_transfer_value = transfer,
    };
    struct evm_frame *c = process_message(f->evm, &child);
    incorporate_child(f, c);
    bytes_assign(&f->return_data, c->output.data, c->output.len);
    push(f, u256_from_u64(status_is_error(c->status) ? 0 : 1));
    uint64_t out_len = u256_clamp_u64(&a->regions_len[1], c->output.len);
    if (out_len)
        memcpy(f->memory.data + u256_low64(&a->regions_off[1]), c->output.data, (size_t)out_len);
}

/* CALL and CALLCODE differ in whose account runs the code. */
static void value_call(struct evm_frame *f, bool is_callcode)
{
    struct call_args a;
    pop_call_args(f, &a, true);
    struct evm_state *st = f->evm->state;
    uint64_t extra = access_cost(f, &a.to);
    bool has_value = !u256_is_zero(&a.value);
    if (!is_callcode && has_value && !state_account_is_alive(st, &a.to))
        extra += GAS_NEW_ACCOUNT;
    if (has_value)
        extra += GAS_CALL_VALUE;
    uint64_t gas;
    if (!charge_call(f, &a, extra, &gas))
        return;
    if (!is_callcode && f->msg->is_static && has_value) {
        f->status = EVM_ERR_WRITE_IN_STATIC;
        return;
    }
    if (has_value)
        gas += GAS_CALL_STIPEND;
    u256 balance = state_get_balance(st, &f->msg->target);
    if (u256_lt(&balance, &a.value)) {
        push(f, u256_zero());
        f->return_data.len = 0;
        f->gas_left += gas;
        return;
    }
    const evm_address *to = is_callcode ? &f->msg->target : &a.to;
    generic_call(f, gas, &a.value, &f->msg->target, to, &a.to, true, false, &a);
}

void op_call(struct evm_frame *f)
{
    value_call(f, false);
}

void op_callcode(struct evm_frame *f)
{
    value_call(f, true);
}

void op_delegatecall(struct evm_frame *f)
{
    struct call_args a;
    pop_call_args(f, &a, false);
    uint64_t gas;
    if (!charge_call(f, &a, access_cost(f, &a.to), &gas))
        return;
    generic_call(f, gas, &f->msg->value, &f->msg->caller, &f->msg->target, &a.to, false, false,
                 &a);
}

void op_staticcall(struct evm_frame *f)
{
    struct call_args a;
    pop_call_args(f, &a, false);
    uint64_t gas;
    if (!charge_call(f, &a, access_cost(f, &a.to), &gas))
        return;
    u256 zero = u256_zero();
    generic_call(f, gas, &zero, &f->msg->target, &a.to, &a.to, true, true, &a);
}

/* RETURN and REVERT: the frame's output is a memory region. */
static void set_output(struct evm_frame *f, int status)
{
    u256 offset = pop(f), size = pop(f);
    if (!charge_memory(f, &offset, &size, 1, 0))
        return;
    bytes_assign(&f->output, memory_at(f, &offset, &size),
                 (size_t)u256_clamp_u64(&size, UINT64_MAX));
    f->status = status;
}

void op_return(struct evm_frame *f)
{
    set_output(f, EVM_STOPPED);
}

void op_revert(struct evm_frame *f)
{
    set_output(f, EVM_REVERTED);
}

void op_selfdestruct(struct evm_frame *f)
{
    u256 w = pop(f);
    evm_address beneficiary = word_to_address(&w);
    struct evm_state *st = f->evm->state;
    const evm_address *self = &f->msg->target;
    uint64_t gas_cost = GAS_SELF_DESTRUCT;
    if (!state_warm_address(st, &beneficiary))
        gas_cost += GAS_COLD_ACCOUNT_ACCESS;
    u256 balance = state_get_balance(st, self);
    if (!state_account_is_alive(st, &beneficiary) && !u256_is_zero(&balance))
        gas_cost += GAS_SELF_DESTRUCT_NEW_ACCOUNT;
    if (!charge_gas(f, gas_cost))
        return;
    if (f->msg->is_static) {
        f->status = EVM_ERR_WRITE_IN_STATIC;
        return;
    }
    /* Move the whole balance; to itself it stays unless the account goes. */
    u256 zero = u256_zero();
    state_set_balance(st, self, &zero);
    u256 target_balance = state_get_balance(st, &beneficiary);
    target_balance = u256_add(&target_balance, &balance);
    state_set_balance(st, &beneficiary, &target_balance);
    /* Only a contract created in this same transaction is really removed. */
    if (state_is_created(st, self)) {
        state_set_balance(st, self, &zero);
        state_mark_for_deletion(st, self);
    }
    state_touch(st, &beneficiary);
    f->status = EVM_STOPPED;
}
