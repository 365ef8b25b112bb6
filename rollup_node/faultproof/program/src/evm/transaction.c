/*
 * transaction.c - decoding the four transaction types the rollup executes,
 * and the parts of validity that depend on the transaction alone.
 *
 * Senders are recovered through the ecrecover precompile served by the host
 * (SPEC §8): the program cannot do secp256k1 arithmetic itself.
 */
#include "transaction.h"

#include "../fp_libc.h"
#include "../keccak.h"
#include "../oracle.h"
#include "gas.h"

static const uint8_t SECP256K1N[32] = {
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe,
    0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48, 0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41,
};

static int get_u256(const rlp_item *item, u256 *out)
{
    uint8_t b[32];
    if (item->is_list || rlp_get_u256(item, b))
        return -1;
    *out = u256_from_be(b, 32);
    return 0;
}

static int get_u64(const rlp_item *item, uint64_t *out)
{
    return item->is_list ? -1 : rlp_get_u64(item, out);
}

/* `to`: 20 bytes, or empty for a contract creation. */
static int get_to(const rlp_item *item, struct transaction *tx)
{
    if (item->is_list)
        return -1;
    if (item->payload_len == 0) {
        tx->is_create = true;
        return 0;
    }
    tx->is_create = false;
    return rlp_get_fixed(item, tx->to.bytes, 20);
}

static int get_data(const rlp_item *item, struct transaction *tx)
{
    if (item->is_list)
        return -1;
    tx->data = item->payload;
    tx->data_len = item->payload_len;
    return 0;
}

/* Access list: [[address, [key, ...]], ...] with exact shapes. */
static int check_access_list(const rlp_item *list)
{
    if (!list->is_list)
        return -1;
    rlp_iter it;
    rlp_item entry;
    rlp_iter_init(&it, list);
    int rc;
    while ((rc = rlp_iter_next(&it, &entry)) == 1) {
        rlp_item parts[2], key;
        uint8_t buf[32];
        if (!entry.is_list || rlp_list_exact(&entry, parts, 2) || parts[0].is_list ||
            rlp_get_fixed(&parts[0], buf, 20) || !parts[1].is_list)
            return -1;
        rlp_iter keys;
        rlp_iter_init(&keys, &parts[1]);
        int k;
        while ((k = rlp_iter_next(&keys, &key)) == 1)
            if (key.is_list || rlp_get_fixed(&key, buf, 32))
                return -1;
        if (k != 0)
            return -1;
    }
    return rc == 0 ? 0 : -1;
}

static const uint8_t *item_start(const rlp_item *item)
{
    return item->payload - (item->encoded_len - item->payload_len);
}

/* Remember the bytes of items[0..n) as the signing payload's list body. */
static void set_unsigned(struct transaction *tx, const rlp_item *items, size_t n)
{
    tx->unsigned_items = item_start(&items[0]);
    const rlp_item *last = &items[n - 1];
    tx->unsigned_items_len = (size_t)(item_start(last) + last->encoded_len - tx->unsigned_items);
}

static int decode_legacy(const rlp_item *list, struct transaction *tx)
{
    rlp_item f[9];
    if (rlp_list_exact(list, f, 9) || get_u64(&f[0], &tx->nonce) ||
        get_u256(&f[1], &tx->gas_price) || get_u64(&f[2], &tx->gas) || get_to(&f[3], tx) ||
        get_u256(&f[4], &tx->value) || get_data(&f[5], tx) || get_u256(&f[6], &tx->v) ||
        get_u256(&f[7], &tx->r) || get_u256(&f[8], &tx->s))
        return EVM_TX_MALFORMED;
    set_unsigned(tx, f, 6);
    if (!u256_fits_u64(&tx->v))
        return EVM_TX_BAD_SIGNATURE;
    uint64_t v = u256_low64(&tx->v);
    if (v == 27 || v == 28) {
        tx->has_chain_id = false;
    } else if (v >= 35) {
        tx->has_chain_id = true;
        tx->chain_id = (v - 35) / 2;
    } else {
        return EVM_TX_BAD_SIGNATURE;
    }
    return EVM_TX_OK;
}

static int decode_typed(const rlp_item *list, struct transaction *tx)
{
    bool fee_market = tx->type == TX_TYPE_FEE_MARKET;
    size_t n = fee_market ? 12 : 11, i = 0;
    rlp_item f[12];
    if (rlp_list_exact(list, f, n) || get_u64(&f[i++], &tx->chain_id) ||
        get_u64(&f[i++], &tx->nonce))
        return EVM_TX_MALFORMED;
    if (fee_market) {
        if (get_u256(&f[i++], &tx->max_priority_fee_per_gas) ||
            get_u256(&f[i++], &tx->max_fee_per_gas))
            return EVM_TX_MALFORMED;
    } else if (get_u256(&f[i++], &tx->gas_price)) {
        return EVM_TX_MALFORMED;
    }
    if (get_u64(&f[i++], &tx->gas) || get_to(&f[i++], tx) || get_u256(&f[i++], &tx->value) ||
        get_data(&f[i++], tx) || check_access_list(&f[i]))
        return EVM_TX_MALFORMED;
    tx->access_list = f[i++];
    if (get_u256(&f[i++], &tx->v) || get_u256(&f[i++], &tx->r) || get_u256(&f[i++], &tx->s))
        return EVM_TX_MALFORMED;
    tx->has_chain_id = true;
    set_unsigned(tx, f, n - 3);
    return EVM_TX_OK;
}

