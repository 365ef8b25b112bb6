/*
 * testdriver_main.c - command-line driver that exposes keccak, RLP and the
 * MPT to the Python tests (tests/unit/faultproof/program/).
 *
 * Reads all of stdin, one command per line, hex arguments (optional 0x):
 *   keccak <data>        prints keccak(data)
 *   rlp <data>           decodes strictly, re-encodes, prints the encoding
 *                        or "invalid"
 *   put <key> <value>    trie update (keys are raw bytes)
 *   del <key>            trie delete
 *   get <key>            prints the value or "-"
 *   next <key>, prev <key>  prints the nearest key after / before key, or "-"
 *   root                 prints the root hash
 *   reload               commits every node to an in-memory node map and
 *                        reopens the trie from its root, so later commands
 *                        resolve nodes by hash (the program's path)
 *   new                  starts an empty trie
 * Exits 0 after the last command; bad input is a panic (exit 2).
 */
#include "fp_libc.h"
#include "keccak.h"
#include "mpt.h"
#include "mpt_memdb.h"
#include "rlp.h"

static uint8_t *read_stdin(size_t *len) {
    size_t cap = 1 << 16, n = 0;
    uint8_t *buf = malloc(cap);
    for (;;) {
        if (n == cap) buf = realloc(buf, cap *= 2);
        long r = fp_read(FP_FD_STDIN, buf + n, cap - n);
        if (r < 0) fp_panic("read stdin");
        if (r == 0) break;
        n += (size_t)r;
    }
    *len = n;
    return buf;
}

static int hex_digit(uint8_t c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    fp_panic("bad hex digit");
}

/* Decode hex text[0..len) in place into bytes; returns the byte count. */
static size_t unhex(uint8_t *text, size_t len) {
    size_t skip = len >= 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X') ? 2 : 0;
    const uint8_t *digits = text + skip;
    len -= skip;
    if (len % 2) fp_panic("odd hex length");
    for (size_t i = 0; i < len / 2; i++)
        text[i] = (uint8_t)(hex_digit(digits[2 * i]) << 4 | hex_digit(digits[2 * i + 1]));
    return len / 2;
}

static void print_hex_line(const uint8_t *data, size_t len) {
    fp_put_hex(FP_FD_STDOUT, data, len);
    fp_puts(FP_FD_STDOUT, "\n");
}

/* Re-encode an item: equal to the input exactly when decoding was canonical. */
static int reencode(const rlp_item *item, rlp_buf *out) {
    if (!item->is_list) {
        rlp_put_bytes(out, item->payload, item->payload_len);
        return 0;
    }
    size_t mark = rlp_list_begin(out);
    rlp_iter it;
    rlp_item child;
    int r;
    rlp_iter_init(&it, item);
    while ((r = rlp_iter_next(&it, &child)) == 1)
        if (reencode(&child, out)) return RLP_ERR;
    if (r != 0) return RLP_ERR;
    rlp_list_end(out, mark);
    return 0;
}

/* Nearest-key search over mpt_walk's ascending order. */
typedef struct {
    const uint8_t *key;
    size_t key_len;
    int after; /* 1: first key > key; 0: last key < key */
    uint8_t *found;
    size_t found_len;
    int have;
} nearest;

static int key_cmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen) {
    int c = memcmp(a, b, alen < blen ? alen : blen);
    if (c) return c;
    return alen < blen ? -1 : alen > blen;
}

static int visit_nearest(void *ctx, const uint8_t *key, size_t len, const uint8_t *v, size_t vlen) {
    (void)v;
    (void)vlen;
    nearest *n = ctx;
    int c = key_cmp(key, len, n->key, n->key_len);
    if (n->after ? c <= 0 : c >= 0) return !n->after; /* before the target: go on; after: stop */
    free(n->found);
    n->found = malloc(len ? len : 1);
    memcpy(n->found, key, len);
    n->found_len = len;
    n->have = 1;
    return n->after;
}

