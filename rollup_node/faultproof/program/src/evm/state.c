/*
 * state.c - the journaled world state over the state trie (see state.h).
 *
 * Accounts and storage slots are cached in hash tables the first time they
 * are read. Each mutation first records the previous value in the journal;
 * state_revert replays the journal backwards down to a snapshot. Nothing is
 * written to the tries before state_commit.
 */
#include "state.h"

#include "../fp_libc.h"
#include "../keccak.h"
#include "../mpt.h"
#include "../rlp.h"

struct slot {
    u256 key;
    u256 value;      /* current value */
    u256 original;   /* value at the start of the transaction */
    u256 committed;  /* value in the storage trie */
    bool warm;
    struct slot *next;
};

struct slot_table {
    struct slot **buckets;
    size_t bucket_count;
    size_t count;
};

/* The parts of an account the journal restores as one. */
struct account_fields {
    bool exists;
    uint64_t nonce;
    u256 balance;
    uint8_t code_hash[32];
    uint8_t *code; /* NULL until loaded (or when empty) */
    size_t code_len;
    bool code_loaded;
    bool created;
    bool touched;
    bool marked_for_deletion;
    bool warm;
};

struct account {
    evm_address address;
    struct account_fields f;
    uint8_t storage_root[32]; /* root of the storage trie in the state trie */
    bool storage_trie_open;
    mpt storage_trie;
    struct slot_table storage;
    struct slot_table transient;
    bool dirty;
    struct account *next;     /* hash chain */
    struct account *all_next; /* list of every cached account */
};

enum journal_kind { J_ACCOUNT, J_STORAGE, J_TRANSIENT, J_SLOT_WARM, J_LOG };

struct journal_entry {
    enum journal_kind kind;
    struct account *account;
    struct slot *slot;
    struct account_fields fields; /* J_ACCOUNT */
    u256 value;                   /* J_STORAGE, J_TRANSIENT */
};

struct evm_state {
    mpt trie;
    evm_preimage_fn preimage;
    void *ctx;
    struct account **buckets;
    size_t bucket_count;
    size_t account_count;
    struct account *all;
    struct journal_entry *journal;
    size_t journal_len, journal_cap;
    evm_log *logs;
    size_t log_count, log_cap;
};

/* ---- hashing ---- */

static uint32_t fnv(const uint8_t *p, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 16777619u;
    return h;
}

static uint32_t word_hash(const u256 *k)
{
    uint32_t h = 2166136261u;
    for (int i = 0; i < 8; i++)
        h = (h ^ k->w[i]) * 16777619u;
    return h ^ (h >> 15);
}

static void panic_on(int rc, const char *what)
{
    if (rc != MPT_OK)
        fp_panic(what);
}

/* ---- slot tables ---- */

static struct slot *slot_find(struct slot_table *t, const u256 *key)
{
    if (!t->bucket_count)
        return NULL;
    for (struct slot *s = t->buckets[word_hash(key) & (t->bucket_count - 1)]; s; s = s->next)
        if (u256_eq(&s->key, key))
            return s;
    return NULL;
}

static void slot_table_grow(struct slot_table *t)
{
    size_t n = t->bucket_count ? t->bucket_count * 2 : 16;
    struct slot **b = calloc(n, sizeof *b);
    for (size_t i = 0; i < t->bucket_count; i++) {
        struct slot *s = t->buckets[i];
        while (s) {
            struct slot *next = s->next;
            size_t j = word_hash(&s->key) & (n - 1);
            s->next = b[j];
            b[j] = s;
            s = next;
        }
    }
    free(t->buckets);
    t->buckets = b;
    t->bucket_count = n;
}

static struct slot *slot_insert(struct slot_table *t, const u256 *key)
{
    if (t->count + 1 > t->bucket_count)
        slot_table_grow(t);
    struct slot *s = calloc(1, sizeof *s);
    s->key = *key;
    size_t j = word_hash(key) & (t->bucket_count - 1);
    s->next = t->buckets[j];
    t->buckets[j] = s;
    t->count++;
    return s;
}

