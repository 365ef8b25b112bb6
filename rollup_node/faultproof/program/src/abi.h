/*
 * abi.h - the few Solidity ABI word decodings the program needs (static
 * 32-byte words, big-endian). Each returns 0, or -1 when the word does not
 * hold a value of the type (non-zero high bytes, a bool above 1).
 */
#ifndef ABI_H
#define ABI_H

#include <stdint.h>

int abi_word_u64(const uint8_t word[32], uint64_t *out);
int abi_word_address(const uint8_t word[32], uint8_t out[20]);
int abi_word_bool(const uint8_t word[32], int *out);
void abi_put_u64(uint8_t word[32], uint64_t v);

#endif
