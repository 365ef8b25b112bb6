/*
 * mpt.c - Merkle Patricia Trie: lazy node loading, insert, delete with
 * collapse, and root computation (see mpt.h).
 *
 * Nodes are mutable in memory. A node caches its reference (`ref`): the
 * keccak of its encoding when that is 32 bytes or longer, else the encoding
 * itself, which its parent embeds. Any update clears the cached reference on
 * the path from the root to the change, so computing the root re-encodes
 * only that path. An unresolved node (KIND_HASH) is just a reference,
 * replaced in place by its decoded content on first use.
 */
#include "mpt.h"

#include "fp_libc.h"
#include "keccak.h"
#include "rlp.h"

const uint8_t MPT_EMPTY_ROOT[32] = {0x56, 0xe8, 0x1f, 0x17, 0x1b, 0xcc, 0x55, 0xa6, 0xff, 0x83, 0x45,
                                    0xe6, 0x92, 0xc0, 0xf8, 0x6e, 0x5b, 0x48, 0xe0, 0x1b, 0x99, 0x6c,
                                    0xad, 0xc0, 0x01, 0x62, 0x2f, 0xb5, 0xe3, 0x63, 0xb4, 0x21};

enum { KIND_HASH, KIND_LEAF, KIND_EXT, KIND_BRANCH };

struct mpt_node {
    uint8_t kind;
    uint8_t ref_valid; /* ref holds the current reference */
    uint8_t saved;     /* this subtree is already in the node store */
    uint8_t ref_len;   /* 32: a hash; < 32: the inline encoding */
    uint8_t ref[32];
    uint8_t *path; /* nibbles, for leaf and extension */
    size_t path_len;
    uint8_t *value; /* leaf value, or branch value (value_len 0 = none) */
    size_t value_len;
    mpt_node *child[16]; /* branch children; an extension uses child[0] */
};

/* ---- construction ---- */

static uint8_t *copy_bytes(const uint8_t *src, size_t n) {
    uint8_t *p = malloc(n);
    memcpy(p, src, n);
    return p;
}

static mpt_node *node_new(uint8_t kind) {
    mpt_node *n = calloc(1, sizeof *n);
    n->kind = kind;
    return n;
}

/* Mark n changed: its reference must be recomputed and it must be saved. */
static void touch(mpt_node *n) {
    n->ref_valid = 0;
    n->saved = 0;
}

static mpt_node *leaf_new(const uint8_t *path, size_t path_len, const uint8_t *value,
                          size_t value_len) {
    mpt_node *n = node_new(KIND_LEAF);
    n->path = copy_bytes(path, path_len);
    n->path_len = path_len;
    n->value = copy_bytes(value, value_len);
    n->value_len = value_len;
    return n;
}

static mpt_node *ext_new(const uint8_t *path, size_t path_len, mpt_node *child) {
    mpt_node *n = node_new(KIND_EXT);
    n->path = copy_bytes(path, path_len);
    n->path_len = path_len;
    n->child[0] = child;
    return n;
}

/* Free one node's own storage (not its children). */
static void node_release(mpt_node *n) {
    free(n->path);
    free(n->value);
    free(n);
}

static void node_free_tree(mpt_node *n) {
    if (n == NULL) return;
    if (n->kind == KIND_BRANCH || n->kind == KIND_EXT)
        for (int i = 0; i < 16; i++) node_free_tree(n->child[i]);
    node_release(n);
}

/* Prefix `prefix` (plen nibbles) to a leaf's or extension's path. */
static void path_prepend(mpt_node *n, const uint8_t *prefix, size_t plen) {
    uint8_t *p = malloc(plen + n->path_len);
    memcpy(p, prefix, plen);
    memcpy(p + plen, n->path, n->path_len);
    free(n->path);
    n->path = p;
    n->path_len += plen;
    touch(n);
}

/* ---- decoding ---- */

static int decode_node(const uint8_t *enc, size_t len, mpt_node *out);