static void slot_table_free(struct slot_table *t)
{
    for (size_t i = 0; i < t->bucket_count; i++) {
        struct slot *s = t->buckets[i];
        while (s) {
            struct slot *next = s->next;
            free(s);
            s = next;
        }
    }
    free(t->buckets);
    t->buckets = NULL;
    t->bucket_count = t->count = 0;
}

/* ---- accounts ---- */

static void load_account(struct evm_state *st, struct account *a)
{
    uint8_t key[32];
    keccak256(a->address.bytes, 20, key);
    const uint8_t *value;
    size_t len;
    panic_on(mpt_get(&st->trie, key, 32, &value, &len), "state trie read failed");
    memcpy(a->storage_root, MPT_EMPTY_ROOT, 32);
    memcpy(a->f.code_hash, KECCAK_EMPTY, 32);
    if (!value)
        return;
    rlp_item item, fields[4];
    uint8_t balance[32];
    if (rlp_decode(value, len, &item) || !item.is_list || rlp_list_exact(&item, fields, 4) ||
        rlp_get_u64(&fields[0], &a->f.nonce) || rlp_get_u256(&fields[1], balance) ||
        rlp_get_fixed(&fields[2], a->storage_root, 32) ||
        rlp_get_fixed(&fields[3], a->f.code_hash, 32))
        fp_panic("malformed account in the state trie");
    a->f.exists = true;
    a->f.balance = u256_from_be(balance, 32);
}

static struct account *account_get(struct evm_state *st, const evm_address *addr)
{
    uint32_t h = fnv(addr->bytes, 20);
    if (st->bucket_count) {
        for (struct account *a = st->buckets[h & (st->bucket_count - 1)]; a; a = a->next)
            if (!memcmp(a->address.bytes, addr->bytes, 20))
                return a;
    }
    if (st->account_count + 1 > st->bucket_count) {
        size_t n = st->bucket_count ? st->bucket_count * 2 : 64;
        struct account **b = calloc(n, sizeof *b);
        for (struct account *a = st->all; a; a = a->all_next) {
            size_t j = fnv(a->address.bytes, 20) & (n - 1);
            a->next = b[j];
            b[j] = a;
        }
        free(st->buckets);
        st->buckets = b;
        st->bucket_count = n;
    }
    struct account *a = calloc(1, sizeof *a);
    a->address = *addr;
    load_account(st, a);
    size_t j = h & (st->bucket_count - 1);
    a->next = st->buckets[j];
    st->buckets[j] = a;
    a->all_next = st->all;
    st->all = a;
    st->account_count++;
    return a;
}

/* ---- journal ---- */

static struct journal_entry *journal_push(struct evm_state *st, enum journal_kind kind,
                                          struct account *a)
{
    if (st->journal_len == st->journal_cap) {
        st->journal_cap = st->journal_cap ? st->journal_cap * 2 : 256;
        st->journal = realloc(st->journal, st->journal_cap * sizeof *st->journal);
    }
    struct journal_entry *e = &st->journal[st->journal_len++];
    e->kind = kind;
    e->account = a;
    e->slot = NULL;
    a->dirty = true;
    return e;
}

/* Journal the account's fields before a change. */
static struct account *account_for_write(struct evm_state *st, const evm_address *addr)
{
    struct account *a = account_get(st, addr);
    journal_push(st, J_ACCOUNT, a)->fields = a->f;
    return a;
}

size_t state_snapshot(struct evm_state *st)
{
    return st->journal_len;
}

void state_revert(struct evm_state *st, size_t snapshot)
{
    while (st->journal_len > snapshot) {
        struct journal_entry *e = &st->journal[--st->journal_len];
        switch (e->kind) {
        case J_ACCOUNT:
            e->account->f = e->fields;
            break;
        case J_STORAGE:
        case J_TRANSIENT:
            e->slot->value = e->value;
            break;
        case J_SLOT_WARM:
            e->slot->warm = false;
            break;
        case J_LOG:
            free(st->logs[--st->log_count].data);
            break;
        }
    }
}

/* ---- open / close ---- */

struct evm_state *state_open(const uint8_t root[32], evm_preimage_fn preimage, void *ctx)
{
    struct evm_state *st = calloc(1, sizeof *st);
    st->preimage = preimage;
    st->ctx = ctx;
    mpt_init(&st->trie, root, preimage, ctx);
    return st;
}

