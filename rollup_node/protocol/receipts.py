"""Consensus encoding of receipts: what the receipts root commits to (SPEC §3.2).

Legacy: ``rlp([status, cumulativeGasUsed, logsBloom, logs])``; typed: ``type ‖ rlp(...)``;
deposits add ``depositNonce`` and the receipt version 1. The L1 fee fields served over RPC are
not part of this encoding.
"""

from __future__ import annotations

from collections.abc import Sequence

from eth_bloom import BloomFilter

from rollup_node.protocol.deposits import DEPOSIT_TX_TYPE
from rollup_node.protocol.rlp_encoding import encode_list, encode_string, encode_uint

DEPOSIT_RECEIPT_VERSION = 1

Log = tuple[bytes, Sequence[bytes], bytes]  # (address, topics, data)


def logs_bloom(logs: Sequence[Log]) -> bytes:
    """The 2048-bit bloom of the addresses and topics of ``logs``."""
    bloom = BloomFilter()
    for address, topics, _ in logs:
        bloom.add(address)
        for topic in topics:
            bloom.add(topic)
    return int(bloom).to_bytes(256, "big")


def encode_receipt(
    tx_type: int,
    status: int,
    cumulative_gas_used: int,
    bloom: bytes,
    logs: Sequence[Log],
    deposit_nonce: int | None = None,
) -> bytes:
    """The EIP-2718 receipt encoding of a transaction of type ``tx_type``.

    Built field by field from the known shape (``protocol/rlp_encoding``), not through the
    generic encoder that infers every item's type: the same bytes, a fraction of the cost.
    """
    encoded_logs = b"".join(
        encode_list(
            encode_string(address)
            + encode_list(b"".join(encode_string(topic) for topic in topics))
            + encode_string(data)
        )
        for address, topics, data in logs
    )
    payload = (
        (b"\x01" if status else b"\x80")
        + encode_uint(cumulative_gas_used)
        + encode_string(bloom)
        + encode_list(encoded_logs)
    )
    if tx_type == DEPOSIT_TX_TYPE:
        if deposit_nonce is None:
            raise ValueError("a deposit receipt needs its deposit nonce")
        payload += encode_uint(deposit_nonce) + encode_uint(DEPOSIT_RECEIPT_VERSION)
    encoded = encode_list(payload)
    return encoded if tx_type == 0 else bytes([tx_type]) + encoded