/* A child reference inside a node: empty, a 32-byte hash, or an inline node. */
static int decode_ref(const rlp_item *item, mpt_node **out) {
    if (item->is_list) {
        size_t enc_len = item->encoded_len;
        const uint8_t *enc = item->payload - (enc_len - item->payload_len);
        if (enc_len >= 32) return MPT_ERR_MALFORMED;
        mpt_node *n = node_new(KIND_HASH);
        int r = decode_node(enc, enc_len, n);
        if (r) {
            free(n);
            return r;
        }
        n->ref_valid = 1;
        n->saved = 1;
        n->ref_len = (uint8_t)enc_len;
        memcpy(n->ref, enc, enc_len);
        *out = n;
        return MPT_OK;
    }
    if (item->payload_len == 0) {
        *out = NULL;
        return MPT_OK;
    }
    if (item->payload_len != 32) return MPT_ERR_MALFORMED;
    mpt_node *n = node_new(KIND_HASH);
    n->ref_valid = 1;
    n->saved = 1;
    n->ref_len = 32;
    memcpy(n->ref, item->payload, 32);
    *out = n;
    return MPT_OK;
}

/* Fill out (whose ref fields the caller sets) from a node encoding. */
static int decode_node(const uint8_t *enc, size_t len, mpt_node *out) {
    rlp_item node, items[17];
    if (rlp_decode(enc, len, &node) || !node.is_list) return MPT_ERR_MALFORMED;
    long count = rlp_list_count(&node);
    if (count == 2) {
        if (rlp_list_exact(&node, items, 2)) return MPT_ERR_MALFORMED;
        const rlp_item *hp = &items[0];
        if (hp->is_list || hp->payload_len == 0) return MPT_ERR_MALFORMED;
        uint8_t flag = hp->payload[0] >> 4;
        if (flag > 3 || (!(flag & 1) && (hp->payload[0] & 15))) return MPT_ERR_MALFORMED;
        size_t odd = flag & 1;
        size_t plen = 2 * (hp->payload_len - 1) + odd;
        uint8_t *path = malloc(plen);
        size_t k = 0;
        if (odd) path[k++] = hp->payload[0] & 15;
        for (size_t i = 1; i < hp->payload_len; i++) {
            path[k++] = hp->payload[i] >> 4;
            path[k++] = hp->payload[i] & 15;
        }
        if (flag & 2) {
            if (items[1].is_list) {
                free(path);
                return MPT_ERR_MALFORMED;
            }
            out->kind = KIND_LEAF;
            out->value = copy_bytes(items[1].payload, items[1].payload_len);
            out->value_len = items[1].payload_len;
        } else {
            mpt_node *child = NULL;
            int r = decode_ref(&items[1], &child);
            if (r || child == NULL || plen == 0) {
                free(path);
                node_free_tree(child);
                return r ? r : MPT_ERR_MALFORMED;
            }
            out->kind = KIND_EXT;
            out->child[0] = child;
        }
        out->path = path;
        out->path_len = plen;
        return MPT_OK;
    }
    if (count == 17) {
        if (rlp_list_exact(&node, items, 17) || items[16].is_list) return MPT_ERR_MALFORMED;
        out->kind = KIND_BRANCH;
        for (int i = 0; i < 16; i++) {
            int r = decode_ref(&items[i], &out->child[i]);
            if (r) {
                for (int j = 0; j < i; j++) node_free_tree(out->child[j]);
                return r;
            }
        }
        out->value_len = items[16].payload_len;
        out->value = out->value_len ? copy_bytes(items[16].payload, out->value_len) : NULL;
        return MPT_OK;
    }
    return MPT_ERR_MALFORMED;
}

/* Replace an unresolved node, in place, by its decoded content. */
static int resolve(mpt *t, mpt_node *n) {
    if (n->kind != KIND_HASH) return MPT_OK;
    size_t len;
    uint8_t *enc = t->resolve(t->ctx, n->ref, &len);
    if (enc == NULL) return MPT_ERR_MISSING;
    int r = decode_node(enc, len, n);
    if (r == MPT_OK && len < 32) {
        /* only a root is fetched by hash while shorter than 32 bytes; its
         * reference as a child would be the encoding itself */
        n->ref_len = (uint8_t)len;
        memcpy(n->ref, enc, len);
    }
    free(enc);
    return r;
}

/* ---- lookup ---- */

static uint8_t *to_nibbles(const uint8_t *key, size_t len) {
    uint8_t *nib = malloc(2 * len);
    for (size_t i = 0; i < len; i++) {
        nib[2 * i] = key[i] >> 4;
        nib[2 * i + 1] = key[i] & 15;
    }
    return nib;
}

static size_t common_prefix(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen) {
    size_t i = 0;
    while (i < alen && i < blen && a[i] == b[i]) i++;
    return i;
}