static void clear_logs(struct evm_state *st)
{
    for (size_t i = 0; i < st->log_count; i++)
        free(st->logs[i].data);
    st->log_count = 0;
}

void state_close(struct evm_state *st)
{
    struct account *a = st->all;
    while (a) {
        struct account *next = a->all_next;
        slot_table_free(&a->storage);
        slot_table_free(&a->transient);
        if (a->storage_trie_open)
            mpt_free(&a->storage_trie);
        free(a->f.code);
        free(a);
        a = next;
    }
    clear_logs(st);
    free(st->logs);
    free(st->buckets);
    free(st->journal);
    mpt_free(&st->trie);
    free(st);
}

/* ---- account queries ---- */

static bool is_empty(const struct account *a)
{
    return a->f.nonce == 0 && u256_is_zero(&a->f.balance) &&
           !memcmp(a->f.code_hash, KECCAK_EMPTY, 32);
}

bool state_account_is_alive(struct evm_state *st, const evm_address *addr)
{
    struct account *a = account_get(st, addr);
    return a->f.exists && !is_empty(a);
}

bool state_account_has_code_or_nonce(struct evm_state *st, const evm_address *addr)
{
    struct account *a = account_get(st, addr);
    return a->f.nonce != 0 || memcmp(a->f.code_hash, KECCAK_EMPTY, 32) != 0;
}

bool state_account_has_storage(struct evm_state *st, const evm_address *addr)
{
    struct account *a = account_get(st, addr);
    if (memcmp(a->storage_root, MPT_EMPTY_ROOT, 32) != 0)
        return true;
    for (size_t i = 0; i < a->storage.bucket_count; i++)
        for (struct slot *s = a->storage.buckets[i]; s; s = s->next)
            if (!u256_is_zero(&s->value))
                return true;
    return false;
}

uint64_t state_get_nonce(struct evm_state *st, const evm_address *addr)
{
    return account_get(st, addr)->f.nonce;
}

/* Writing to an absent account brings it into existence (touched, so it
 * is removed again at the end of the transaction if it stays empty). */
static struct account *account_for_update(struct evm_state *st, const evm_address *addr)
{
    struct account *a = account_for_write(st, addr);
    if (!a->f.exists) {
        a->f.exists = true;
        a->f.touched = true;
    }
    return a;
}

void state_set_nonce(struct evm_state *st, const evm_address *addr, uint64_t nonce)
{
    account_for_update(st, addr)->f.nonce = nonce;
}

u256 state_get_balance(struct evm_state *st, const evm_address *addr)
{
    return account_get(st, addr)->f.balance;
}

void state_set_balance(struct evm_state *st, const evm_address *addr, const u256 *balance)
{
    account_for_update(st, addr)->f.balance = *balance;
}

const uint8_t *state_get_code(struct evm_state *st, const evm_address *addr, size_t *len)
{
    struct account *a = account_get(st, addr);
    if (!a->f.code_loaded) {
        a->f.code_loaded = true;
        if (memcmp(a->f.code_hash, KECCAK_EMPTY, 32) != 0) {
            a->f.code = st->preimage(st->ctx, a->f.code_hash, &a->f.code_len);
            if (!a->f.code)
                fp_panic("missing contract code preimage");
        }
    }
    *len = a->f.code_len;
    return a->f.code;
}

void state_get_code_hash(struct evm_state *st, const evm_address *addr, uint8_t out[32])
{
    memcpy(out, account_get(st, addr)->f.code_hash, 32);
}

void state_set_code(struct evm_state *st, const evm_address *addr, uint8_t *code, size_t len)
{
    struct account *a = account_for_update(st, addr);
    a->f.code = code;
    a->f.code_len = len;
    a->f.code_loaded = true;
    keccak256(code, len, a->f.code_hash);
}

/* ---- storage ---- */

static mpt *storage_trie(struct evm_state *st, struct account *a)
{
    if (!a->storage_trie_open) {
        mpt_init(&a->storage_trie, a->storage_root,
                 st->preimage, st->ctx);
        a->storage_trie_open = true;
    }
    return &a->storage_trie;
}

