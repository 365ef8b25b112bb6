/*
 * output_root.c - output roots (see output_root.h).
 */
#include "output_root.h"

#include "fp_libc.h"
#include "keccak.h"
#include "oracle.h"

#define OUTPUT_LEN 128

void output_root(const output *o, uint8_t out[32]) {
    uint8_t buf[OUTPUT_LEN] = {0};
    memcpy(buf + 32, o->state_root, 32);
    memcpy(buf + 64, o->message_passer_storage_root, 32);
    memcpy(buf + 96, o->block_hash, 32);
    keccak256(buf, sizeof buf, out);
}

void output_read(const uint8_t root[32], output *out) {
    static const uint8_t version0[32] = {0};
    size_t len;
    hint_hash("l2-output", root);
    uint8_t *data = preimage_keccak(root, &len);
    if (len != OUTPUT_LEN || memcmp(data, version0, 32) != 0)
        fp_panic("output root preimage malformed");
    memcpy(out->state_root, data + 32, 32);
    memcpy(out->message_passer_storage_root, data + 64, 32);
    memcpy(out->block_hash, data + 96, 32);
    free(data);
}
