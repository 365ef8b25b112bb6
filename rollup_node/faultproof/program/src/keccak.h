/*
 * keccak.h - Keccak-256 (the original padding 0x01, as Ethereum uses it).
 */
#ifndef KECCAK_H
#define KECCAK_H

#include <stddef.h>
#include <stdint.h>

#define KECCAK256_RATE 136

typedef struct {
    uint32_t even[25]; /* the state, bit-interleaved (keccak.c) */
    uint32_t odd[25];
    uint8_t block[KECCAK256_RATE]; /* input not yet absorbed */
    size_t used;                   /* bytes in block */
} keccak_ctx;

void keccak_init(keccak_ctx *ctx);
void keccak_update(keccak_ctx *ctx, const uint8_t *data, size_t len);
void keccak_final(keccak_ctx *ctx, uint8_t out[32]);

/* One-shot digest. */
void keccak256(const uint8_t *data, size_t len, uint8_t out[32]);

/* Permutations run so far: keccak-f dominates the program's MIPS steps, so
 * this count measured natively predicts the VM's trace length. */
uint64_t keccak_permutation_count(void);

/* keccak(""): the hash of empty code. */
extern const uint8_t KECCAK_EMPTY[32];

#endif