int mpt_get(mpt *t, const uint8_t *key, size_t key_len, const uint8_t **value, size_t *value_len) {
    uint8_t *nib = to_nibbles(key, key_len);
    size_t len = 2 * key_len, pos = 0;
    mpt_node *n = t->root;
    int r = MPT_OK;
    *value = NULL;
    *value_len = 0;
    while (n != NULL) {
        if ((r = resolve(t, n))) break;
        if (n->kind == KIND_LEAF) {
            if (n->path_len == len - pos && memcmp(n->path, nib + pos, n->path_len) == 0) {
                *value = n->value;
                *value_len = n->value_len;
            }
            break;
        }
        if (n->kind == KIND_EXT) {
            if (n->path_len > len - pos || memcmp(n->path, nib + pos, n->path_len) != 0) break;
            pos += n->path_len;
            n = n->child[0];
            continue;
        }
        if (pos == len) {
            if (n->value_len) {
                *value = n->value;
                *value_len = n->value_len;
            }
            break;
        }
        n = n->child[nib[pos++]];
    }
    free(nib);
    return r;
}

/* ---- insert ---- */

static int insert(mpt *t, mpt_node **slot, const uint8_t *nib, size_t len, const uint8_t *value,
                  size_t value_len) {
    mpt_node *n = *slot;
    if (n == NULL) {
        *slot = leaf_new(nib, len, value, value_len);
        return MPT_OK;
    }
    int r = resolve(t, n);
    if (r) return r;
    touch(n);
    if (n->kind == KIND_BRANCH) {
        if (len == 0) {
            free(n->value);
            n->value = copy_bytes(value, value_len);
            n->value_len = value_len;
            return MPT_OK;
        }
        return insert(t, &n->child[nib[0]], nib + 1, len - 1, value, value_len);
    }
    size_t cp = common_prefix(n->path, n->path_len, nib, len);
    if (n->kind == KIND_LEAF && cp == n->path_len && cp == len) {
        free(n->value);
        n->value = copy_bytes(value, value_len);
        n->value_len = value_len;
        return MPT_OK;
    }
    if (n->kind == KIND_EXT && cp == n->path_len)
        return insert(t, &n->child[0], nib + cp, len - cp, value, value_len);

    /* The paths diverge after cp nibbles: a branch there holds both. */
    mpt_node *branch = node_new(KIND_BRANCH);
    if (n->kind == KIND_LEAF) {
        if (n->path_len == cp) {
            branch->value = n->value;
            branch->value_len = n->value_len;
        } else {
            branch->child[n->path[cp]] =
                leaf_new(n->path + cp + 1, n->path_len - cp - 1, n->value, n->value_len);
            free(n->value);
        }
    } else if (n->path_len - cp == 1) {
        branch->child[n->path[cp]] = n->child[0];
    } else {
        branch->child[n->path[cp]] = ext_new(n->path + cp + 1, n->path_len - cp - 1, n->child[0]);
    }
    if (len == cp) {
        branch->value = copy_bytes(value, value_len);
        branch->value_len = value_len;
    } else {
        branch->child[nib[cp]] = leaf_new(nib + cp + 1, len - cp - 1, value, value_len);
    }
    *slot = cp > 0 ? ext_new(nib, cp, branch) : branch;
    n->value = NULL;
    node_release(n);
    return MPT_OK;
}

/* ---- delete ---- */

/* A branch left with a single entry becomes a leaf or an extension. */
static int collapse_branch(mpt *t, mpt_node **slot) {
    mpt_node *n = *slot;
    int only = -1, entries = n->value_len ? 1 : 0;
    for (int i = 0; i < 16; i++)
        if (n->child[i] != NULL) {
            entries++;
            only = i;
        }
    if (entries >= 2) return MPT_OK;
    if (entries == 0) {
        *slot = NULL;
    } else if (only < 0) {
        *slot = leaf_new(NULL, 0, n->value, n->value_len);
    } else {
        mpt_node *c = n->child[only];
        int r = resolve(t, c);
        if (r) return r;
        uint8_t nibble = (uint8_t)only;
        if (c->kind == KIND_BRANCH) {
            *slot = ext_new(&nibble, 1, c);
        } else {
            path_prepend(c, &nibble, 1);
            *slot = c;
        }
    }
    node_release(n);
    return MPT_OK;
}

