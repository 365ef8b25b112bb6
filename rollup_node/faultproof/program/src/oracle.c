/*
 * oracle.c - preimage-oracle client over the VM's file descriptors.
 */
#include "oracle.h"

#include "fp_libc.h"
#include "keccak.h"

uint8_t *preimage_get(const uint8_t key[32], size_t *len) {
    uint8_t header[8];
    fp_write_all(FP_FD_PREIMAGE_WRITE, key, 32);
    fp_read_all(FP_FD_PREIMAGE_READ, header, 8);
    uint64_t n = fp_be64(header);
    if (n > (uint64_t)((size_t)-1 / 2)) fp_panic("preimage too large");
    uint8_t *data = malloc((size_t)n);
    fp_read_all(FP_FD_PREIMAGE_READ, data, (size_t)n);
    *len = (size_t)n;
    return data;
}

uint8_t *preimage_keccak(const uint8_t hash[32], size_t *len) {
    uint8_t key[32], check[32];
    memcpy(key, hash, 32);
    key[0] = PREIMAGE_KEY_KECCAK;
    uint8_t *data = preimage_get(key, len);
    keccak256(data, *len, check);
    if (memcmp(check, hash, 32) != 0) fp_panic("keccak preimage does not match its hash");
    return data;
}

uint8_t *oracle_mpt_node(void *ctx, const uint8_t hash[32], size_t *len) {
    (void)ctx;
    return preimage_keccak(hash, len);
}

uint8_t *oracle_l2_node(void *ctx, const uint8_t hash[32], size_t *len) {
    (void)ctx;
    hint_hash("l2-keccak", hash);
    return preimage_keccak(hash, len);
}

uint8_t *preimage_local(uint32_t ident, size_t *len) {
    uint8_t key[32] = {0};
    key[0] = PREIMAGE_KEY_LOCAL;
    fp_put_be32(key + 28, ident);
    return preimage_get(key, len);
}

void preimage_local_bytes32(uint32_t ident, uint8_t out[32]) {
    size_t len;
    uint8_t *v = preimage_local(ident, &len);
    if (len != 32) fp_panic("local input is not 32 bytes");
    memcpy(out, v, 32);
    free(v);
}

uint64_t preimage_local_u64(uint32_t ident) {
    size_t len;
    uint8_t *v = preimage_local(ident, &len);
    if (len != 8) fp_panic("local input is not a u64");
    uint64_t r = fp_be64(v);
    free(v);
    return r;
}

void hint(const char *type, const uint8_t *data, size_t len) {
    size_t tlen = strlen(type);
    size_t payload = tlen + 1 + len;
    uint8_t *msg = malloc(4 + payload);
    fp_put_be32(msg, (uint32_t)payload);
    memcpy(msg + 4, type, tlen);
    msg[4 + tlen] = ' ';
    memcpy(msg + 5 + tlen, data, len);
    fp_write_all(FP_FD_HINT_WRITE, msg, 4 + payload);
    free(msg);
    uint8_t ack;
    fp_read_all(FP_FD_HINT_READ, &ack, 1);
}

void hint_hash(const char *type, const uint8_t hash[32]) { hint(type, hash, 32); }

int precompile_call(const uint8_t addr[20], uint64_t required_gas, const uint8_t *input,
                    size_t input_len, uint8_t **out, size_t *out_len) {
    size_t n = 20 + 8 + input_len;
    uint8_t *arg = malloc(n);
    memcpy(arg, addr, 20);
    fp_put_be64(arg + 20, required_gas);
    memcpy(arg + 28, input, input_len);
    hint("precompile", arg, n);
    uint8_t key[32];
    keccak256(arg, n, key);
    free(arg);
    key[0] = PREIMAGE_KEY_PRECOMPILE;
    size_t len;
    uint8_t *value = preimage_get(key, &len);
    if (len < 1 || value[0] > 1) fp_panic("malformed precompile result");
    int status = value[0];
    *out_len = len - 1;
    *out = malloc(len - 1);
    memcpy(*out, value + 1, len - 1);
    free(value);
    return status;
}
