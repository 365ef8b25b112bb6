/*
 * address.c - 20-byte addresses: conversion from and to stack words, and
 * the addresses of contracts made by CREATE and CREATE2.
 */
#include "../keccak.h"
#include "../rlp.h"
#include "vm.h"

u256 address_to_word(const evm_address *a)
{
    return u256_from_be(a->bytes, 20);
}

evm_address word_to_address(const u256 *w)
{
    uint8_t b[32];
    evm_address a;
    u256_to_be(w, b);
    memcpy(a.bytes, b + 12, 20);
    return a;
}

/* keccak(rlp([sender, nonce]))[12:] */
evm_address compute_contract_address(const evm_address *sender, uint64_t nonce)
{
    rlp_buf b;
    rlp_buf_init(&b);
    size_t mark = rlp_list_begin(&b);
    rlp_put_bytes(&b, sender->bytes, 20);
    rlp_put_u64(&b, nonce);
    rlp_list_end(&b, mark);
    uint8_t h[32];
    keccak256(b.data, b.len, h);
    rlp_buf_free(&b);
    evm_address a;
    memcpy(a.bytes, h + 12, 20);
    return a;
}

/* keccak(0xff ‖ sender ‖ salt ‖ keccak(init_code))[12:] */
evm_address compute_create2_address(const evm_address *sender, const uint8_t salt[32],
                                    const uint8_t *init_code, size_t len)
{
    uint8_t preimage[1 + 20 + 32 + 32], h[32];
    preimage[0] = 0xff;
    memcpy(preimage + 1, sender->bytes, 20);
    memcpy(preimage + 21, salt, 32);
    keccak256(init_code, len, preimage + 53);
    keccak256(preimage, sizeof preimage, h);
    evm_address a;
    memcpy(a.bytes, h + 12, 20);
    return a;
}