static int delete_key(mpt *t, mpt_node **slot, const uint8_t *nib, size_t len, int *changed) {
    mpt_node *n = *slot;
    if (n == NULL) return MPT_OK;
    int r = resolve(t, n);
    if (r) return r;
    if (n->kind == KIND_LEAF) {
        if (n->path_len == len && memcmp(n->path, nib, len) == 0) {
            *slot = NULL;
            node_release(n);
            *changed = 1;
        }
        return MPT_OK;
    }
    if (n->kind == KIND_EXT) {
        if (n->path_len > len || memcmp(n->path, nib, n->path_len) != 0) return MPT_OK;
        r = delete_key(t, &n->child[0], nib + n->path_len, len - n->path_len, changed);
        if (r || !*changed) return r;
        touch(n);
        mpt_node *c = n->child[0];
        if (c == NULL) {
            *slot = NULL;
            node_release(n);
        } else if ((r = resolve(t, c))) {
            return r;
        } else if (c->kind != KIND_BRANCH) {
            /* the child collapsed into a leaf or extension: merge paths */
            path_prepend(c, n->path, n->path_len);
            *slot = c;
            node_release(n);
        }
        return MPT_OK;
    }
    if (len == 0) {
        if (n->value_len == 0) return MPT_OK;
        free(n->value);
        n->value = NULL;
        n->value_len = 0;
    } else {
        r = delete_key(t, &n->child[nib[0]], nib + 1, len - 1, changed);
        if (r || !*changed) return r;
    }
    *changed = 1;
    touch(n);
    return collapse_branch(t, slot);
}

int mpt_put(mpt *t, const uint8_t *key, size_t key_len, const uint8_t *value, size_t value_len) {
    if (value_len == 0) return mpt_delete(t, key, key_len);
    uint8_t *nib = to_nibbles(key, key_len);
    int r = insert(t, &t->root, nib, 2 * key_len, value, value_len);
    free(nib);
    return r;
}

int mpt_delete(mpt *t, const uint8_t *key, size_t key_len) {
    uint8_t *nib = to_nibbles(key, key_len);
    int changed = 0;
    int r = delete_key(t, &t->root, nib, 2 * key_len, &changed);
    free(nib);
    return r;
}

/* ---- ordered walk ---- */

typedef struct {
    mpt *t;
    mpt_visit_fn visit;
    void *ctx;
    uint8_t *path; /* nibbles from the root */
    size_t len, cap;
    int stop;
} walker;

static void path_push(walker *w, const uint8_t *nibbles, size_t n) {
    while (w->cap < w->len + n) {
        w->cap = w->cap ? 2 * w->cap : 64;
        w->path = realloc(w->path, w->cap);
    }
    memcpy(w->path + w->len, nibbles, n);
    w->len += n;
}

static int emit(walker *w, const uint8_t *value, size_t value_len) {
    if (w->len % 2) return MPT_ERR_MALFORMED; /* a value at half a byte: not a byte key */
    size_t n = w->len / 2;
    uint8_t *key = malloc(n);
    for (size_t i = 0; i < n; i++) key[i] = (uint8_t)(w->path[2 * i] << 4 | w->path[2 * i + 1]);
    w->stop = w->visit(w->ctx, key, n, value, value_len);
    free(key);
    return MPT_OK;
}

static int walk_node(walker *w, mpt_node *n) {
    int r = resolve(w->t, n);
    if (r) return r;
    size_t mark = w->len;
    if (n->kind == KIND_LEAF) {
        path_push(w, n->path, n->path_len);
        r = emit(w, n->value, n->value_len);
    } else if (n->kind == KIND_EXT) {
        path_push(w, n->path, n->path_len);
        r = walk_node(w, n->child[0]);
    } else {
        if (n->value_len) r = emit(w, n->value, n->value_len);
        for (uint8_t i = 0; i < 16 && !r && !w->stop; i++) {
            if (n->child[i] == NULL) continue;
            path_push(w, &i, 1);
            r = walk_node(w, n->child[i]);
            w->len = mark;
        }
    }
    w->len = mark;
    return r;
}

int mpt_walk(mpt *t, mpt_visit_fn visit, void *ctx) {
    walker w = {t, visit, ctx, NULL, 0, 0, 0};
    int r = t->root ? walk_node(&w, t->root) : MPT_OK;
    free(w.path);
    return r;
}

