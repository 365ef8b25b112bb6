/*
 * mpt.h - Ethereum's Merkle Patricia Trie over hash-addressed nodes.
 *
 * A trie starts from a root hash; nodes are fetched lazily through a resolver
 * callback (in the program: preimage_keccak, so every node read is a verified
 * keccak preimage; in tests: an in-memory map, mpt_memdb.h). Updates change
 * the in-memory nodes; mpt_root re-encodes only what changed, inlining nodes
 * whose encoding is shorter than 32 bytes exactly as Ethereum does, and
 * mpt_commit also hands every new hashed node to a sink.
 *
 * Keys are raw bytes: a secure trie's caller passes keccak(key). Values are
 * raw bytes (for an account, its RLP). An empty value means "absent":
 * putting one deletes the key. Deleting collapses branches left with one
 * entry into leaves/extensions, which may need to resolve a sibling node.
 *
 * Functions return MPT_OK or a negative error. A resolver returning NULL
 * gives MPT_ERR_MISSING; a node that does not decode gives MPT_ERR_MALFORMED.
 * After an error the trie must not be used further.
 */
#ifndef MPT_H
#define MPT_H

#include <stddef.h>
#include <stdint.h>

#define MPT_OK 0
#define MPT_ERR_MISSING (-2)
#define MPT_ERR_MALFORMED (-3)

/* Returns the node whose keccak is hash (malloc'd; the trie frees it) and sets
 * *len, or NULL if unknown. The trie checks nothing: in the program the
 * resolver verifies the hash. */
typedef uint8_t *(*mpt_node_fn)(void *ctx, const uint8_t hash[32], size_t *len);
/* Receives a newly written node and its hash (the data is only borrowed). */
typedef void (*mpt_sink_fn)(void *ctx, const uint8_t hash[32], const uint8_t *node, size_t len);

typedef struct mpt_node mpt_node;

typedef struct {
    mpt_node *root; /* NULL = empty trie */
    mpt_node_fn resolve;
    void *ctx;
} mpt;

/* keccak(rlp("")): the root of the empty trie. */
extern const uint8_t MPT_EMPTY_ROOT[32];

/* Open the trie with this root (MPT_EMPTY_ROOT gives an empty trie). */
void mpt_init(mpt *t, const uint8_t root[32], mpt_node_fn resolve, void *ctx);
/* Release every node. */
void mpt_free(mpt *t);

/* Look key up. On MPT_OK, *value points into the trie (valid until the next
 * update) or is NULL with *value_len = 0 when the key is absent. */
int mpt_get(mpt *t, const uint8_t *key, size_t key_len, const uint8_t **value, size_t *value_len);
/* Set key to value (value_len = 0 deletes). */
int mpt_put(mpt *t, const uint8_t *key, size_t key_len, const uint8_t *value, size_t value_len);
int mpt_delete(mpt *t, const uint8_t *key, size_t key_len);

/* The root hash of the current contents. */
int mpt_root(mpt *t, uint8_t out[32]);
/* As mpt_root, and every node re-encoded since the last commit whose
 * reference is a hash (plus the root node) is passed to sink. */
int mpt_commit(mpt *t, uint8_t out[32], mpt_sink_fn sink, void *sink_ctx);

/* Visit every key and value in ascending key order (resolving nodes as
 * needed). Keys are passed as bytes; the visitor returns non-zero to stop. */
typedef int (*mpt_visit_fn)(void *ctx, const uint8_t *key, size_t key_len, const uint8_t *value,
                            size_t value_len);
int mpt_walk(mpt *t, mpt_visit_fn visit, void *ctx);

#endif
