/*
 * oracle.h - the preimage-oracle client (SPEC §8, §9).
 *
 * Wire protocol, shared with the Python host (rollup_node/faultproof/oracle/):
 *  - hint: write `u32 BE length ‖ payload` to fd 4, then read one ack byte
 *    from fd 3; payload = ASCII type, one space, raw data bytes.
 *  - preimage: write the 32-byte key to fd 6, then read `u64 BE length ‖ data`
 *    from fd 5 (the VM returns at most 4 aligned bytes per read; we loop).
 * Key types: 1 local (byte 0 = 1, ident big-endian in bytes 28..31),
 * 2 keccak (keccak(data) with byte 0 set to 2), 6 precompile.
 *
 * The program trusts only its local inputs and what it verifies: keccak
 * preimages are hashed and compared, and a mismatch is a panic.
 * Every returned buffer is malloc'd; the caller frees it.
 */
#ifndef ORACLE_H
#define ORACLE_H

#include <stddef.h>
#include <stdint.h>

#define PREIMAGE_KEY_LOCAL 1
#define PREIMAGE_KEY_KECCAK 2
#define PREIMAGE_KEY_PRECOMPILE 6

/* Local input identifiers (SPEC §9). */
#define LOCAL_L1_HEAD_HASH 1
#define LOCAL_PRE_OUTPUT_ROOT 2
#define LOCAL_DISPUTED_OUTPUT_ROOT 3
#define LOCAL_L2_BLOCK_NUMBER 4
#define LOCAL_L2_CHAIN_ID 5
#define LOCAL_CONSENSUS_CONFIG_HASH 6

/* Fetch the preimage of a raw 32-byte key. */
uint8_t *preimage_get(const uint8_t key[32], size_t *len);

/* Fetch the data whose keccak is hash; panics unless keccak(data) == hash. */
uint8_t *preimage_keccak(const uint8_t hash[32], size_t *len);

/* preimage_keccak with the signature of an MPT resolver (mpt_node_fn) and of
 * the EVM's evm_preimage_fn; ctx is unused. Never returns NULL: a missing
 * preimage is the host's failure and stops the program.
 * oracle_mpt_node serves L1 proof nodes (the host stored them for the
 * "l1-account"/"l1-storage" hints); oracle_l2_node first hints
 * "l2-keccak <hash>" so that the host can look the hash up in the L2 node
 * database (state and storage trie nodes, contract code). */
uint8_t *oracle_mpt_node(void *ctx, const uint8_t hash[32], size_t *len);
uint8_t *oracle_l2_node(void *ctx, const uint8_t hash[32], size_t *len);

/* Fetch a local input (SPEC §9). */
uint8_t *preimage_local(uint32_t ident, size_t *len);
/* Local inputs of fixed shape: panics if the value has another length. */
void preimage_local_bytes32(uint32_t ident, uint8_t out[32]);
uint64_t preimage_local_u64(uint32_t ident);

/* Send a hint "<type> <data>" and wait for the host's ack. */
void hint(const char *type, const uint8_t *data, size_t len);
/* Hint a 32-byte hash argument (the common case). */
void hint_hash(const char *type, const uint8_t hash[32]);

/*
 * Call an oracle-backed precompile (ecrecover, bn254 add/mul/pairing, KZG point
 * evaluation): hints `precompile <addr20 ‖ u64 BE requiredGas ‖ input>`, then
 * reads key `6 ‖ keccak(addr20 ‖ u64 BE requiredGas ‖ input)[1:]`, whose value
 * is `status byte ‖ output`. Returns the status byte (1 = success, 0 = failure)
 * and sets *out (malloc'd, may be empty) and *out_len to the output.
 */
int precompile_call(const uint8_t addr[20], uint64_t required_gas, const uint8_t *input,
                    size_t input_len, uint8_t **out, size_t *out_len);

#endif
