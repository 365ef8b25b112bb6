/*
 * state.h - the world state seen by the EVM during a block: accounts,
 * storage, code and transient storage, with a journal for snapshots.
 *
 * Accounts are read lazily from the state trie (mpt.h) and cached; storage
 * slots likewise from each account's storage trie; code is fetched by its
 * hash through a preimage source. Every change is journaled so a failing
 * call frame can roll back to its snapshot. state_commit writes the dirty
 * storage, then the accounts, back into the tries and returns the new root.
 *
 * Per-transaction bookkeeping also lives here because it is journaled the
 * same way: warm addresses and slots (access lists), accounts created in
 * this transaction, accounts marked for deletion, touched accounts, logs.
 */
#ifndef EVM_STATE_H
#define EVM_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "uint256.h"

typedef struct {
    uint8_t bytes[20];
} evm_address;

typedef struct {
    evm_address address;
    uint8_t topics[4][32];
    unsigned topic_count;
    uint8_t *data;
    size_t data_len;
} evm_log;

/* Where the state finds trie nodes and code: both by keccak hash. Returns a
 * malloc'd copy (the caller frees it) or NULL when unknown. */
typedef uint8_t *(*evm_preimage_fn)(void *ctx, const uint8_t hash[32], size_t *len);

struct evm_state;

struct evm_state *state_open(const uint8_t root[32], evm_preimage_fn preimage, void *ctx);
void state_close(struct evm_state *st);

/* ---- accounts ---- */
/* Exists and is not empty. */
bool state_account_is_alive(struct evm_state *st, const evm_address *a);
bool state_account_has_code_or_nonce(struct evm_state *st, const evm_address *a);
bool state_account_has_storage(struct evm_state *st, const evm_address *a);
uint64_t state_get_nonce(struct evm_state *st, const evm_address *a);
void state_set_nonce(struct evm_state *st, const evm_address *a, uint64_t nonce);
u256 state_get_balance(struct evm_state *st, const evm_address *a);
/* Creates the account if it does not exist. */
void state_set_balance(struct evm_state *st, const evm_address *a, const u256 *balance);
const uint8_t *state_get_code(struct evm_state *st, const evm_address *a, size_t *len);
/* keccak of the code (of empty code for an absent account). */
void state_get_code_hash(struct evm_state *st, const evm_address *a, uint8_t out[32]);
/* Takes ownership of the malloc'd code. */
void state_set_code(struct evm_state *st, const evm_address *a, uint8_t *code, size_t len);

/* ---- storage ---- */
u256 state_get_storage(struct evm_state *st, const evm_address *a, const u256 *key);
/* The value at the start of the current transaction. */
u256 state_get_original_storage(struct evm_state *st, const evm_address *a, const u256 *key);
void state_set_storage(struct evm_state *st, const evm_address *a, const u256 *key,
                       const u256 *value);
u256 state_get_transient(struct evm_state *st, const evm_address *a, const u256 *key);
void state_set_transient(struct evm_state *st, const evm_address *a, const u256 *key,
                         const u256 *value);

/* ---- transaction bookkeeping ---- */
/* Mark warm; returns whether it already was. */
bool state_warm_address(struct evm_state *st, const evm_address *a);
bool state_warm_slot(struct evm_state *st, const evm_address *a, const u256 *key);
void state_mark_created(struct evm_state *st, const evm_address *a);
bool state_is_created(struct evm_state *st, const evm_address *a);
void state_mark_for_deletion(struct evm_state *st, const evm_address *a);
void state_touch(struct evm_state *st, const evm_address *a);
/* Copies topics and data. */
void state_add_log(struct evm_state *st, const evm_address *a, const uint8_t (*topics)[32],
                   unsigned topic_count, const uint8_t *data, size_t data_len);
const evm_log *state_logs(struct evm_state *st, size_t *count);

/* ---- journal ---- */
size_t state_snapshot(struct evm_state *st);
void state_revert(struct evm_state *st, size_t snapshot);

/*
 * End of a transaction: deletes accounts marked for deletion and touched
 * empty accounts, forgets warm sets, created marks, transient storage and
 * logs, and makes current storage the new "original" storage.
 */
void state_finish_transaction(struct evm_state *st);
/* Start a transaction's bookkeeping (clears logs of the previous one). */
void state_begin_transaction(struct evm_state *st);

/* Write everything back into the tries; returns the state root. */
void state_commit(struct evm_state *st, uint8_t root[32]);
/* An account's storage root as of the last commit (empty root if absent). */
void state_storage_root(struct evm_state *st, const evm_address *a, uint8_t out[32]);

#endif
