/*
 * account.h - reading accounts and storage slots out of a state trie
 * (secure tries: keys are keccak(address) and keccak(slot)). Used for the L1
 * CTC (through state and storage proofs) and for L2 predeploys in the
 * pre-state. Nodes come through the trie's resolver; a missing or malformed
 * node, or an account that does not decode, is a panic.
 */
#ifndef ACCOUNT_H
#define ACCOUNT_H

#include <stdint.h>

#include "mpt.h"

typedef struct {
    uint64_t nonce;
    uint8_t balance[32];
    uint8_t storage_root[32];
    uint8_t code_hash[32];
} account;

/* Read address from the state trie; returns 0 if absent (out is then the
 * empty account: empty storage root and code hash). */
int account_read(mpt *state, const uint8_t address[20], account *out);

/* Read a slot from a storage trie (zero when absent). */
void storage_read(mpt *storage, const uint8_t slot[32], uint8_t value[32]);

/* slot = base + offset, wrapping modulo 2^256 (Solidity array elements). */
void slot_add(uint8_t slot[32], uint64_t offset);
/* keccak(uint256(p)): where the elements of the dynamic array at slot p start. */
void array_data_slot(uint64_t p, uint8_t out[32]);
/* A small slot number as 32 bytes. */
void slot_of(uint64_t p, uint8_t out[32]);

#endif