static struct slot *slot_get(struct evm_state *st, struct account *a, const u256 *key)
{
    struct slot *s = slot_find(&a->storage, key);
    if (s)
        return s;
    s = slot_insert(&a->storage, key);
    uint8_t k[32], hashed[32];
    u256_to_be(key, k);
    keccak256(k, 32, hashed);
    const uint8_t *value;
    size_t len;
    panic_on(mpt_get(storage_trie(st, a), hashed, 32, &value, &len), "storage trie read failed");
    if (value) {
        rlp_item item;
        uint8_t v[32];
        if (rlp_decode(value, len, &item) || rlp_get_u256(&item, v))
            fp_panic("malformed storage value");
        s->committed = u256_from_be(v, 32);
    }
    s->value = s->original = s->committed;
    return s;
}

u256 state_get_storage(struct evm_state *st, const evm_address *addr, const u256 *key)
{
    return slot_get(st, account_get(st, addr), key)->value;
}

u256 state_get_original_storage(struct evm_state *st, const evm_address *addr, const u256 *key)
{
    struct account *a = account_get(st, addr);
    /* A contract created in this transaction started with empty storage. */
    if (a->f.created)
        return u256_zero();
    return slot_get(st, a, key)->original;
}

void state_set_storage(struct evm_state *st, const evm_address *addr, const u256 *key,
                       const u256 *value)
{
    struct account *a = account_get(st, addr);
    struct slot *s = slot_get(st, a, key);
    struct journal_entry *e = journal_push(st, J_STORAGE, a);
    e->slot = s;
    e->value = s->value;
    s->value = *value;
}

u256 state_get_transient(struct evm_state *st, const evm_address *addr, const u256 *key)
{
    struct slot *s = slot_find(&account_get(st, addr)->transient, key);
    return s ? s->value : u256_zero();
}

void state_set_transient(struct evm_state *st, const evm_address *addr, const u256 *key,
                         const u256 *value)
{
    struct account *a = account_get(st, addr);
    struct slot *s = slot_find(&a->transient, key);
    if (!s)
        s = slot_insert(&a->transient, key);
    struct journal_entry *e = journal_push(st, J_TRANSIENT, a);
    e->slot = s;
    e->value = s->value;
    s->value = *value;
}

/* ---- transaction bookkeeping ---- */

bool state_warm_address(struct evm_state *st, const evm_address *addr)
{
    struct account *a = account_get(st, addr);
    if (a->f.warm)
        return true;
    account_for_write(st, addr)->f.warm = true;
    return false;
}

bool state_warm_slot(struct evm_state *st, const evm_address *addr, const u256 *key)
{
    struct account *a = account_get(st, addr);
    struct slot *s = slot_get(st, a, key);
    if (s->warm)
        return true;
    journal_push(st, J_SLOT_WARM, a)->slot = s;
    s->warm = true;
    return false;
}

void state_mark_created(struct evm_state *st, const evm_address *addr)
{
    account_for_write(st, addr)->f.created = true;
}

bool state_is_created(struct evm_state *st, const evm_address *addr)
{
    return account_get(st, addr)->f.created;
}

void state_mark_for_deletion(struct evm_state *st, const evm_address *addr)
{
    account_for_write(st, addr)->f.marked_for_deletion = true;
}

void state_touch(struct evm_state *st, const evm_address *addr)
{
    struct account *a = account_get(st, addr);
    if (!a->f.touched)
        account_for_write(st, addr)->f.touched = true;
}

void state_add_log(struct evm_state *st, const evm_address *addr, const uint8_t (*topics)[32],
                   unsigned topic_count, const uint8_t *data, size_t data_len)
{
    if (st->log_count == st->log_cap) {
        st->log_cap = st->log_cap ? st->log_cap * 2 : 16;
        st->logs = realloc(st->logs, st->log_cap * sizeof *st->logs);
    }
    evm_log *log = &st->logs[st->log_count++];
    log->address = *addr;
    log->topic_count = topic_count;
    memcpy(log->topics, topics, 32 * (size_t)topic_count);
    log->data = malloc(data_len ? data_len : 1);
    if (data_len)
        memcpy(log->data, data, data_len);
    log->data_len = data_len;
    journal_push(st, J_LOG, account_get(st, addr));
}

const evm_log *state_logs(struct evm_state *st, size_t *count)
{
    *count = st->log_count;
    return st->logs;
}