static void check(int r) {
    if (r != MPT_OK) fp_panic(r == MPT_ERR_MISSING ? "trie node missing" : "trie node malformed");
}

/* Split the next whitespace-separated word off [*p, end). */
static uint8_t *next_word(uint8_t **p, uint8_t *end, size_t *len) {
    uint8_t *s = *p;
    while (s < end && *s == ' ') s++;
    uint8_t *e = s;
    while (e < end && *e != ' ') e++;
    *p = e;
    *len = (size_t)(e - s);
    return s;
}

static int word_is(const uint8_t *w, size_t len, const char *name) {
    return len == strlen(name) && memcmp(w, name, len) == 0;
}

int main(int argc, char **argv) {
    (void)argc;
    (void)argv;
    size_t total;
    uint8_t *input = read_stdin(&total);
    mpt_memdb db;
    mpt_memdb_init(&db);
    mpt trie;
    mpt_init(&trie, MPT_EMPTY_ROOT, mpt_memdb_get, &db);

    uint8_t *line = input, *stop = input + total;
    while (line < stop) {
        uint8_t *end = line;
        while (end < stop && *end != '\n') end++;
        uint8_t *p = line;
        size_t clen, alen, blen;
        uint8_t *cmd = next_word(&p, end, &clen);
        uint8_t *a = next_word(&p, end, &alen);
        uint8_t *b = next_word(&p, end, &blen);
        /* words are decoded in place; a hex argument never overlaps the next */
        if (clen == 0) {
            /* blank line */
        } else if (word_is(cmd, clen, "keccak")) {
            uint8_t h[32];
            size_t n = unhex(a, alen);
            keccak256(a, n, h);
            print_hex_line(h, 32);
        } else if (word_is(cmd, clen, "rlp")) {
            size_t n = unhex(a, alen);
            rlp_item item;
            rlp_buf out;
            rlp_buf_init(&out);
            if (rlp_decode(a, n, &item) == 0 && reencode(&item, &out) == 0)
                print_hex_line(out.data, out.len);
            else
                fp_puts(FP_FD_STDOUT, "invalid\n");
            rlp_buf_free(&out);
        } else if (word_is(cmd, clen, "put")) {
            size_t kn = unhex(a, alen), vn = unhex(b, blen);
            check(mpt_put(&trie, a, kn, b, vn));
        } else if (word_is(cmd, clen, "del")) {
            check(mpt_delete(&trie, a, unhex(a, alen)));
        } else if (word_is(cmd, clen, "get")) {
            const uint8_t *v;
            size_t vn;
            check(mpt_get(&trie, a, unhex(a, alen), &v, &vn));
            if (v)
                print_hex_line(v, vn);
            else
                fp_puts(FP_FD_STDOUT, "-\n");
        } else if (word_is(cmd, clen, "next") || word_is(cmd, clen, "prev")) {
            nearest n = {a, unhex(a, alen), word_is(cmd, clen, "next"), NULL, 0, 0};
            check(mpt_walk(&trie, visit_nearest, &n));
            if (n.have)
                print_hex_line(n.found, n.found_len);
            else
                fp_puts(FP_FD_STDOUT, "-\n");
            free(n.found);
        } else if (word_is(cmd, clen, "root")) {
            uint8_t root[32];
            check(mpt_root(&trie, root));
            print_hex_line(root, 32);
        } else if (word_is(cmd, clen, "reload")) {
            uint8_t root[32];
            check(mpt_commit(&trie, root, mpt_memdb_put, &db));
            mpt_free(&trie);
            mpt_init(&trie, root, mpt_memdb_get, &db);
        } else if (word_is(cmd, clen, "new")) {
            mpt_free(&trie);
            mpt_init(&trie, MPT_EMPTY_ROOT, mpt_memdb_get, &db);
        } else {
            fp_panic("unknown command");
        }
        line = end + 1;
    }
    return 0;
}
