/*
 * instructions_storage.c - SLOAD, SSTORE (net metering with refunds, cold and
 * warm slots), TLOAD, TSTORE.
 */
#include "gas.h"
#include "instructions.h"

void op_sload(struct evm_frame *f)
{
    u256 *key = peek(f, 0);
    bool warm = state_warm_slot(f->evm->state, &f->msg->target, key);
    if (!charge_gas(f, warm ? GAS_WARM_ACCESS : GAS_COLD_SLOAD))
        return;
    *key = state_get_storage(f->evm->state, &f->msg->target, key);
}

void op_sstore(struct evm_frame *f)
{
    u256 key = pop(f), new_value = pop(f);
    struct evm_state *st = f->evm->state;
    const evm_address *a = &f->msg->target;
    /* A call with only the stipend left may not write storage. */
    if (f->gas_left <= GAS_CALL_STIPEND) {
        f->status = EVM_ERR_OUT_OF_GAS;
        return;
    }
    u256 original = state_get_original_storage(st, a, &key);
    u256 current = state_get_storage(st, a, &key);

    uint64_t gas_cost = 0;
    if (!state_warm_slot(st, a, &key))
        gas_cost += GAS_COLD_SLOAD;
    if (u256_eq(&original, &current) && !u256_eq(&current, &new_value)) {
        if (u256_is_zero(&original))
            gas_cost += GAS_STORAGE_SET;
        else
            gas_cost += GAS_STORAGE_UPDATE - GAS_COLD_SLOAD;
    } else {
        gas_cost += GAS_WARM_ACCESS;
    }

    if (!u256_eq(&current, &new_value)) {
        if (!u256_is_zero(&original) && !u256_is_zero(&current) && u256_is_zero(&new_value))
            f->refund += GAS_STORAGE_CLEAR_REFUND;
        if (!u256_is_zero(&original) && u256_is_zero(&current))
            f->refund -= GAS_STORAGE_CLEAR_REFUND;
        if (u256_eq(&original, &new_value)) {
            if (u256_is_zero(&original))
                f->refund += GAS_STORAGE_SET - GAS_WARM_ACCESS;
            else
                f->refund += GAS_STORAGE_UPDATE - GAS_COLD_SLOAD - GAS_WARM_ACCESS;
        }
    }

    if (!charge_gas(f, gas_cost))
        return;
    if (f->msg->is_static) {
        f->status = EVM_ERR_WRITE_IN_STATIC;
        return;
    }
    state_set_storage(st, a, &key, &new_value);
}

void op_tload(struct evm_frame *f)
{
    u256 *key = peek(f, 0);
    *key = state_get_transient(f->evm->state, &f->msg->target, key);
}

void op_tstore(struct evm_frame *f)
{
    u256 key = pop(f), value = pop(f);
    if (f->msg->is_static) {
        f->status = EVM_ERR_WRITE_IN_STATIC;
        return;
    }
    state_set_transient(f->evm->state, &f->msg->target, &key, &value);
}
