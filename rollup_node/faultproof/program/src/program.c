/*
 * program.c - SPEC §10 steps 1–2 (see program.h).
 */
#include "program.h"

#include "account.h"
#include "ctc.h"
#include "fp_libc.h"
#include "mpt.h"
#include "oracle.h"

static const uint8_t L1_BLOCK_PREDEPLOY[20] = {0x42, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                               0,    0, 0, 0, 0, 0, 0, 0, 0, 0x15};

/* L1Block predeploy slots (docs/protocol.md). */
enum { L1_BLOCK_SLOT_NUMBER = 0, L1_BLOCK_SLOT_HASH = 3, L1_BLOCK_SLOT_SEQUENCE = 4 };

static uint64_t word_u64(const uint8_t word[32]) {
    for (int i = 0; i < 24; i++)
        if (word[i]) fp_panic("L1Block value beyond 64 bits");
    return fp_be64(word + 24);
}

/* The parent's L1 origin and sequence number from the L1Block predeploy. */
static void read_parent_l1_info(const uint8_t state_root[32], parent_l1_info *out) {
    mpt state, storage;
    account acc;
    uint8_t slot[32], value[32];
    mpt_init(&state, state_root, oracle_l2_node, NULL);
    if (!account_read(&state, L1_BLOCK_PREDEPLOY, &acc)) fp_panic("no L1Block predeploy");
    mpt_free(&state);
    mpt_init(&storage, acc.storage_root, oracle_l2_node, NULL);
    slot_of(L1_BLOCK_SLOT_NUMBER, slot);
    storage_read(&storage, slot, value);
    out->origin_number = word_u64(value);
    slot_of(L1_BLOCK_SLOT_HASH, slot);
    storage_read(&storage, slot, out->origin_hash);
    slot_of(L1_BLOCK_SLOT_SEQUENCE, slot);
    storage_read(&storage, slot, value);
    out->sequence_number = word_u64(value);
    mpt_free(&storage);
}

void program_derive(program_inputs *p) {
    uint8_t l1_head_hash[32], pre_root[32], config_hash[32];
    preimage_local_bytes32(LOCAL_L1_HEAD_HASH, l1_head_hash);
    preimage_local_bytes32(LOCAL_PRE_OUTPUT_ROOT, pre_root);
    preimage_local_bytes32(LOCAL_DISPUTED_OUTPUT_ROOT, p->disputed_root);
    p->n = preimage_local_u64(LOCAL_L2_BLOCK_NUMBER);
    uint64_t chain_id = preimage_local_u64(LOCAL_L2_CHAIN_ID);
    preimage_local_bytes32(LOCAL_CONSENSUS_CONFIG_HASH, config_hash);

    size_t len;
    hint_hash("rollup-config", config_hash);
    uint8_t *config_data = preimage_keccak(config_hash, &len);
    if (rollup_config_decode(config_data, len, &p->cfg)) fp_panic("consensus config malformed");
    free(config_data);
    if (p->cfg.l2_chain_id != chain_id) fp_panic("chain id disagrees with the consensus config");
    if (p->n == 0) fp_panic("block 0 is genesis, not disputable");

    /* 1. the agreed parent */
    output_read(pre_root, &p->pre);
    block_header_fetch("l2-header", p->pre.block_hash, &p->parent);
    if (p->parent.number != p->n - 1 || memcmp(p->parent.state_root, p->pre.state_root, 32) != 0)
        fp_panic("pre-state output root does not match its block");
    read_parent_l1_info(p->pre.state_root, &p->parent_info);

    /* 2. the L1 head, the CTC and derivation */
    block_header l1_head;
    block_header_fetch("l1-header", l1_head_hash, &l1_head);
    ctc_view ctc;
    ctc_open(&ctc, l1_head_hash, &l1_head, p->cfg.canonical_transaction_chain);
    p->derivable = derive_block(&p->cfg, &ctc, p->n, &p->parent_info, &p->block) == DERIVE_OK;
    ctc_close(&ctc);
}
