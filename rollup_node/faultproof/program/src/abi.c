/*
 * abi.c - Solidity ABI words (see abi.h).
 */
#include "abi.h"

#include "fp_libc.h"

static int zero_prefix(const uint8_t *word, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (word[i]) return -1;
    return 0;
}

int abi_word_u64(const uint8_t word[32], uint64_t *out) {
    if (zero_prefix(word, 24)) return -1;
    *out = fp_be64(word + 24);
    return 0;
}

int abi_word_address(const uint8_t word[32], uint8_t out[20]) {
    if (zero_prefix(word, 12)) return -1;
    memcpy(out, word + 12, 20);
    return 0;
}

int abi_word_bool(const uint8_t word[32], int *out) {
    if (zero_prefix(word, 31) || word[31] > 1) return -1;
    *out = word[31];
    return 0;
}

void abi_put_u64(uint8_t word[32], uint64_t v) {
    memset(word, 0, 24);
    fp_put_be64(word + 24, v);
}
