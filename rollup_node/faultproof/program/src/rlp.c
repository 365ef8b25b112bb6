/*
 * rlp.c - canonical RLP decoding and encoding (see rlp.h).
 */
#include "rlp.h"

#include "fp_libc.h"

/* Read an n-byte big-endian length (1 <= n <= 8); reject leading zeros and
 * lengths that do not fit size_t. */
static int read_long_length(const uint8_t *p, size_t n, size_t *out) {
    if (p[0] == 0) return RLP_ERR;
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) v = (v << 8) | p[i];
    if (v > (uint64_t)((size_t)-1 / 2)) return RLP_ERR;
    *out = (size_t)v;
    return 0;
}

int rlp_decode_prefix(const uint8_t *data, size_t len, rlp_item *out) {
    if (len == 0) return RLP_ERR;
    uint8_t b = data[0];
    size_t header, payload;
    if (b < 0x80) {
        out->is_list = 0;
        out->payload = data;
        out->payload_len = 1;
        out->encoded_len = 1;
        return 0;
    }
    if (b <= 0xb7) {
        header = 1;
        payload = b - 0x80;
        out->is_list = 0;
        /* a single byte below 0x80 must encode as itself */
        if (payload == 1 && (len < 2 || data[1] < 0x80)) return RLP_ERR;
    } else if (b <= 0xbf) {
        size_t n = b - 0xb7;
        if (len < 1 + n) return RLP_ERR;
        if (read_long_length(data + 1, n, &payload)) return RLP_ERR;
        if (payload <= 55) return RLP_ERR;
        header = 1 + n;
        out->is_list = 0;
    } else if (b <= 0xf7) {
        header = 1;
        payload = b - 0xc0;
        out->is_list = 1;
    } else {
        size_t n = b - 0xf7;
        if (len < 1 + n) return RLP_ERR;
        if (read_long_length(data + 1, n, &payload)) return RLP_ERR;
        if (payload <= 55) return RLP_ERR;
        header = 1 + n;
        out->is_list = 1;
    }
    if (payload > len - header) return RLP_ERR;
    out->payload = data + header;
    out->payload_len = payload;
    out->encoded_len = header + payload;
    return 0;
}

int rlp_decode(const uint8_t *data, size_t len, rlp_item *out) {
    if (rlp_decode_prefix(data, len, out)) return RLP_ERR;
    return out->encoded_len == len ? 0 : RLP_ERR;
}

void rlp_iter_init(rlp_iter *it, const rlp_item *list) {
    it->next = list->payload;
    it->left = list->payload_len;
}

int rlp_iter_next(rlp_iter *it, rlp_item *out) {
    if (it->left == 0) return 0;
    if (rlp_decode_prefix(it->next, it->left, out)) return RLP_ERR;
    it->next += out->encoded_len;
    it->left -= out->encoded_len;
    return 1;
}

long rlp_list_count(const rlp_item *list) {
    if (!list->is_list) return RLP_ERR;
    rlp_iter it;
    rlp_item item;
    long n = 0;
    int r;
    rlp_iter_init(&it, list);
    while ((r = rlp_iter_next(&it, &item)) == 1) n++;
    return r == 0 ? n : RLP_ERR;
}

int rlp_list_exact(const rlp_item *list, rlp_item *out, size_t n) {
    if (!list->is_list) return RLP_ERR;
    rlp_iter it;
    rlp_iter_init(&it, list);
    for (size_t i = 0; i < n; i++)
        if (rlp_iter_next(&it, &out[i]) != 1) return RLP_ERR;
    return it.left == 0 ? 0 : RLP_ERR;
}

static int check_integer(const rlp_item *item, size_t max_bytes) {
    if (item->is_list || item->payload_len > max_bytes) return RLP_ERR;
    if (item->payload_len > 0 && item->payload[0] == 0) return RLP_ERR;
    return 0;
}

int rlp_get_u64(const rlp_item *item, uint64_t *out) {
    if (check_integer(item, 8)) return RLP_ERR;
    uint64_t v = 0;
    for (size_t i = 0; i < item->payload_len; i++) v = (v << 8) | item->payload[i];
    *out = v;
    return 0;
}

int rlp_get_u256(const rlp_item *item, uint8_t out[32]) {
    if (check_integer(item, 32)) return RLP_ERR;
    memset(out, 0, 32);
    memcpy(out + 32 - item->payload_len, item->payload, item->payload_len);
    return 0;
}

int rlp_get_fixed(const rlp_item *item, uint8_t *out, size_t n) {
    if (item->is_list || item->payload_len != n) return RLP_ERR;
    memcpy(out, item->payload, n);
    return 0;
}

/* ---- encoding ---- */

void rlp_buf_init(rlp_buf *b) {
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}

void rlp_buf_free(rlp_buf *b) {
    free(b->data);
    rlp_buf_init(b);
}

void rlp_buf_reserve(rlp_buf *b, size_t extra) {
    if (b->cap - b->len >= extra) return;
    size_t cap = b->cap ? b->cap : 64;
    while (cap - b->len < extra) cap *= 2;
    b->data = realloc(b->data, cap);
    b->cap = cap;
}

void rlp_buf_append(rlp_buf *b, const void *data, size_t len) {
    rlp_buf_reserve(b, len);
    memcpy(b->data + b->len, data, len);
    b->len += len;
}

static size_t be_len(size_t n) {
    size_t k = 0;
    while (n) {
        k++;
        n >>= 8;
    }
    return k;
}

size_t rlp_header_len(size_t n) { return n <= 55 ? 1 : 1 + be_len(n); }

static void write_header(uint8_t *out, size_t n, uint8_t short_base) {
    if (n <= 55) {
        out[0] = (uint8_t)(short_base + n);
        return;
    }
    size_t k = be_len(n);
    out[0] = (uint8_t)(short_base + 55 + k);
    for (size_t i = 0; i < k; i++) out[k - i] = (uint8_t)(n >> (8 * i));
}

void rlp_put_bytes(rlp_buf *b, const uint8_t *data, size_t len) {
    if (len == 1 && data[0] < 0x80) {
        rlp_buf_append(b, data, 1);
        return;
    }
    size_t h = rlp_header_len(len);
    rlp_buf_reserve(b, h + len);
    write_header(b->data + b->len, len, 0x80);
    b->len += h;
    rlp_buf_append(b, data, len);
}

void rlp_put_u64(rlp_buf *b, uint64_t v) {
    uint8_t be[8];
    fp_put_be64(be, v);
    size_t skip = 0;
    while (skip < 8 && be[skip] == 0) skip++;
    rlp_put_bytes(b, be + skip, 8 - skip);
}

void rlp_put_u256(rlp_buf *b, const uint8_t be[32]) {
    size_t skip = 0;
    while (skip < 32 && be[skip] == 0) skip++;
    rlp_put_bytes(b, be + skip, 32 - skip);
}

size_t rlp_list_begin(rlp_buf *b) { return b->len; }

void rlp_list_end(rlp_buf *b, size_t mark) {
    size_t payload = b->len - mark;
    size_t h = rlp_header_len(payload);
    rlp_buf_reserve(b, h);
    memmove(b->data + mark + h, b->data + mark, payload);
    write_header(b->data + mark, payload, 0xc0);
    b->len += h;
}
