/*
 * ctc.c - CTC storage reads (see ctc.h).
 */
#include "ctc.h"

#include "account.h"
#include "fp_libc.h"
#include "oracle.h"

enum {
    SLOT_QUEUE = 0,
    SLOT_QUEUE_GAS_PREFIX = 2,
    SLOT_BATCHES = 3,
    SLOT_TOTAL_BLOCKS = 4,
    BATCH_SLOTS = 8,
};

void ctc_open(ctc_view *v, const uint8_t l1_hash[32], const block_header *l1,
              const uint8_t address[20]) {
    memcpy(v->l1_block_hash, l1_hash, 32);
    memcpy(v->address, address, 20);
    uint8_t arg[52];
    memcpy(arg, l1_hash, 32);
    memcpy(arg + 32, address, 20);
    hint("l1-account", arg, sizeof arg);
    mpt state;
    account acc;
    mpt_init(&state, l1->state_root, oracle_mpt_node, NULL);
    if (!account_read(&state, address, &acc)) fp_panic("no CTC account at the L1 head");
    mpt_free(&state);
    mpt_init(&v->storage, acc.storage_root, oracle_mpt_node, NULL);
}

void ctc_close(ctc_view *v) { mpt_free(&v->storage); }

static void read_slot(ctc_view *v, const uint8_t slot[32], uint8_t value[32]) {
    uint8_t arg[84];
    memcpy(arg, v->l1_block_hash, 32);
    memcpy(arg + 32, v->address, 20);
    memcpy(arg + 52, slot, 32);
    hint("l1-storage", arg, sizeof arg);
    storage_read(&v->storage, slot, value);
}

/* A slot holding a count, index or block number: must fit 64 bits. */
static uint64_t read_u64(ctc_view *v, const uint8_t slot[32]) {
    uint8_t value[32];
    read_slot(v, slot, value);
    for (int i = 0; i < 24; i++)
        if (value[i]) fp_panic("CTC value beyond 64 bits");
    return fp_be64(value + 24);
}

static void element_slot(uint64_t array_slot, uint64_t index, uint64_t width, uint64_t field,
                         uint8_t out[32]) {
    array_data_slot(array_slot, out);
    slot_add(out, index * width + field);
}

uint64_t ctc_total_blocks(ctc_view *v) {
    uint8_t slot[32];
    slot_of(SLOT_TOTAL_BLOCKS, slot);
    return read_u64(v, slot);
}

uint64_t ctc_batch_count(ctc_view *v) {
    uint8_t slot[32];
    slot_of(SLOT_BATCHES, slot);
    return read_u64(v, slot);
}

static uint64_t batch_u64(ctc_view *v, uint64_t index, uint64_t field) {
    uint8_t slot[32];
    element_slot(SLOT_BATCHES, index, BATCH_SLOTS, field, slot);
    return read_u64(v, slot);
}

void ctc_read_batch(ctc_view *v, uint64_t index, ctc_batch *out) {
    uint8_t slot[32];
    element_slot(SLOT_BATCHES, index, BATCH_SLOTS, 0, slot);
    read_slot(v, slot, out->batch_data_hash);
    out->prev_total_blocks = batch_u64(v, index, 1);
    out->num_blocks = batch_u64(v, index, 2);
    out->prev_queue_index = batch_u64(v, index, 3);
    out->queue_index_after = batch_u64(v, index, 4);
    out->l1_block_number = batch_u64(v, index, 5);
    element_slot(SLOT_BATCHES, index, BATCH_SLOTS, 6, slot);
    read_slot(v, slot, out->l1_parent_hash);
    uint64_t forced = batch_u64(v, index, 7);
    if (forced > 1) fp_panic("CTC batch flag is not a bool");
    out->forced = (int)forced;
}

uint64_t ctc_find_batch(ctc_view *v, uint64_t n, ctc_batch *out) {
    /* the last batch with prevTotalBlocks < n: prevTotalBlocks is increasing */
    uint64_t lo = 0, hi = ctc_batch_count(v);
    if (hi == 0) fp_panic("CTC has no batches");
    while (hi - lo > 1) {
        uint64_t mid = lo + (hi - lo) / 2;
        if (batch_u64(v, mid, 1) < n)
            lo = mid;
        else
            hi = mid;
    }
    ctc_read_batch(v, lo, out);
    if (!(out->prev_total_blocks < n && n <= out->prev_total_blocks + out->num_blocks))
        fp_panic("CTC batches do not cover the block");
    return lo;
}

void ctc_queue_element(ctc_view *v, uint64_t index, uint8_t hash[32]) {
    uint8_t slot[32];
    element_slot(SLOT_QUEUE, index, 1, 0, slot);
    read_slot(v, slot, hash);
}

uint64_t ctc_queue_gas_prefix(ctc_view *v, uint64_t index) {
    uint8_t slot[32];
    element_slot(SLOT_QUEUE_GAS_PREFIX, index, 1, 0, slot);
    return read_u64(v, slot);
}
