/*
 * statetest_main.c - runs Ethereum state-test cases through the EVM
 * (driven by statetest.py, which encodes each GeneralStateTests post entry).
 *
 * stdin: a sequence of cases, each `u32 BE length ‖ rlp(case)`:
 *   case = [env, pre, tx]
 *   env  = [coinbase, number, timestamp, gasLimit, chainId, baseFee, prevRandao, blobBaseFee,
 *           (l1BaseFee, l1FeeOverhead, l1FeeScalar, l1FeeVault)]
 *          the four L1-data-fee items (SPEC §3.4) are optional: present = fee on
 *   pre  = [[address, nonce, balance, code, [[key, value], ...]], ...]
 *   tx   = the signed transaction (EIP-2718 encoding), or a list of them: a block
 * stdout: per case one line `<post state root> <logs hash> <tx error>` (hex,
 * no 0x; the error is "ok" or a reason the transaction was rejected); for a
 * block `<state root> <transactions root> <receipts root> <gas used>
 * <applied transactions> <logs bloom>` (gas and count in decimal).
 *
 * With one argument, the hex keccak of one case, the case is read as a keccak
 * preimage instead: the way to feed it to the MIPS VM, whose stdin is empty.
 *
 * The pre-state is built into an in-memory trie (mpt_memdb) that also holds
 * the code by hash; precompiles served by the host go through the oracle fds.
 * Pre-EIP-155 legacy transactions are accepted, as Ethereum's tests need.
 */
#include "evm/evm.h"
#include "fp_libc.h"
#include "keccak.h"
#include "mpt.h"
#include "mpt_memdb.h"
#include "oracle.h"
#include "rlp.h"

/* 1 = read exactly n bytes, 0 = clean end of input before the first byte. */
static int read_exact(void *buf, size_t n) {
    uint8_t *p = buf;
    size_t got = 0;
    while (got < n) {
        long r = fp_read(FP_FD_STDIN, p + got, n - got);
        if (r < 0) fp_panic("read stdin");
        if (r == 0) {
            if (got == 0) return 0;
            fp_panic("truncated case");
        }
        got += (size_t)r;
    }
    return 1;
}

static void check(int rc, const char *what) {
    if (rc) fp_panic(what);
}

/* Ethereum's state tests define BLOCKHASH(n) as keccak(decimal n). */
static void test_block_hash(void *ctx, uint64_t number, uint8_t out[32]) {
    (void)ctx;
    char digits[24];
    int len = 0;
    do {
        digits[len++] = (char)('0' + number % 10);
        number /= 10;
    } while (number);
    uint8_t text[24];
    for (int i = 0; i < len; i++) text[i] = (uint8_t)digits[len - 1 - i];
    keccak256(text, (size_t)len, out);
}

static void get_address(const rlp_item *item, evm_address *a) {
    check(rlp_get_fixed(item, a->bytes, 20), "bad address");
}

static u256 get_u256(const rlp_item *item) {
    uint8_t b[32];
    check(rlp_get_u256(item, b), "bad integer");
    return u256_from_be(b, 32);
}

static void decode_env(const rlp_item *list, struct evm_block_env *env) {
    rlp_item f[12];
    long count = rlp_list_count(list);
    if (count != 8 && count != 12) fp_panic("bad env");
    check(rlp_list_exact(list, f, (size_t)count), "bad env");
    memset(env, 0, sizeof *env);
    get_address(&f[0], &env->coinbase);
    check(rlp_get_u64(&f[1], &env->number) || rlp_get_u64(&f[2], &env->timestamp) ||
              rlp_get_u64(&f[3], &env->gas_limit) || rlp_get_u64(&f[4], &env->chain_id),
          "bad env integer");
    env->base_fee = get_u256(&f[5]);
    check(rlp_get_fixed(&f[6], env->prev_randao, 32), "bad prevRandao");
    env->blob_base_fee = get_u256(&f[7]);
    env->block_hash = test_block_hash;
    env->allow_unprotected_legacy = true;
    if (count == 12) {
        env->l1_fee_enabled = true;
        env->l1_base_fee = get_u256(&f[8]);
        check(rlp_get_u64(&f[9], &env->l1_fee_overhead) || rlp_get_u64(&f[10], &env->l1_fee_scalar),
              "bad L1 fee parameter");
        get_address(&f[11], &env->l1_fee_vault);
    }
}

/* Storage trie of one account; returns its root. */
static void build_storage(const rlp_item *slots, mpt_memdb *db, uint8_t root[32]) {
    mpt t;
    mpt_init(&t, MPT_EMPTY_ROOT, mpt_memdb_get, db);
    rlp_iter it;
    rlp_item slot;
    rlp_iter_init(&it, slots);
    while (rlp_iter_next(&it, &slot) == 1) {
        rlp_item kv[2];
        uint8_t key[32], hashed[32], value[32];
        check(rlp_list_exact(&slot, kv, 2) || rlp_get_u256(&kv[0], key) ||
                  rlp_get_u256(&kv[1], value),
              "bad storage slot");
        keccak256(key, 32, hashed);
        rlp_buf v;
        rlp_buf_init(&v);
        rlp_put_u256(&v, value);
        /* a zero value is "absent": rlp of zero is 0x80, skip it */
        if (kv[1].payload_len) check(mpt_put(&t, hashed, 32, v.data, v.len), "storage put");
        rlp_buf_free(&v);
    }
    check(mpt_commit(&t, root, mpt_memdb_put, db), "storage commit");
    mpt_free(&t);
}

