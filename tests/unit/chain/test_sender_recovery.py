"""Direct sender recovery (``chain/transactions.verify_user_transaction``) against py-evm's
recovery through eth-keys and eth-account's: random signed transactions of every user type
(legacy with and without EIP-155, access-list, dynamic-fee; creations, long data, access lists,
other chain ids) and mangled signatures (high s, parities and v values out of range, r or s
zero or past the curve order, random r and s) are accepted with the same sender or refused
with the same reason (SPEC §3.1)."""

from __future__ import annotations

import random

import rlp
from eth.vm.forks.cancun.transactions import CancunTransactionBuilder
from eth_account import Account
from eth_utils import to_checksum_address

from rollup_node.chain.transactions import (
    decode_user_transaction,
    user_fields,
    verify_user_transaction,
)
from rollup_node.protocol.errors import RejectReason, TransactionRejected
from rollup_node.protocol.transaction_validity import SECP256K1N, check_signature

CHAIN_ID = 901
KEYS = [Account.from_key(bytes([i + 1]) * 32) for i in range(4)]

Outcome = bytes | RejectReason


def _random_transaction(rng: random.Random) -> dict:
    kind = rng.choice(("legacy", "access_list", "dynamic"))
    size = rng.choice((0, 1, 40, 60, 300, 70_000))
    tx: dict = {
        "chainId": rng.choice((CHAIN_ID, CHAIN_ID, CHAIN_ID, 1, 2**40)),
        "nonce": rng.choice((0, 1, 127, 128, 2**63)),
        "gas": rng.choice((21_000, 1_000_000, 30_000_000)),
        "value": rng.choice((0, 1, 10**18, 2**255)),
        "data": "0x" + rng.randbytes(size).hex(),
    }
    if rng.random() < 0.8:
        tx["to"] = to_checksum_address(rng.randbytes(20))
    if kind == "dynamic":
        tx["maxFeePerGas"] = rng.choice((1, 10**9, 2**100))
        tx["maxPriorityFeePerGas"] = rng.choice((0, 1, 10**9))
    else:
        tx["gasPrice"] = rng.choice((0, 1, 10**9, 2**100))
    if kind != "legacy" or rng.random() < 0.3:
        tx["accessList"] = [
            {
                "address": to_checksum_address(rng.randbytes(20)),
                "storageKeys": ["0x" + rng.randbytes(32).hex() for _ in range(rng.randrange(3))],
            }
            for _ in range(rng.randrange(3))
        ]
    return tx


def _resign(raw: bytes, v: int, r: int, s: int) -> bytes:
    """``raw`` with its signature values replaced (the rest of the encoding kept)."""
    typed = raw[0] < 0xC0
    items = rlp.decode(raw[1:] if typed else raw)
    encoded = rlp.encode(items[:-3] + [v, r, s])
    return raw[:1] + encoded if typed else encoded


def _mangled(rng: random.Random, raw: bytes) -> bytes:
    legacy = raw[0] >= 0xC0
    v, r, s = (int.from_bytes(item, "big") for item in rlp.decode(raw if legacy else raw[1:])[-3:])
    choice = rng.randrange(8)
    if choice == 0:  # the same signature with high s: valid on the curve, refused by the rule
        parity_flip = 1 if legacy else 0
        return _resign(raw, (v + 1 if v % 2 == parity_flip else v - 1), r, SECP256K1N - s)
    if choice == 1:  # parity or v out of range
        bad_v = rng.choice((2, 3, 255) if not legacy else (0, 1, 26, 29, 34, 27, 28))
        return _resign(raw, bad_v, r, s)
    if choice == 2:  # legacy v of another chain; typed: the other parity (another signer)
        return _resign(raw, v + 2 if legacy else 1 - v, r, s)
    if choice == 3:
        return _resign(raw, v, 0, s)
    if choice == 4:
        return _resign(raw, v, r, 0)
    if choice == 5:
        return _resign(raw, v, SECP256K1N + rng.randrange(2**32), s)
    if choice == 6:  # random r and low s: usually no key, sometimes another address
        return _resign(raw, v, rng.randrange(1, SECP256K1N), rng.randrange(1, SECP256K1N // 2))
    return _resign(raw, v, r, s - 1)  # one bit of s off: another address or none


def _direct(raw: bytes) -> Outcome:
    try:
        verified = verify_user_transaction(raw, CHAIN_ID)
    except TransactionRejected as exc:
        return exc.reason
    # py-evm's cached sender is filled with the one recovered, so execution does not recover it
    assert verified.tx.__dict__["sender"] == verified.sender
    assert verified.record.sender == verified.sender
    return verified.sender


def _reference(raw: bytes) -> Outcome:
    """py-evm's path: decoded, the rule's signature checks, then eth-keys on a fresh decode."""
    try:
        fields = user_fields(decode_user_transaction(raw))
        check_signature(fields, CHAIN_ID)
    except TransactionRejected as exc:
        return exc.reason
    try:
        return CancunTransactionBuilder.decode(raw).sender
    except Exception:  # eth-keys refuses parity, or no key recovers
        return RejectReason.BAD_SIGNATURE


def test_same_sender_or_same_refusal_as_py_evm_and_eth_account() -> None:
    rng = random.Random(2026)
    outcomes: dict[str, int] = {}
    for i in range(400):
        key = KEYS[i % len(KEYS)]
        raw = bytes(Account.sign_transaction(_random_transaction(rng), key.key).raw_transaction)
        if i % 2:
            raw = _mangled(rng, raw)
        direct, reference = _direct(raw), _reference(raw)
        assert direct == reference, (i, raw.hex()[:80])
        if isinstance(direct, bytes):
            assert Account.recover_transaction(raw).lower() == "0x" + direct.hex()
            if i % 2 == 0:
                assert direct.hex() == key.address[2:].lower()
            outcomes["sender"] = outcomes.get("sender", 0) + 1
        else:
            outcomes[direct.name] = outcomes.get(direct.name, 0) + 1
    # The random cases reach every branch the test is about.
    assert outcomes["sender"] > 150, outcomes
    assert outcomes["BAD_SIGNATURE"] > 40, outcomes
    assert outcomes["WRONG_CHAIN_ID"] > 20, outcomes


def test_pre_eip155_legacy_refused_before_recovery() -> None:
    tx = {"nonce": 0, "gas": 21_000, "gasPrice": 1, "to": "0x" + "11" * 20, "value": 0}
    raw = bytes(Account.sign_transaction(tx, KEYS[0].key).raw_transaction)
    assert raw[0] >= 0xC0
    assert _direct(raw) == _reference(raw) == RejectReason.WRONG_CHAIN_ID
