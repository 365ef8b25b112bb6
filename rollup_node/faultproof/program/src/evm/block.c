/*
 * block.c - applying a block's transactions in order (execution-specs'
 * fork.py process_transaction, plus the rollup's deposits and L1 data fee
 * of SPEC §3) and computing the header's roots, bloom and gas used.
 */
#include "../fp_libc.h"
#include "../keccak.h"
#include "../mpt.h"
#include "../rlp.h"
#include "bignum.h"
#include "gas.h"
#include "receipt.h"
#include "transaction.h"
#include "vm.h"

struct evm_block {
    struct evm_state *state;
    const struct evm_block_env *env;
    uint64_t gas_used;
    size_t count;
    mpt transactions; /* index -> raw transaction */
    mpt receipts;     /* index -> encoded receipt */
    uint8_t bloom[256];
};

const char *evm_tx_error_name(int error)
{
    static const char *const names[] = {
        "ok", "malformed", "type not supported", "bad signature", "wrong chain id",
        "nonce mismatch", "nonce overflow", "sender has code", "intrinsic gas too high",
        "gas above block gas left", "priority fee above max fee", "fee below base fee",
        "insufficient funds", "init code too large",
    };
    return error >= 0 && error <= EVM_TX_INITCODE_TOO_LARGE ? names[error] : "unknown";
}

static uint8_t *no_nodes(void *ctx, const uint8_t hash[32], size_t *len)
{
    (void)ctx;
    (void)hash;
    (void)len;
    return NULL;
}

struct evm_block *evm_block_begin(const uint8_t pre_state_root[32], evm_preimage_fn preimage,
                                  void *preimage_ctx, const struct evm_block_env *env)
{
    struct evm_block *b = calloc(1, sizeof *b);
    b->state = state_open(pre_state_root, preimage, preimage_ctx);
    b->env = env;
    mpt_init(&b->transactions, MPT_EMPTY_ROOT, no_nodes, NULL);
    mpt_init(&b->receipts, MPT_EMPTY_ROOT, no_nodes, NULL);
    return b;
}

/* gas * price + extra, or false if it exceeds 2^256 - 1. */
static bool total_cost(uint64_t gas, const u256 *price, const u256 *extra, u256 *out)
{
    uint32_t g[2] = {(uint32_t)gas, (uint32_t)(gas >> 32)}, prod[10];
    bn_mul(price->w, 8, g, 2, prod);
    if (prod[8] || prod[9])
        return false;
    u256 p;
    for (int i = 0; i < 8; i++)
        p.w[i] = prod[i];
    *out = u256_add(&p, extra);
    return !u256_lt(out, &p);
}

/* SPEC §3.4: (calldataGas(raw) + overhead) * l1BaseFee * scalar / 1e6. */
static u256 l1_data_fee(const struct evm_block_env *env, const uint8_t *raw, size_t len)
{
    uint64_t gas = env->l1_fee_overhead;
    for (size_t i = 0; i < len; i++)
        gas += raw[i] ? TX_DATA_COST_PER_NON_ZERO : TX_DATA_COST_PER_ZERO;
    u256 g = u256_from_u64(gas), scalar = u256_from_u64(env->l1_fee_scalar);
    u256 million = u256_from_u64(1000000);
    u256 fee = u256_mul(&g, &env->l1_base_fee);
    fee = u256_mul(&fee, &scalar);
    return u256_div(&fee, &million);
}

static void add_balance(struct evm_state *st, const evm_address *a, const u256 *amount)
{
    u256 b = state_get_balance(st, a);
    b = u256_add(&b, amount);
    state_set_balance(st, a, &b);
}

/* The accounts and slots a transaction starts with warm. */
static void warm_up(struct evm_state *st, const struct transaction *tx, const evm_address *sender,
                    const evm_address *target, const struct evm_block_env *env)
{
    state_warm_address(st, sender);
    state_warm_address(st, target);
    state_warm_address(st, &env->coinbase);
    for (int i = 1; i <= 10; i++) {
        evm_address p = {{0}};
        p.bytes[19] = (uint8_t)i;
        state_warm_address(st, &p);
    }
    rlp_iter it;
    rlp_item entry;
    rlp_iter_init(&it, &tx->access_list);
    while (rlp_iter_next(&it, &entry) == 1) {
        rlp_item parts[2], key;
        evm_address a;
        rlp_list_exact(&entry, parts, 2);
        rlp_get_fixed(&parts[0], a.bytes, 20);
        state_warm_address(st, &a);
        rlp_iter keys;
        rlp_iter_init(&keys, &parts[1]);
        while (rlp_iter_next(&keys, &key) == 1) {
            u256 k = u256_from_be(key.payload, 32);
            state_warm_slot(st, &a, &k);
        }
    }
}

