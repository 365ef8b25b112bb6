/*
 * deposit.c - queue elements and deposit transaction encodings (see deposit.h).
 */
#include "deposit.h"

#include "abi.h"
#include "fp_libc.h"
#include "keccak.h"

#define DEPOSIT_TX_TYPE 0x7e
#define L1_INFO_DEPOSIT_GAS 1000000

static const uint8_t L1_INFO_DEPOSITOR[20] = {0xde, 0xad, 0xde, 0xad, 0xde, 0xad, 0xde,
                                              0xad, 0xde, 0xad, 0xde, 0xad, 0xde, 0xad,
                                              0xde, 0xad, 0xde, 0xad, 0x00, 0x01};
static const uint8_t L1_BLOCK_PREDEPLOY[20] = {0x42, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                               0,    0, 0, 0, 0, 0, 0, 0, 0, 0x15};

int queue_element_decode(const uint8_t *abi, size_t len, queue_element *out) {
    uint64_t offset, data_len;
    if (len < 9 * 32) return -1;
    if (abi_word_address(abi, out->from) || abi_word_address(abi + 32, out->to) ||
        abi_word_u64(abi + 96, &out->gas_limit) || abi_word_bool(abi + 128, &out->is_creation) ||
        abi_word_u64(abi + 160, &offset) || abi_word_u64(abi + 192, &out->l1_block_number) ||
        abi_word_u64(abi + 224, &out->l1_timestamp) || offset != 256 ||
        abi_word_u64(abi + 256, &data_len))
        return -1;
    memcpy(out->mint, abi + 64, 32);
    size_t padded = (size_t)((data_len + 31) / 32 * 32);
    if (data_len > len || len != 9 * 32 + padded) return -1;
    for (size_t i = (size_t)data_len; i < padded; i++)
        if (abi[288 + i]) return -1;
    out->data = abi + 288;
    out->data_len = (size_t)data_len;
    return 0;
}

static void source_hash(uint64_t domain, const uint8_t hash[32], uint64_t n, uint8_t out[32]) {
    uint8_t buf[64];
    memcpy(buf, hash, 32);
    abi_put_u64(buf + 32, n);
    keccak256(buf, 64, buf + 32);
    abi_put_u64(buf, domain);
    keccak256(buf, 64, out);
}

void user_deposit_source_hash(const uint8_t element_hash[32], uint64_t index, uint8_t out[32]) {
    source_hash(0, element_hash, index, out);
}

void l1_info_source_hash(const uint8_t origin_hash[32], uint64_t l2_number, uint8_t out[32]) {
    source_hash(1, origin_hash, l2_number, out);
}

static void encode_deposit(const uint8_t source[32], const uint8_t from[20], const uint8_t *to,
                           const uint8_t mint[32], uint64_t gas, const uint8_t *data,
                           size_t data_len, rlp_buf *out) {
    uint8_t type = DEPOSIT_TX_TYPE;
    rlp_buf_append(out, &type, 1);
    size_t mark = rlp_list_begin(out);
    rlp_put_bytes(out, source, 32);
    rlp_put_bytes(out, from, 20);
    rlp_put_bytes(out, to, to ? 20 : 0);
    rlp_put_u256(out, mint); /* mint */
    rlp_put_u256(out, mint); /* value: the deposit sends what it mints */
    rlp_put_u64(out, gas);
    rlp_put_u64(out, 0); /* isSystemTx is always false */
    rlp_put_bytes(out, data, data_len);
    rlp_list_end(out, mark);
}

void user_deposit_encode(const queue_element *e, const uint8_t element_hash[32], uint64_t index,
                         rlp_buf *out) {
    uint8_t source[32];
    user_deposit_source_hash(element_hash, index, source);
    encode_deposit(source, e->from, e->is_creation ? NULL : e->to, e->mint, e->gas_limit, e->data,
                   e->data_len, out);
}

void l1_info_deposit_encode(const l1_origin *origin, uint64_t sequence_number, uint64_t l2_number,
                            rlp_buf *out) {
    static const char signature[] = "setL1BlockValues(uint64,uint64,uint256,bytes32,uint64)";
    uint8_t calldata[4 + 5 * 32], selector[32], source[32];
    static const uint8_t zero[32] = {0};
    keccak256((const uint8_t *)signature, sizeof signature - 1, selector);
    memcpy(calldata, selector, 4);
    abi_put_u64(calldata + 4, origin->number);
    abi_put_u64(calldata + 36, origin->timestamp);
    memcpy(calldata + 68, origin->base_fee, 32);
    memcpy(calldata + 100, origin->hash, 32);
    abi_put_u64(calldata + 132, sequence_number);
    l1_info_source_hash(origin->hash, l2_number, source);
    encode_deposit(source, L1_INFO_DEPOSITOR, L1_BLOCK_PREDEPLOY, zero, L1_INFO_DEPOSIT_GAS,
                   calldata, sizeof calldata, out);
}
