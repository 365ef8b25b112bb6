/*
 * main.c - the fault-proof program (SPEC §10).
 *
 * Trusting only its local inputs (SPEC §9) and what it verifies, it
 *  1. reads the pre-state output root's preimage and the parent L2 header;
 *  2. reads the L1 head header and, through L1 state and storage proofs, the
 *     CTC's batches and queue, and derives block n (SPEC §6, derive.c);
 *  3. executes the block on the pre-state (SPEC §3, src/evm/);
 *  4. computes the output root (SPEC §4) and exits 0 if it equals the
 *     disputed one, 1 if not, or if block n is not derivable at the L1 head.
 * Anything inconsistent with the inputs' own commitments is a panic (exit 2).
 */
#include "block_header.h"
#include "evm/evm.h"
#include "fp_libc.h"
#include "keccak.h"
#include "oracle.h"
#include "output_root.h"
#include "program.h"

static const uint8_t SEQUENCER_FEE_VAULT[20] = {0x42, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                                0,    0, 0, 0, 0, 0, 0, 0, 0, 0x11};
static const uint8_t L1_FEE_VAULT[20] = {0x42, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                         0,    0, 0, 0, 0, 0, 0, 0, 0, 0x1a};

/* BLOCKHASH of the 256 blocks before this one: the parent's hash, then
 * parent hashes read from the L2 headers, fetched once each, on demand. */
typedef struct {
    uint64_t parent_number;
    size_t known; /* hashes[0..known) are blocks parent_number, parent_number - 1, ... */
    uint8_t hashes[257][32];
    uint8_t next_parent_hash[32]; /* parent hash of the oldest known block */
} l2_ancestry;

static void l2_block_hash(void *ctx, uint64_t number, uint8_t out[32]) {
    l2_ancestry *a = ctx;
    if (number > a->parent_number || a->parent_number - number > 256)
        fp_panic("BLOCKHASH outside the last 256 blocks");
    size_t distance = (size_t)(a->parent_number - number);
    while (a->known <= distance) {
        block_header h;
        memcpy(a->hashes[a->known++], a->next_parent_hash, 32);
        block_header_fetch("l2-header", a->next_parent_hash, &h);
        memcpy(a->next_parent_hash, h.parent_hash, 32);
    }
    memcpy(out, a->hashes[distance], 32);
}

static void report(const char *name, const uint8_t value[32]) {
    fp_puts(FP_FD_STDERR, name);
    fp_puts(FP_FD_STDERR, " ");
    fp_put_hex(FP_FD_STDERR, value, 32);
    fp_puts(FP_FD_STDERR, "\n");
}

static void execute(const rollup_config *cfg, const block_header *parent,
                    const uint8_t parent_hash[32], const derived_block *d, output *out) {
    static l2_ancestry ancestry;
    ancestry.parent_number = parent->number;
    ancestry.known = 1;
    memcpy(ancestry.hashes[0], parent_hash, 32);
    memcpy(ancestry.next_parent_hash, parent->parent_hash, 32);

    block_header h;
    memset(&h, 0, sizeof h);
    memcpy(h.parent_hash, parent_hash, 32);
    memcpy(h.coinbase, SEQUENCER_FEE_VAULT, 20);
    h.number = d->number;
    h.gas_limit = cfg->l2_gas_limit;
    h.timestamp = d->timestamp;
    memcpy(h.mix_hash, d->origin.mix_hash, 32);
    next_base_fee(parent, h.base_fee);

    struct evm_block_env env;
    memset(&env, 0, sizeof env);
    memcpy(env.coinbase.bytes, SEQUENCER_FEE_VAULT, 20);
    env.number = h.number;
    env.timestamp = h.timestamp;
    env.gas_limit = h.gas_limit;
    env.chain_id = cfg->l2_chain_id;
    env.base_fee = u256_from_be(h.base_fee, 32);
    memcpy(env.prev_randao, h.mix_hash, 32);
    env.blob_base_fee = u256_from_u64(1);
    env.block_hash = l2_block_hash;
    env.block_hash_ctx = &ancestry;
    env.l1_fee_enabled = true;
    env.l1_base_fee = u256_from_be(d->origin.base_fee, 32);
    env.l1_fee_overhead = cfg->l1_fee_overhead;
    env.l1_fee_scalar = cfg->l1_fee_scalar;
    memcpy(env.l1_fee_vault.bytes, L1_FEE_VAULT, 20);

    struct evm_block *b = evm_block_begin(parent->state_root, oracle_l2_node, NULL, &env);
    struct evm_tx_outcome outcome;
    for (size_t i = 0; i < d->deposit_count; i++) {
        evm_block_apply(b, d->deposits[i].data, d->deposits[i].len, &outcome);
        if (outcome.error != EVM_TX_OK) fp_panic("a deposit was rejected");
    }
    for (size_t i = 0; i < d->tx_count; i++)
        evm_block_apply(b, d->txs[i].data, d->txs[i].len, &outcome); /* invalid: dropped */

    struct evm_block_result r;
    evm_block_finish(b, &r);
    memcpy(h.state_root, r.state_root, 32);
    memcpy(h.transactions_root, r.transactions_root, 32);
    memcpy(h.receipts_root, r.receipts_root, 32);
    memcpy(h.logs_bloom, r.logs_bloom, 256);
    h.gas_used = r.gas_used;
    report("transactions root", h.transactions_root);
    report("receipts root", h.receipts_root);
    fp_puts(FP_FD_STDERR, "gas used ");
    fp_put_u64(FP_FD_STDERR, h.gas_used);
    fp_puts(FP_FD_STDERR, "\n");
    memcpy(out->state_root, r.state_root, 32);
    memcpy(out->message_passer_storage_root, r.message_passer_storage_root, 32);
    l2_header_hash(&h, out->block_hash);
}

int main(int argc, char **argv) {
    (void)argc;
    (void)argv;
    static program_inputs p;
    program_derive(&p);
    if (!p.derivable) {
        fp_puts(FP_FD_STDERR, "block not derivable at the L1 head\n");
        return FP_EXIT_INVALID;
    }
    output post;
    uint8_t root[32];
    execute(&p.cfg, &p.parent, p.pre.block_hash, &p.block, &post);
    derived_block_free(&p.block);
    output_root(&post, root);
    report("state root", post.state_root);
    report("message passer storage root", post.message_passer_storage_root);
    report("block hash", post.block_hash);
    report("output root", root);
    fp_puts(FP_FD_STDERR, "keccak-f permutations ");
    fp_put_u64(FP_FD_STDERR, keccak_permutation_count());
    fp_puts(FP_FD_STDERR, "\n");
    return memcmp(root, p.disputed_root, 32) == 0 ? FP_EXIT_VALID : FP_EXIT_INVALID;
}