void state_begin_transaction(struct evm_state *st)
{
    clear_logs(st);
    st->journal_len = 0;
}

/* Remove an account and its storage (end of a transaction only: not journaled
 * beyond the transaction). */
static void destroy_account(struct evm_state *st, const evm_address *addr)
{
    struct account *a = account_for_write(st, addr);
    a->f.exists = false;
    a->f.nonce = 0;
    a->f.balance = u256_zero();
    memcpy(a->f.code_hash, KECCAK_EMPTY, 32);
    a->f.code = NULL;
    a->f.code_len = 0;
    a->f.code_loaded = true;
    /* Storage goes with the account: forget the old trie, zero the cache so
     * it mirrors an empty trie; later writes start a fresh storage trie. */
    if (a->storage_trie_open) {
        mpt_free(&a->storage_trie);
        a->storage_trie_open = false;
    }
    for (size_t i = 0; i < a->storage.bucket_count; i++)
        for (struct slot *s = a->storage.buckets[i]; s; s = s->next)
            s->value = s->original = s->committed = u256_zero();
    memcpy(a->storage_root, MPT_EMPTY_ROOT, 32);
}

void state_finish_transaction(struct evm_state *st)
{
    for (struct account *a = st->all; a; a = a->all_next) {
        if (a->f.exists && (a->f.marked_for_deletion || (a->f.touched && is_empty(a))))
            destroy_account(st, &a->address);
    }
    for (struct account *a = st->all; a; a = a->all_next) {
        a->f.created = a->f.touched = a->f.marked_for_deletion = a->f.warm = false;
        for (size_t i = 0; i < a->storage.bucket_count; i++)
            for (struct slot *s = a->storage.buckets[i]; s; s = s->next) {
                s->original = s->value;
                s->warm = false;
            }
        slot_table_free(&a->transient);
    }
    st->journal_len = 0;
}

/* ---- commit ---- */

static void commit_storage(struct evm_state *st, struct account *a)
{
    mpt *t = storage_trie(st, a);
    for (size_t i = 0; i < a->storage.bucket_count; i++) {
        for (struct slot *s = a->storage.buckets[i]; s; s = s->next) {
            if (u256_eq(&s->value, &s->committed))
                continue;
            uint8_t k[32], hashed[32], v[32];
            u256_to_be(&s->key, k);
            keccak256(k, 32, hashed);
            u256_to_be(&s->value, v);
            rlp_buf b;
            rlp_buf_init(&b);
            if (!u256_is_zero(&s->value))
                rlp_put_u256(&b, v);
            panic_on(mpt_put(t, hashed, 32, b.data, b.len), "storage trie write failed");
            rlp_buf_free(&b);
            s->committed = s->value;
        }
    }
    panic_on(mpt_root(t, a->storage_root), "storage trie hash failed");
}

void state_commit(struct evm_state *st, uint8_t root[32])
{
    for (struct account *a = st->all; a; a = a->all_next) {
        if (!a->dirty)
            continue;
        uint8_t key[32];
        keccak256(a->address.bytes, 20, key);
        if (!a->f.exists) {
            panic_on(mpt_put(&st->trie, key, 32, NULL, 0), "state trie delete failed");
            continue;
        }
        commit_storage(st, a);
        uint8_t balance[32];
        u256_to_be(&a->f.balance, balance);
        rlp_buf b;
        rlp_buf_init(&b);
        size_t mark = rlp_list_begin(&b);
        rlp_put_u64(&b, a->f.nonce);
        rlp_put_u256(&b, balance);
        rlp_put_bytes(&b, a->storage_root, 32);
        rlp_put_bytes(&b, a->f.code_hash, 32);
        rlp_list_end(&b, mark);
        panic_on(mpt_put(&st->trie, key, 32, b.data, b.len), "state trie write failed");
        rlp_buf_free(&b);
    }
    panic_on(mpt_root(&st->trie, root), "state trie hash failed");
}

void state_storage_root(struct evm_state *st, const evm_address *addr, uint8_t out[32])
{
    struct account *a = account_get(st, addr);
    if (a->f.exists)
        memcpy(out, a->storage_root, 32);
    else
        memcpy(out, MPT_EMPTY_ROOT, 32);
}
