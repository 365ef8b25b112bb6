/*
 * derive.c - SPEC §6 for one block (see derive.h).
 */
#include "derive.h"

#include "batch.h"
#include "block_header.h"
#include "fp_libc.h"
#include "keccak.h"
#include "oracle.h"

/* The half-open range of queue indices a block consumes. */
typedef struct {
    uint64_t first;
    uint64_t end;
} queue_range;

static void fetch_origin_by_hash(const uint8_t hash[32], l1_origin *out) {
    block_header h;
    block_header_fetch("l1-header", hash, &h);
    out->number = h.number;
    out->timestamp = h.timestamp;
    memcpy(out->base_fee, h.base_fee, 32);
    memcpy(out->hash, hash, 32);
    memcpy(out->mix_hash, h.mix_hash, 32);
}

/* Walk back from L1 block `from` (hash given) to block number `target`. */
static void fetch_origin_by_number(const uint8_t from_hash[32], uint64_t target, l1_origin *out) {
    uint8_t hash[32];
    memcpy(hash, from_hash, 32);
    for (;;) {
        block_header h;
        block_header_fetch("l1-header", hash, &h);
        if (h.number < target) fp_panic("L1 header walk passed its target");
        if (h.number == target) {
            out->number = h.number;
            out->timestamp = h.timestamp;
            memcpy(out->base_fee, h.base_fee, 32);
            memcpy(out->hash, hash, 32);
            memcpy(out->mix_hash, h.mix_hash, 32);
            return;
        }
        memcpy(hash, h.parent_hash, 32);
    }
}

/* Rule 1's fallback packing: block k of the batch takes, after the earlier
 * blocks, queue elements in order while their gas stays <= D. */
static queue_range pack_deposits(const rollup_config *cfg, ctc_view *ctc, const ctc_batch *b,
                                 uint64_t k) {
    queue_range r = {b->prev_queue_index, b->prev_queue_index};
    for (uint64_t j = 0; j <= k; j++) {
        r.first = r.end;
        uint64_t base = ctc_queue_gas_prefix(ctc, r.first);
        /* the largest end with prefix[end] - base <= D; prefix strictly increases */
        uint64_t lo = r.first, hi = b->queue_index_after;
        while (lo < hi) {
            uint64_t mid = lo + (hi - lo + 1) / 2;
            if (ctc_queue_gas_prefix(ctc, mid) - base <= cfg->deposit_gas_per_block)
                lo = mid;
            else
                hi = mid - 1;
        }
        r.end = lo;
    }
    return r;
}

/* Rule 1 for a decoded batch: the deposit counts add up and every block's
 * deposit gas is at most D. On success sets block k's queue range. */
static int batch_well_formed(const rollup_config *cfg, ctc_view *ctc, const ctc_batch *b,
                             const batch_block *blocks, size_t count, uint64_t k,
                             queue_range *range) {
    if (count != b->num_blocks) return 0;
    uint64_t total = b->queue_index_after - b->prev_queue_index, used = 0;
    for (size_t j = 0; j < count; j++) {
        if (blocks[j].num_deposits > total - used) return 0;
        used += blocks[j].num_deposits;
    }
    if (used != total) return 0;
    uint64_t start = b->prev_queue_index;
    uint64_t start_prefix = ctc_queue_gas_prefix(ctc, start);
    for (size_t j = 0; j < count; j++) {
        uint64_t end = start + blocks[j].num_deposits;
        uint64_t end_prefix = end == start ? start_prefix : ctc_queue_gas_prefix(ctc, end);
        if (end_prefix - start_prefix > cfg->deposit_gas_per_block) return 0;
        if (j == k) {
            range->first = start;
            range->end = end;
        }
        start = end;
        start_prefix = end_prefix;
    }
    return 1;
}

/* Fetch and encode the block's user deposits into out->deposits[1..];
 * returns the highest L1 block any of them was enqueued in (0 if none). */
