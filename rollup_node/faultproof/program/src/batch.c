/*
 * batch.c - strict batch decoding (see batch.h).
 */
#include "batch.h"

#include "fp_libc.h"

#define BATCH_VERSION_RLP 0

static int decode_block(const rlp_item *item, batch_block *out) {
    rlp_item f[3];
    if (rlp_list_exact(item, f, 3) || rlp_get_u64(&f[0], &out->l1_origin_number) ||
        rlp_get_u64(&f[1], &out->num_deposits) || !f[2].is_list)
        return -1;
    rlp_iter it;
    rlp_item tx;
    int r;
    rlp_iter_init(&it, &f[2]);
    while ((r = rlp_iter_next(&it, &tx)) == 1)
        if (tx.is_list) return -1;
    if (r != 0) return -1;
    out->txs = f[2];
    return 0;
}

int batch_decode(const uint8_t *data, size_t len, batch_block **blocks, size_t *count) {
    rlp_item list;
    if (len < 1 || data[0] != BATCH_VERSION_RLP) return -1;
    if (rlp_decode(data + 1, len - 1, &list) || !list.is_list) return -1;
    long n = rlp_list_count(&list);
    if (n < 0) return -1;
    batch_block *out = malloc((size_t)n * sizeof *out);
    rlp_iter it;
    rlp_item item;
    rlp_iter_init(&it, &list);
    for (long i = 0; i < n; i++) {
        if (rlp_iter_next(&it, &item) != 1 || decode_block(&item, &out[i])) {
            free(out);
            return -1;
        }
    }
    *blocks = out;
    *count = (size_t)n;
    return 0;
}