/* The transaction's top-level message. */
static void prepare_message(struct evm_state *st, const struct transaction *tx,
                            const evm_address *sender, uint64_t sender_nonce, uint64_t gas,
                            struct evm_message *msg)
{
    memset(msg, 0, sizeof *msg);
    msg->caller = *sender;
    msg->value = tx->value;
    msg->gas = gas;
    msg->should_transfer_value = true;
    if (tx->is_create) {
        msg->is_create = true;
        msg->target = compute_contract_address(sender, sender_nonce);
        msg->code = tx->data;
        msg->code_len = tx->data_len;
    } else {
        msg->target = tx->to;
        msg->data = tx->data;
        msg->data_len = tx->data_len;
        msg->code = state_get_code(st, &tx->to, &msg->code_len);
    }
    msg->code_address = msg->target;
}

/* Refund (capped at a fifth of the gas used) and return the gas used. */
static uint64_t gas_used_after_refund(uint64_t gas, const struct evm_frame *f)
{
    uint64_t used = gas - f->gas_left;
    uint64_t refund = status_is_error(f->status) || f->refund < 0 ? 0 : (uint64_t)f->refund;
    if (refund > used / 5)
        refund = used / 5;
    return used - refund;
}

/* Checks of SPEC §3.1 / execution-specs' check_transaction for user txs;
 * sets the effective gas price and the total the sender must hold. */
static int validate(struct evm_block *b, const struct transaction *tx, const evm_address *sender,
                    uint64_t intrinsic, const u256 *l1_fee, u256 *effective_price)
{
    struct evm_state *st = b->state;
    const struct evm_block_env *env = b->env;
    if (intrinsic > tx->gas)
        return EVM_TX_INTRINSIC_GAS;
    if (tx->nonce == UINT64_MAX)
        return EVM_TX_NONCE_OVERFLOW;
    if (tx->is_create && tx->data_len > MAX_INITCODE_SIZE)
        return EVM_TX_INITCODE_TOO_LARGE;
    if (tx->gas > env->gas_limit - b->gas_used)
        return EVM_TX_BLOCK_GAS;
    const u256 *max_price;
    if (tx->type == TX_TYPE_FEE_MARKET) {
        if (u256_lt(&tx->max_fee_per_gas, &tx->max_priority_fee_per_gas))
            return EVM_TX_FEE_ORDER;
        if (u256_lt(&tx->max_fee_per_gas, &env->base_fee))
            return EVM_TX_FEE_TOO_LOW;
        u256 headroom = u256_sub(&tx->max_fee_per_gas, &env->base_fee);
        const u256 *priority = u256_lt(&headroom, &tx->max_priority_fee_per_gas)
                                   ? &headroom
                                   : &tx->max_priority_fee_per_gas;
        *effective_price = u256_add(priority, &env->base_fee);
        max_price = &tx->max_fee_per_gas;
    } else {
        if (u256_lt(&tx->gas_price, &env->base_fee))
            return EVM_TX_FEE_TOO_LOW;
        *effective_price = tx->gas_price;
        max_price = &tx->gas_price;
    }
    if (state_get_nonce(st, sender) != tx->nonce)
        return EVM_TX_NONCE_MISMATCH;
    /* A sender with code cannot sign (EIP-3607). */
    uint8_t code_hash[32];
    state_get_code_hash(st, sender, code_hash);
    if (memcmp(code_hash, KECCAK_EMPTY, 32) != 0)
        return EVM_TX_SENDER_HAS_CODE;
    u256 extra = u256_add(&tx->value, l1_fee), need;
    if (u256_lt(&extra, &tx->value) || !total_cost(tx->gas, max_price, &extra, &need))
        return EVM_TX_INSUFFICIENT_FUNDS;
    u256 balance = state_get_balance(st, sender);
    if (u256_lt(&balance, &need))
        return EVM_TX_INSUFFICIENT_FUNDS;
    return EVM_TX_OK;
}

static void run_user_transaction(struct evm_block *b, const struct transaction *tx,
                                 const evm_address *sender, const uint8_t *raw, size_t len,
                                 struct evm_tx_outcome *out)
{
    struct evm_state *st = b->state;
    const struct evm_block_env *env = b->env;
    uint64_t intrinsic = transaction_intrinsic_gas(tx);
    u256 l1_fee = env->l1_fee_enabled ? l1_data_fee(env, raw, len) : u256_zero();
    u256 price;
    out->error = validate(b, tx, sender, intrinsic, &l1_fee, &price);
    if (out->error != EVM_TX_OK)
        return;

    /* Buy the gas (and pay the L1 fee), bump the nonce. */
    u256 gas_fee, balance = state_get_balance(st, sender);
    total_cost(tx->gas, &price, &l1_fee, &gas_fee);
    balance = u256_sub(&balance, &gas_fee);
    state_set_balance(st, sender, &balance);
    state_set_nonce(st, sender, tx->nonce + 1);

