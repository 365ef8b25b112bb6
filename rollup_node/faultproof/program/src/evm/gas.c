/*
 * gas.c - charging gas, memory expansion and the helpers shared by the
 * instructions that size their cost by data length.
 */
#include "gas.h"
#include "vm.h"

/* Memory beyond 4 GiB would cost more than any block's gas. */
#define MEMORY_LIMIT ((uint64_t)1 << 32)

bool charge_gas(struct evm_frame *f, uint64_t amount)
{
    if (f->gas_left < amount) {
        f->status = EVM_ERR_OUT_OF_GAS;
        return false;
    }
    f->gas_left -= amount;
    return true;
}

uint64_t words(uint64_t bytes)
{
    return (bytes + 31) / 32;
}

static uint64_t memory_cost(uint64_t size_in_bytes)
{
    uint64_t w = words(size_in_bytes);
    return GAS_MEMORY * w + (w * w) / 512;
}

bool memory_expansion_cost(const struct evm_frame *f, const u256 *offsets, const u256 *sizes,
                           unsigned regions, uint64_t *cost, uint64_t *new_size)
{
    uint64_t size = f->memory.len;
    for (unsigned i = 0; i < regions; i++) {
        if (u256_is_zero(&sizes[i]))
            continue;
        if (!u256_fits_u64(&offsets[i]) || !u256_fits_u64(&sizes[i]))
            return false;
        uint64_t off = u256_low64(&offsets[i]), len = u256_low64(&sizes[i]);
        if (off >= MEMORY_LIMIT || len >= MEMORY_LIMIT || off + len > MEMORY_LIMIT)
            return false;
        uint64_t end = words(off + len) * 32;
        if (end > size)
            size = end;
    }
    *cost = size > f->memory.len ? memory_cost(size) - memory_cost(f->memory.len) : 0;
    *new_size = size;
    return true;
}

bool charge_memory(struct evm_frame *f, const u256 *offsets, const u256 *sizes,
                   unsigned regions, uint64_t extra)
{
    uint64_t cost, new_size;
    if (!memory_expansion_cost(f, offsets, sizes, regions, &cost, &new_size)) {
        f->status = EVM_ERR_OUT_OF_GAS;
        return false;
    }
    if (!charge_gas(f, cost) || !charge_gas(f, extra))
        return false;
    if (new_size > f->memory.len)
        bytes_resize(&f->memory, (size_t)new_size);
    return true;
}

uint64_t init_code_cost(uint64_t size)
{
    return GAS_INIT_CODE_WORD_COST * words(size);
}

uint64_t max_message_call_gas(uint64_t gas)
{
    return gas - gas / 64;
}
