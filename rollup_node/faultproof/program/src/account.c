/*
 * account.c - account and storage reads (see account.h).
 */
#include "account.h"

#include "fp_libc.h"
#include "keccak.h"
#include "rlp.h"

static void check(int r) {
    if (r == MPT_ERR_MISSING) fp_panic("state trie node missing");
    if (r != MPT_OK) fp_panic("state trie node malformed");
}

int account_read(mpt *state, const uint8_t address[20], account *out) {
    uint8_t key[32];
    const uint8_t *value;
    size_t len;
    keccak256(address, 20, key);
    check(mpt_get(state, key, 32, &value, &len));
    memset(out, 0, sizeof *out);
    memcpy(out->storage_root, MPT_EMPTY_ROOT, 32);
    memcpy(out->code_hash, KECCAK_EMPTY, 32);
    if (value == NULL) return 0;
    rlp_item item, f[4];
    if (rlp_decode(value, len, &item) || rlp_list_exact(&item, f, 4) ||
        rlp_get_u64(&f[0], &out->nonce) || rlp_get_u256(&f[1], out->balance) ||
        rlp_get_fixed(&f[2], out->storage_root, 32) || rlp_get_fixed(&f[3], out->code_hash, 32))
        fp_panic("account does not decode");
    return 1;
}

void storage_read(mpt *storage, const uint8_t slot[32], uint8_t value[32]) {
    uint8_t key[32];
    const uint8_t *v;
    size_t len;
    keccak256(slot, 32, key);
    check(mpt_get(storage, key, 32, &v, &len));
    memset(value, 0, 32);
    if (v == NULL) return;
    rlp_item item;
    if (rlp_decode(v, len, &item) || rlp_get_u256(&item, value))
        fp_panic("storage value does not decode");
}

void slot_add(uint8_t slot[32], uint64_t offset) {
    uint64_t carry = offset;
    for (int i = 31; i >= 0 && carry; i--) {
        uint64_t v = slot[i] + (carry & 0xff);
        slot[i] = (uint8_t)v;
        carry = (carry >> 8) + (v >> 8);
    }
}

void slot_of(uint64_t p, uint8_t out[32]) {
    memset(out, 0, 24);
    fp_put_be64(out + 24, p);
}

void array_data_slot(uint64_t p, uint8_t out[32]) {
    uint8_t s[32];
    slot_of(p, s);
    keccak256(s, 32, out);
}