static int decode_deposit(const rlp_item *list, struct transaction *tx)
{
    rlp_item f[8];
    uint64_t is_system;
    if (rlp_list_exact(list, f, 8) || f[0].is_list || rlp_get_fixed(&f[0], tx->source_hash, 32) ||
        f[1].is_list || rlp_get_fixed(&f[1], tx->from.bytes, 20) || get_to(&f[2], tx) ||
        get_u256(&f[3], &tx->mint) || get_u256(&f[4], &tx->value) || get_u64(&f[5], &tx->gas) ||
        get_u64(&f[6], &is_system) || get_data(&f[7], tx))
        return EVM_TX_MALFORMED;
    /* SPEC §3.2: isSystemTx is always false. */
    if (is_system != 0)
        return EVM_TX_MALFORMED;
    return EVM_TX_OK;
}

int transaction_decode(const uint8_t *raw, size_t len, struct transaction *tx)
{
    static const uint8_t empty_list[1] = {0xc0};
    memset(tx, 0, sizeof *tx);
    rlp_decode(empty_list, 1, &tx->access_list);
    if (len == 0)
        return EVM_TX_MALFORMED;
    rlp_item list;
    if (raw[0] >= 0xc0) {
        tx->type = TX_TYPE_LEGACY;
        if (rlp_decode(raw, len, &list) || !list.is_list)
            return EVM_TX_MALFORMED;
        return decode_legacy(&list, tx);
    }
    tx->type = raw[0];
    if (tx->type != TX_TYPE_ACCESS_LIST && tx->type != TX_TYPE_FEE_MARKET &&
        tx->type != TX_TYPE_DEPOSIT)
        return EVM_TX_TYPE_NOT_SUPPORTED;
    if (rlp_decode(raw + 1, len - 1, &list) || !list.is_list)
        return EVM_TX_MALFORMED;
    return tx->type == TX_TYPE_DEPOSIT ? decode_deposit(&list, tx) : decode_typed(&list, tx);
}

/* keccak of what the sender signed. */
static void signing_hash(const struct transaction *tx, uint8_t out[32])
{
    rlp_buf b;
    rlp_buf_init(&b);
    if (tx->type != TX_TYPE_LEGACY)
        rlp_buf_append(&b, &tx->type, 1);
    size_t mark = rlp_list_begin(&b);
    rlp_buf_append(&b, tx->unsigned_items, tx->unsigned_items_len);
    if (tx->type == TX_TYPE_LEGACY && tx->has_chain_id) {
        rlp_put_u64(&b, tx->chain_id);
        rlp_put_u64(&b, 0);
        rlp_put_u64(&b, 0);
    }
    rlp_list_end(&b, mark);
    keccak256(b.data, b.len, out);
    rlp_buf_free(&b);
}

int transaction_sender(const struct transaction *tx, const struct evm_block_env *env,
                       evm_address *sender)
{
    u256 n = u256_from_be(SECP256K1N, 32);
    u256 one = u256_from_u64(1);
    u256 half_n = u256_shr(&one, &n);
    if (u256_is_zero(&tx->r) || !u256_lt(&tx->r, &n) || u256_is_zero(&tx->s) ||
        u256_lt(&half_n, &tx->s))
        return EVM_TX_BAD_SIGNATURE;
    uint64_t parity;
    if (tx->type == TX_TYPE_LEGACY) {
        uint64_t v = u256_low64(&tx->v);
        if (!tx->has_chain_id) {
            if (!env->allow_unprotected_legacy)
                return EVM_TX_BAD_SIGNATURE;
            parity = v - 27;
        } else {
            parity = (v - 35) % 2;
        }
    } else {
        if (!u256_fits_u64(&tx->v) || u256_low64(&tx->v) > 1)
            return EVM_TX_BAD_SIGNATURE;
        parity = u256_low64(&tx->v);
    }
    if (tx->has_chain_id && tx->chain_id != env->chain_id)
        return EVM_TX_WRONG_CHAIN_ID;

    uint8_t input[128] = {0};
    signing_hash(tx, input);
    input[63] = (uint8_t)(27 + parity);
    u256_to_be(&tx->r, input + 64);
    u256_to_be(&tx->s, input + 96);
    static const uint8_t ecrecover_address[20] = {[19] = 1};
    uint8_t *out;
    size_t out_len;
    int ok = precompile_call(ecrecover_address, 3000, input, sizeof input, &out, &out_len);
    int result = EVM_TX_BAD_SIGNATURE;
    if (ok && out_len == 32) {
        memcpy(sender->bytes, out + 12, 20);
        result = EVM_TX_OK;
    }
    free(out);
    return result;
}

uint64_t transaction_intrinsic_gas(const struct transaction *tx)
{
    uint64_t gas = TX_BASE_COST;
    for (size_t i = 0; i < tx->data_len; i++)
        gas += tx->data[i] ? TX_DATA_COST_PER_NON_ZERO : TX_DATA_COST_PER_ZERO;
    if (tx->is_create)
        gas += TX_CREATE_COST + GAS_INIT_CODE_WORD_COST * ((tx->data_len + 31) / 32);
    rlp_iter it;
    rlp_item entry;
    rlp_iter_init(&it, &tx->access_list);
    while (rlp_iter_next(&it, &entry) == 1) {
        rlp_item parts[2];
        rlp_list_exact(&entry, parts, 2);
        gas += TX_ACCESS_LIST_ADDRESS_COST +
               TX_ACCESS_LIST_STORAGE_KEY_COST * (uint64_t)rlp_list_count(&parts[1]);
    }
    return gas;
}
