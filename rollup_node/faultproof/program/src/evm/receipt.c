/*
 * receipt.c - receipt encoding and the 2048-bit logs bloom.
 */
#include "receipt.h"

#include "../fp_libc.h"
#include "../keccak.h"
#include "evm.h"

static void bloom_add(uint8_t bloom[256], const uint8_t *data, size_t len)
{
    uint8_t h[32];
    keccak256(data, len, h);
    for (int i = 0; i < 6; i += 2) {
        unsigned bit = (((unsigned)h[i] << 8) | h[i + 1]) & 2047;
        bloom[255 - bit / 8] |= (uint8_t)(1u << (bit % 8));
    }
}

void logs_bloom_add(uint8_t bloom[256], const evm_log *logs, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        bloom_add(bloom, logs[i].address.bytes, 20);
        for (unsigned t = 0; t < logs[i].topic_count; t++)
            bloom_add(bloom, logs[i].topics[t], 32);
    }
}

/* rlp([[address, [topics...], data], ...]) */
static void encode_logs(rlp_buf *b, const evm_log *logs, size_t count)
{
    size_t list = rlp_list_begin(b);
    for (size_t i = 0; i < count; i++) {
        size_t entry = rlp_list_begin(b);
        rlp_put_bytes(b, logs[i].address.bytes, 20);
        size_t topics = rlp_list_begin(b);
        for (unsigned t = 0; t < logs[i].topic_count; t++)
            rlp_put_bytes(b, logs[i].topics[t], 32);
        rlp_list_end(b, topics);
        rlp_put_bytes(b, logs[i].data, logs[i].data_len);
        rlp_list_end(b, entry);
    }
    rlp_list_end(b, list);
}

void receipt_encode(uint8_t type, bool success, uint64_t cumulative_gas, const evm_log *logs,
                    size_t log_count, const uint64_t *deposit_nonce, rlp_buf *out)
{
    uint8_t bloom[256] = {0};
    logs_bloom_add(bloom, logs, log_count);
    rlp_buf_init(out);
    if (type != 0)
        rlp_buf_append(out, &type, 1);
    size_t mark = rlp_list_begin(out);
    rlp_put_u64(out, success ? 1 : 0);
    rlp_put_u64(out, cumulative_gas);
    rlp_put_bytes(out, bloom, 256);
    encode_logs(out, logs, log_count);
    if (deposit_nonce) {
        rlp_put_u64(out, *deposit_nonce);
        rlp_put_u64(out, 1);
    }
    rlp_list_end(out, mark);
}

void evm_logs_hash(const evm_log *logs, size_t count, uint8_t out[32])
{
    rlp_buf b;
    rlp_buf_init(&b);
    encode_logs(&b, logs, count);
    keccak256(b.data, b.len, out);
    rlp_buf_free(&b);
}