    struct evm evm = {.state = st, .block = env, .tx = {.origin = *sender, .gas_price = price}};
    struct evm_message msg;
    prepare_message(st, tx, sender, tx->nonce, tx->gas - intrinsic, &msg);
    warm_up(st, tx, sender, &msg.target, env);
    struct evm_frame *f = process_message_call(&evm, &msg);

    uint64_t gas_used = gas_used_after_refund(tx->gas, f);
    /* Return the unused gas at the price paid; tip the coinbase. */
    u256 unused = u256_from_u64(tx->gas - gas_used);
    u256 refund_wei = u256_mul(&unused, &price);
    add_balance(st, sender, &refund_wei);
    u256 used = u256_from_u64(gas_used);
    u256 tip = u256_sub(&price, &env->base_fee);
    tip = u256_mul(&used, &tip);
    add_balance(st, &env->coinbase, &tip);
    state_touch(st, &env->coinbase);
    if (env->l1_fee_enabled)
        add_balance(st, &env->l1_fee_vault, &l1_fee);

    out->success = !status_is_error(f->status);
    out->gas_used = gas_used;
}

/* SPEC §3.2: mint first, no fees; a failure keeps the mint and the nonce. */
static void run_deposit(struct evm_block *b, const struct transaction *tx,
                        struct evm_tx_outcome *out, uint64_t *deposit_nonce)
{
    struct evm_state *st = b->state;
    const struct evm_block_env *env = b->env;
    const evm_address *from = &tx->from;
    add_balance(st, from, &tx->mint);
    uint64_t nonce = state_get_nonce(st, from);
    *deposit_nonce = nonce;
    state_set_nonce(st, from, nonce + 1);
    out->error = EVM_TX_OK;
    out->success = false;
    out->gas_used = tx->gas;

    uint64_t intrinsic = transaction_intrinsic_gas(tx);
    u256 balance = state_get_balance(st, from);
    if (intrinsic > tx->gas || u256_lt(&balance, &tx->value) ||
        (tx->is_create && tx->data_len > MAX_INITCODE_SIZE) || nonce == UINT64_MAX)
        return;
    struct evm evm = {.state = st, .block = env, .tx = {.origin = *from}};
    struct evm_message msg;
    prepare_message(st, tx, from, nonce, tx->gas - intrinsic, &msg);
    warm_up(st, tx, from, &msg.target, env);
    struct evm_frame *f = process_message_call(&evm, &msg);
    if (status_is_error(f->status))
        return;
    out->success = true;
    out->gas_used = gas_used_after_refund(tx->gas, f);
}

void evm_block_apply(struct evm_block *b, const uint8_t *raw, size_t len,
                     struct evm_tx_outcome *out)
{
    struct transaction tx;
    memset(out, 0, sizeof *out);
    state_begin_transaction(b->state);
    out->error = transaction_decode(raw, len, &tx);
    if (out->error != EVM_TX_OK)
        return;
    uint64_t deposit_nonce = 0;
    if (tx.type == TX_TYPE_DEPOSIT) {
        run_deposit(b, &tx, out, &deposit_nonce);
    } else {
        evm_address sender;
        out->error = transaction_sender(&tx, b->env, &sender);
        if (out->error != EVM_TX_OK)
            return;
        run_user_transaction(b, &tx, &sender, raw, len, out);
        if (out->error != EVM_TX_OK)
            return;
    }
    state_finish_transaction(b->state);
    out->logs = state_logs(b->state, &out->log_count);
    b->gas_used += out->gas_used;

    /* Record the transaction and its receipt under rlp(index). */
    rlp_buf key, receipt;
    rlp_buf_init(&key);
    rlp_put_u64(&key, b->count);
    receipt_encode(tx.type, out->success, b->gas_used, out->logs, out->log_count,
                   tx.type == TX_TYPE_DEPOSIT ? &deposit_nonce : NULL, &receipt);
    if (mpt_put(&b->transactions, key.data, key.len, raw, len) != MPT_OK ||
        mpt_put(&b->receipts, key.data, key.len, receipt.data, receipt.len) != MPT_OK)
        fp_panic("receipt trie write failed");
    logs_bloom_add(b->bloom, out->logs, out->log_count);
    rlp_buf_free(&key);
    rlp_buf_free(&receipt);
    b->count++;
}

void evm_block_finish(struct evm_block *b, struct evm_block_result *out)
{
    static const evm_address message_passer = {EVM_MESSAGE_PASSER_ADDRESS};
    state_commit(b->state, out->state_root);
    state_storage_root(b->state, &message_passer, out->message_passer_storage_root);
    if (mpt_root(&b->transactions, out->transactions_root) != MPT_OK ||
        mpt_root(&b->receipts, out->receipts_root) != MPT_OK)
        fp_panic("receipt trie hash failed");
    memcpy(out->logs_bloom, b->bloom, 256);
    out->gas_used = b->gas_used;
    out->transaction_count = b->count;
    mpt_free(&b->transactions);
    mpt_free(&b->receipts);
    state_close(b->state);
    free(b);
}
