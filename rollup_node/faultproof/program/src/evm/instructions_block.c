/*
 * instructions_block.c - BLOCKHASH and the block environment opcodes.
 */
#include "instructions.h"

void op_blockhash(struct evm_frame *f)
{
    u256 *n = peek(f, 0);
    const struct evm_block_env *b = f->evm->block;
    /* Only the 256 most recent ancestors are visible. */
    if (!u256_fits_u64(n) || u256_low64(n) >= b->number || b->number - u256_low64(n) > 256) {
        *n = u256_zero();
        return;
    }
    uint8_t h[32];
    b->block_hash(b->block_hash_ctx, u256_low64(n), h);
    *n = u256_from_be(h, 32);
}

void op_coinbase(struct evm_frame *f)
{
    push(f, address_to_word(&f->evm->block->coinbase));
}

void op_timestamp(struct evm_frame *f)
{
    push(f, u256_from_u64(f->evm->block->timestamp));
}

void op_number(struct evm_frame *f)
{
    push(f, u256_from_u64(f->evm->block->number));
}

void op_prevrandao(struct evm_frame *f)
{
    push(f, u256_from_be(f->evm->block->prev_randao, 32));
}

void op_gaslimit(struct evm_frame *f)
{
    push(f, u256_from_u64(f->evm->block->gas_limit));
}

void op_chainid(struct evm_frame *f)
{
    push(f, u256_from_u64(f->evm->block->chain_id));
}

void op_basefee(struct evm_frame *f)
{
    push(f, f->evm->block->base_fee);
}

void op_blobbasefee(struct evm_frame *f)
{
    push(f, f->evm->block->blob_base_fee);
}