static uint64_t add_user_deposits(ctc_view *ctc, queue_range r, derived_block *out) {
    uint64_t latest = 0;
    out->deposit_count = 1 + (size_t)(r.end - r.first);
    out->deposits = calloc(out->deposit_count, sizeof(rlp_buf));
    for (uint64_t i = r.first; i < r.end; i++) {
        uint8_t hash[32], arg[40];
        ctc_queue_element(ctc, i, hash);
        memcpy(arg, hash, 32);
        fp_put_be64(arg + 32, i);
        hint("l1-queue-element", arg, sizeof arg);
        size_t len;
        uint8_t *abi = preimage_keccak(hash, &len);
        queue_element e;
        if (queue_element_decode(abi, len, &e)) fp_panic("queue element does not decode");
        if (e.l1_block_number > latest) latest = e.l1_block_number;
        user_deposit_encode(&e, hash, i, &out->deposits[1 + (i - r.first)]);
        free(abi);
    }
    return latest;
}

/* Rule 2: is the declared origin acceptable for this block? */
static int origin_valid(const rollup_config *cfg, const ctc_batch *b, const parent_l1_info *parent,
                        uint64_t origin, uint64_t timestamp, uint64_t latest_deposit,
                        uint64_t deposit_count, l1_origin *out) {
    uint64_t p = b->l1_block_number - 1;
    if (origin < parent->origin_number || origin > p) return 0;
    if (origin + cfg->force_inclusion_blocks < b->l1_block_number) return 0;
    if (deposit_count && latest_deposit > origin) return 0;
    fetch_origin_by_number(b->l1_parent_hash, origin, out);
    return out->timestamp <= timestamp;
}

int derive_block(const rollup_config *cfg, ctc_view *ctc, uint64_t n, const parent_l1_info *parent,
                 derived_block *out) {
    memset(out, 0, sizeof *out);
    if (n > ctc_total_blocks(ctc)) return DERIVE_NOT_DERIVABLE;
    ctc_batch b;
    ctc_find_batch(ctc, n, &b);
    uint64_t k = n - b.prev_total_blocks - 1;
    out->number = n;
    out->timestamp = cfg->l2_genesis_timestamp + n * cfg->l2_block_time;

    queue_range range;
    batch_block *blocks = NULL;
    size_t count = 0;
    int declared = 0;
    if (b.forced) {
        range.first = b.prev_queue_index; /* rule 5 */
        range.end = b.queue_index_after;
    } else {
        uint8_t arg[40];
        memcpy(arg, b.batch_data_hash, 32);
        fp_put_be64(arg + 32, b.l1_block_number);
        hint("l1-batch-data", arg, sizeof arg);
        size_t len;
        out->batch_data = preimage_keccak(b.batch_data_hash, &len);
        if (batch_decode(out->batch_data, len, &blocks, &count) == 0 &&
            batch_well_formed(cfg, ctc, &b, blocks, count, k, &range)) {
            declared = 1;
        } else {
            out->batch_malformed = 1;
            range = pack_deposits(cfg, ctc, &b, k);
        }
    }
    uint64_t latest = add_user_deposits(ctc, range, out);

    if (declared && origin_valid(cfg, &b, parent, blocks[k].l1_origin_number, out->timestamp,
                                 latest, range.end - range.first, &out->origin)) {
        rlp_iter it;
        rlp_item tx;
        out->txs = malloc(((size_t)rlp_list_count(&blocks[k].txs) + 1) * sizeof(tx_bytes));
        rlp_iter_init(&it, &blocks[k].txs);
        while (rlp_iter_next(&it, &tx) == 1) {
            /* only derivation makes deposits (SPEC §3.1) */
            if (tx.payload_len > 0 && tx.payload[0] == 0x7e) continue;
            out->txs[out->tx_count].data = tx.payload;
            out->txs[out->tx_count].len = tx.payload_len;
            out->tx_count++;
        }
    } else {
        out->fallback = 1; /* rule 3 */
        fetch_origin_by_hash(parent->origin_hash, &out->origin);
    }
    free(blocks);

    out->sequence_number =
        out->origin.number != parent->origin_number ? 0 : parent->sequence_number + 1;
    l1_info_deposit_encode(&out->origin, out->sequence_number, n, &out->deposits[0]);
    return DERIVE_OK;
}

void derived_block_free(derived_block *b) {
    for (size_t i = 0; i < b->deposit_count; i++) rlp_buf_free(&b->deposits[i]);
    free(b->deposits);
    free(b->txs);
    free(b->batch_data);
}
