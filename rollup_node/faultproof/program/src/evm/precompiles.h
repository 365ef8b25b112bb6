/*
 * precompiles.h - the hash and arithmetic precompiles the program computes
 * itself (SPEC §8: the elliptic-curve ones go through the preimage oracle).
 */
#ifndef EVM_PRECOMPILES_H
#define EVM_PRECOMPILES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

void sha256_digest(const uint8_t *data, size_t len, uint8_t out[32]);
void ripemd160_digest(const uint8_t *data, size_t len, uint8_t out[20]);
/* BLAKE2b compression F over a 213-byte input; false if malformed. */
bool blake2f_compress(const uint8_t input[213], uint8_t out[64]);
/* Gas of MODEXP for this input (saturating at UINT64_MAX). */
uint64_t modexp_gas(const uint8_t *input, size_t len);
/* Result of MODEXP: malloc'd, *out_len = the modulus length. */
uint8_t *modexp_run(const uint8_t *input, size_t len, size_t *out_len);

#endif
