/*
 * mpt_memdb.c - chained hash table from node hash to node encoding.
 */
#include "mpt_memdb.h"

#include "fp_libc.h"

struct mpt_memdb_entry {
    mpt_memdb_entry *next;
    uint8_t hash[32];
    size_t len;
    uint8_t *node;
};

void mpt_memdb_init(mpt_memdb *db) {
    db->bucket_count = 1024;
    db->buckets = calloc(db->bucket_count, sizeof *db->buckets);
    db->size = 0;
}

void mpt_memdb_free(mpt_memdb *db) {
    for (size_t i = 0; i < db->bucket_count; i++) {
        mpt_memdb_entry *e = db->buckets[i];
        while (e) {
            mpt_memdb_entry *next = e->next;
            free(e->node);
            free(e);
            e = next;
        }
    }
    free(db->buckets);
    db->buckets = NULL;
    db->size = 0;
}

/* The hashes are keccak outputs: any four bytes are a uniform index. */
static size_t bucket_of(const mpt_memdb *db, const uint8_t hash[32]) {
    return (size_t)fp_be32(hash + 1) % db->bucket_count;
}

static mpt_memdb_entry *find(const mpt_memdb *db, const uint8_t hash[32]) {
    for (mpt_memdb_entry *e = db->buckets[bucket_of(db, hash)]; e; e = e->next)
        if (memcmp(e->hash, hash, 32) == 0) return e;
    return NULL;
}

static void grow(mpt_memdb *db) {
    size_t old_count = db->bucket_count;
    mpt_memdb_entry **old = db->buckets;
    db->bucket_count *= 2;
    db->buckets = calloc(db->bucket_count, sizeof *db->buckets);
    for (size_t i = 0; i < old_count; i++) {
        mpt_memdb_entry *e = old[i];
        while (e) {
            mpt_memdb_entry *next = e->next;
            size_t b = bucket_of(db, e->hash);
            e->next = db->buckets[b];
            db->buckets[b] = e;
            e = next;
        }
    }
    free(old);
}

void mpt_memdb_put(void *ctx, const uint8_t hash[32], const uint8_t *node, size_t len) {
    mpt_memdb *db = ctx;
    if (find(db, hash)) return;
    if (db->size >= 2 * db->bucket_count) grow(db);
    mpt_memdb_entry *e = malloc(sizeof *e);
    memcpy(e->hash, hash, 32);
    e->len = len;
    e->node = malloc(len);
    memcpy(e->node, node, len);
    size_t b = bucket_of(db, hash);
    e->next = db->buckets[b];
    db->buckets[b] = e;
    db->size++;
}

uint8_t *mpt_memdb_get(void *ctx, const uint8_t hash[32], size_t *len) {
    mpt_memdb_entry *e = find(ctx, hash);
    if (e == NULL) return NULL;
    uint8_t *copy = malloc(e->len);
    memcpy(copy, e->node, e->len);
    *len = e->len;
    return copy;
}
