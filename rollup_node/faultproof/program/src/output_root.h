/*
 * output_root.h - output roots (SPEC §4):
 * keccak(bytes32(0) ‖ stateRoot ‖ messagePasserStorageRoot ‖ blockHash).
 */
#ifndef OUTPUT_ROOT_H
#define OUTPUT_ROOT_H

#include <stdint.h>

typedef struct {
    uint8_t state_root[32];
    uint8_t message_passer_storage_root[32];
    uint8_t block_hash[32];
} output;

void output_root(const output *o, uint8_t out[32]);
/* Read an output root's preimage through the oracle; panics unless it is
 * the 128-byte version-0 encoding. */
void output_read(const uint8_t root[32], output *out);

#endif
