/*
 * mpt_memdb.h - an in-memory hash -> node map: an MPT resolver and sink for
 * tests and for tools that build tries without an oracle.
 */
#ifndef MPT_MEMDB_H
#define MPT_MEMDB_H

#include <stddef.h>
#include <stdint.h>

typedef struct mpt_memdb_entry mpt_memdb_entry;

typedef struct {
    mpt_memdb_entry **buckets;
    size_t bucket_count;
    size_t size;
} mpt_memdb;

void mpt_memdb_init(mpt_memdb *db);
void mpt_memdb_free(mpt_memdb *db);
/* Store a copy of node under hash (mpt_sink_fn signature; ctx = the db). */
void mpt_memdb_put(void *db, const uint8_t hash[32], const uint8_t *node, size_t len);
/* Return a malloc'd copy of the node, or NULL (mpt_node_fn signature). */
uint8_t *mpt_memdb_get(void *db, const uint8_t hash[32], size_t *len);

#endif