/* ---- encoding and root ---- */

static void put_hex_prefix(rlp_buf *b, const uint8_t *path, size_t len, int leaf) {
    uint8_t buf[33];
    size_t odd = len & 1, k = 0, n = 0;
    buf[n++] = (uint8_t)(((leaf ? 2 : 0) + odd) << 4 | (odd ? path[k++] : 0));
    while (k < len) {
        buf[n++] = (uint8_t)(path[k] << 4 | path[k + 1]);
        k += 2;
    }
    rlp_put_bytes(b, buf, n);
}

static void put_child_ref(rlp_buf *b, const mpt_node *c) {
    if (c == NULL)
        rlp_put_bytes(b, NULL, 0);
    else if (c->ref_len == 32)
        rlp_put_bytes(b, c->ref, 32);
    else
        rlp_buf_append(b, c->ref, c->ref_len);
}

/* Encode n; its children's references must be current. */
static void encode_node(const mpt_node *n, rlp_buf *b) {
    size_t mark = rlp_list_begin(b);
    if (n->kind == KIND_LEAF) {
        put_hex_prefix(b, n->path, n->path_len, 1);
        rlp_put_bytes(b, n->value, n->value_len);
    } else if (n->kind == KIND_EXT) {
        put_hex_prefix(b, n->path, n->path_len, 0);
        put_child_ref(b, n->child[0]);
    } else {
        for (int i = 0; i < 16; i++) put_child_ref(b, n->child[i]);
        rlp_put_bytes(b, n->value, n->value_len);
    }
    rlp_list_end(b, mark);
}

/* Compute the reference of n and of its descendants where not cached. */
static void update_ref(mpt_node *n) {
    if (n->ref_valid) return;
    if (n->kind == KIND_EXT || n->kind == KIND_BRANCH)
        for (int i = 0; i < 16; i++)
            if (n->child[i]) update_ref(n->child[i]);
    rlp_buf b;
    rlp_buf_init(&b);
    encode_node(n, &b);
    if (b.len < 32) {
        n->ref_len = (uint8_t)b.len;
        memcpy(n->ref, b.data, b.len);
    } else {
        n->ref_len = 32;
        keccak256(b.data, b.len, n->ref);
    }
    n->ref_valid = 1;
    rlp_buf_free(&b);
}

/* Pass every unsaved hashed node (and the root) to sink. References are current. */
static void save_nodes(mpt_node *n, int is_root, mpt_sink_fn sink, void *ctx) {
    if (n->saved) return;
    if (n->kind == KIND_EXT || n->kind == KIND_BRANCH)
        for (int i = 0; i < 16; i++)
            if (n->child[i]) save_nodes(n->child[i], 0, sink, ctx);
    if (n->ref_len == 32 || is_root) {
        rlp_buf b;
        uint8_t hash[32];
        rlp_buf_init(&b);
        encode_node(n, &b);
        keccak256(b.data, b.len, hash);
        sink(ctx, hash, b.data, b.len);
        rlp_buf_free(&b);
    }
    n->saved = 1;
}

int mpt_commit(mpt *t, uint8_t out[32], mpt_sink_fn sink, void *sink_ctx) {
    if (t->root == NULL) {
        memcpy(out, MPT_EMPTY_ROOT, 32);
        return MPT_OK;
    }
    update_ref(t->root);
    if (sink) save_nodes(t->root, 1, sink, sink_ctx);
    if (t->root->ref_len == 32)
        memcpy(out, t->root->ref, 32);
    else
        keccak256(t->root->ref, t->root->ref_len, out);
    return MPT_OK;
}

int mpt_root(mpt *t, uint8_t out[32]) { return mpt_commit(t, out, NULL, NULL); }

void mpt_init(mpt *t, const uint8_t root[32], mpt_node_fn resolve_fn, void *ctx) {
    t->resolve = resolve_fn;
    t->ctx = ctx;
    t->root = NULL;
    if (memcmp(root, MPT_EMPTY_ROOT, 32) != 0) {
        t->root = node_new(KIND_HASH);
        t->root->ref_valid = 1;
        t->root->saved = 1;
        t->root->ref_len = 32;
        memcpy(t->root->ref, root, 32);
    }
}

void mpt_free(mpt *t) {
    node_free_tree(t->root);
    t->root = NULL;
}
