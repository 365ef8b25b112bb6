/*
 * instructions_memory.c - MLOAD, MSTORE, MSTORE8, MSIZE, MCOPY, KECCAK256.
 */
#include "../keccak.h"
#include "gas.h"
#include "instructions.h"

void op_mload(struct evm_frame *f)
{
    u256 offset = pop(f), size = u256_from_u64(32);
    if (!charge_memory(f, &offset, &size, 1, 0))
        return;
    push(f, u256_from_be(memory_at(f, &offset, &size), 32));
}

void op_mstore(struct evm_frame *f)
{
    u256 offset = pop(f), value = pop(f), size = u256_from_u64(32);
    if (!charge_memory(f, &offset, &size, 1, 0))
        return;
    u256_to_be(&value, f->memory.data + u256_low64(&offset));
}

void op_mstore8(struct evm_frame *f)
{
    u256 offset = pop(f), value = pop(f), size = u256_from_u64(1);
    if (!charge_memory(f, &offset, &size, 1, 0))
        return;
    f->memory.data[u256_low64(&offset)] = (uint8_t)value.w[0];
}

void op_msize(struct evm_frame *f)
{
    push(f, u256_from_u64(f->memory.len));
}

void op_mcopy(struct evm_frame *f)
{
    u256 regions_off[2], regions_len[2];
    regions_off[0] = pop(f); /* destination */
    regions_off[1] = pop(f); /* source */
    regions_len[0] = regions_len[1] = pop(f);
    uint64_t len = u256_clamp_u64(&regions_len[0], UINT64_MAX);
    if (!u256_fits_u64(&regions_len[0])) {
        f->status = EVM_ERR_OUT_OF_GAS;
        return;
    }
    if (!charge_memory(f, regions_off, regions_len, 2, GAS_COPY * words(len)))
        return;
    if (len)
        memmove(f->memory.data + u256_low64(&regions_off[0]),
                f->memory.data + u256_low64(&regions_off[1]), (size_t)len);
}

void op_keccak256(struct evm_frame *f)
{
    u256 offset = pop(f), size = pop(f);
    if (!u256_fits_u64(&size)) {
        f->status = EVM_ERR_OUT_OF_GAS;
        return;
    }
    if (!charge_memory(f, &offset, &size, 1, GAS_KECCAK256_WORD * words(u256_low64(&size))))
        return;
    uint8_t digest[32];
    keccak256(memory_at(f, &offset, &size), (size_t)u256_low64(&size), digest);
    push(f, u256_from_be(digest, 32));
}
