/*
 * derive.h - the derivation of one L2 block from L1 (SPEC §6), as the
 * fault-proof program needs it: block n, given the CTC at the L1 head and
 * the parent's L1 origin and sequence number.
 *
 * The result lists the block's transactions in execution order: the L1-info
 * deposit, the user deposits (0x7E encodings), then the sequenced
 * transactions of the batch. Sequenced transactions are passed on as the
 * batch carries them, except that deposit-typed ones are dropped here (only
 * derivation makes deposits, SPEC §3.1); the executor drops the others that
 * are invalid at their position (§6.4).
 */
#ifndef DERIVE_H
#define DERIVE_H

#include <stddef.h>
#include <stdint.h>

#include "ctc.h"
#include "deposit.h"
#include "rlp.h"
#include "rollup_config.h"

/* The parent's L1 origin and sequence number (L1Block predeploy, SPEC §3.3a). */
typedef struct {
    uint64_t origin_number;
    uint8_t origin_hash[32];
    uint64_t sequence_number;
} parent_l1_info;

typedef struct {
    const uint8_t *data;
    size_t len;
} tx_bytes;

typedef struct {
    uint64_t number;
    uint64_t timestamp;
    l1_origin origin;
    uint64_t sequence_number;
    int fallback;        /* rule 3: parent's origin, deposits only */
    int batch_malformed; /* rule 1 */
    rlp_buf *deposits; /* one encoding each: the L1-info deposit, then user deposits */
    size_t deposit_count;
    tx_bytes *txs; /* sequenced transactions, pointing into batch_data */
    size_t tx_count;
    uint8_t *batch_data;
} derived_block;

#define DERIVE_OK 0
#define DERIVE_NOT_DERIVABLE 1

/* Derive block n (>= 1). Returns DERIVE_NOT_DERIVABLE when the CTC at the L1
 * head does not yet hold block n. Panics on inputs that contradict their own
 * commitments (they cannot occur with honest preimages). */
int derive_block(const rollup_config *cfg, ctc_view *ctc, uint64_t n, const parent_l1_info *parent,
                 derived_block *out);
void derived_block_free(derived_block *b);

#endif
