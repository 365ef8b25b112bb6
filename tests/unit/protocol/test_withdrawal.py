"""Withdrawal hashes, their sentMessages slot and MessagePassed logs (SPEC §7)."""

from __future__ import annotations

import pytest
from eth_abi import encode as abi_encode
from eth_hash.auto import keccak

from rollup_node.protocol.withdrawal import (
    MESSAGE_PASSED_TOPIC,
    Withdrawal,
    decode_message_passed,
)

W = Withdrawal(7, b"\x11" * 20, b"\x22" * 20, 10**18, 100_000, b"\xca\xfe")


def log_of(w: Withdrawal, recorded: bytes | None = None) -> tuple[list[bytes], bytes]:
    topics = [
        MESSAGE_PASSED_TOPIC,
        w.nonce.to_bytes(32, "big"),
        w.sender.rjust(32, b"\x00"),
        w.target.rjust(32, b"\x00"),
    ]
    data = abi_encode(
        ["uint256", "uint256", "bytes", "bytes32"],
        [w.value, w.gas_limit, w.data, w.hash if recorded is None else recorded],
    )
    return topics, data


def test_hash_and_slot() -> None:
    preimage = abi_encode(
        ["uint256", "address", "address", "uint256", "uint256", "bytes"],
        [7, b"\x11" * 20, b"\x22" * 20, 10**18, 100_000, b"\xca\xfe"],
    )
    assert W.hash == keccak(preimage)
    assert W.storage_slot == int.from_bytes(keccak(W.hash + b"\x00" * 32), "big")


def test_decodes_a_message_passed_log() -> None:
    assert decode_message_passed(*log_of(W)) == W


def test_refuses_other_logs_and_lying_hashes() -> None:
    topics, data = log_of(W)
    with pytest.raises(ValueError, match="not a MessagePassed"):
        decode_message_passed([keccak(b"Other()"), *topics[1:]], data)
    with pytest.raises(ValueError, match="not a MessagePassed"):
        decode_message_passed(topics[:3], data)
    with pytest.raises(ValueError, match="does not match"):
        decode_message_passed(*log_of(W, recorded=b"\x01" * 32))