static void build_pre_state(const rlp_item *pre, mpt_memdb *db, uint8_t root[32]) {
    mpt t;
    mpt_init(&t, MPT_EMPTY_ROOT, mpt_memdb_get, db);
    rlp_iter it;
    rlp_item account;
    rlp_iter_init(&it, pre);
    while (rlp_iter_next(&it, &account) == 1) {
        rlp_item f[5];
        evm_address a;
        uint8_t balance[32], storage_root[32], code_hash[32], key[32];
        uint64_t nonce;
        check(rlp_list_exact(&account, f, 5), "bad account");
        get_address(&f[0], &a);
        check(rlp_get_u64(&f[1], &nonce) || rlp_get_u256(&f[2], balance), "bad account field");
        keccak256(f[3].payload, f[3].payload_len, code_hash);
        mpt_memdb_put(db, code_hash, f[3].payload, f[3].payload_len);
        build_storage(&f[4], db, storage_root);
        rlp_buf v;
        rlp_buf_init(&v);
        size_t mark = rlp_list_begin(&v);
        rlp_put_u64(&v, nonce);
        rlp_put_u256(&v, balance);
        rlp_put_bytes(&v, storage_root, 32);
        rlp_put_bytes(&v, code_hash, 32);
        rlp_list_end(&v, mark);
        keccak256(a.bytes, 20, key);
        check(mpt_put(&t, key, 32, v.data, v.len), "account put");
        rlp_buf_free(&v);
    }
    check(mpt_commit(&t, root, mpt_memdb_put, db), "state commit");
    mpt_free(&t);
}

static void run_case(const uint8_t *data, size_t len) {
    rlp_item root_item, parts[3];
    check(rlp_decode(data, len, &root_item) || rlp_list_exact(&root_item, parts, 3),
          "bad case");
    struct evm_block_env env;
    decode_env(&parts[0], &env);
    mpt_memdb db;
    mpt_memdb_init(&db);
    uint8_t pre_root[32];
    build_pre_state(&parts[1], &db, pre_root);

    struct evm_block *block = evm_block_begin(pre_root, mpt_memdb_get, &db, &env);
    struct evm_tx_outcome outcome;
    struct evm_block_result result;
    if (parts[2].is_list) {
        rlp_iter it;
        rlp_item tx;
        rlp_iter_init(&it, &parts[2]);
        while (rlp_iter_next(&it, &tx) == 1)
            evm_block_apply(block, tx.payload, tx.payload_len, &outcome);
        evm_block_finish(block, &result);
        mpt_memdb_free(&db);
        fp_put_hex(FP_FD_STDOUT, result.state_root, 32);
        fp_puts(FP_FD_STDOUT, " ");
        fp_put_hex(FP_FD_STDOUT, result.transactions_root, 32);
        fp_puts(FP_FD_STDOUT, " ");
        fp_put_hex(FP_FD_STDOUT, result.receipts_root, 32);
        fp_puts(FP_FD_STDOUT, " ");
        fp_put_u64(FP_FD_STDOUT, result.gas_used);
        fp_puts(FP_FD_STDOUT, " ");
        fp_put_u64(FP_FD_STDOUT, result.transaction_count);
        fp_puts(FP_FD_STDOUT, " ");
        fp_put_hex(FP_FD_STDOUT, result.logs_bloom, 256);
        fp_puts(FP_FD_STDOUT, "\n");
        return;
    }
    evm_block_apply(block, parts[2].payload, parts[2].payload_len, &outcome);
    uint8_t logs_hash[32];
    evm_logs_hash(outcome.logs, outcome.log_count, logs_hash);
    evm_block_finish(block, &result);
    mpt_memdb_free(&db);

    fp_put_hex(FP_FD_STDOUT, result.state_root, 32);
    fp_puts(FP_FD_STDOUT, " ");
    fp_put_hex(FP_FD_STDOUT, logs_hash, 32);
    fp_puts(FP_FD_STDOUT, " ");
    fp_puts(FP_FD_STDOUT, evm_tx_error_name(outcome.error));
    fp_puts(FP_FD_STDOUT, "\n");
}

static int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    fp_panic("case hash must be 64 lowercase hex digits");
}

int main(int argc, char **argv) {
    if (argc == 2) {
        uint8_t hash[32];
        if (strlen(argv[1]) != 64) fp_panic("case hash must be 64 lowercase hex digits");
        for (int i = 0; i < 32; i++)
            hash[i] = (uint8_t)(hex_value(argv[1][2 * i]) << 4 | hex_value(argv[1][2 * i + 1]));
        size_t len;
        uint8_t *data = preimage_keccak(hash, &len);
        run_case(data, len);
        free(data);
        return 0;
    }
    uint8_t header[4];
    while (read_exact(header, 4)) {
        size_t len = fp_be32(header);
        uint8_t *data = malloc(len ? len : 1);
        read_exact(data, len);
        run_case(data, len);
        free(data);
    }
    return 0;
}
