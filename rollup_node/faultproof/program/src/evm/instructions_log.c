/*
 * instructions_log.c - LOG0 .. LOG4.
 */
#include "gas.h"
#include "instructions.h"

void op_log(struct evm_frame *f)
{
    unsigned topic_count = f->msg->code[f->pc - 1] - 0xa0;
    u256 offset = pop(f), size = pop(f);
    uint8_t topics[4][32];
    for (unsigned i = 0; i < topic_count; i++) {
        u256 t = pop(f);
        u256_to_be(&t, topics[i]);
    }
    if (!u256_fits_u64(&size)) {
        f->status = EVM_ERR_OUT_OF_GAS;
        return;
    }
    uint64_t len = u256_low64(&size);
    /* len is below 2^32 once memory is charged, so the product cannot wrap */
    if (len >= ((uint64_t)1 << 32)) {
        f->status = EVM_ERR_OUT_OF_GAS;
        return;
    }
    if (!charge_memory(f, &offset, &size, 1,
                       GAS_LOG_DATA * len + GAS_LOG_TOPIC * (uint64_t)topic_count))
        return;
    if (f->msg->is_static) {
        f->status = EVM_ERR_WRITE_IN_STATIC;
        return;
    }
    state_add_log(f->evm->state, &f->msg->target, (const uint8_t(*)[32])topics, topic_count,
                  memory_at(f, &offset, &size), (size_t)len);
}
