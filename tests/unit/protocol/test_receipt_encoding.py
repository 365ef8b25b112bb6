"""The receipt encoder built from the known shape (``protocol/receipts.encode_receipt`` over
``protocol/rlp_encoding``) against the generic ``rlp`` encoder that served before: the same
bytes for random receipts of every type, with and without logs (SPEC §3.2: what the receipts
root commits to)."""

from __future__ import annotations

import random

import rlp

from rollup_node.protocol.deposits import DEPOSIT_TX_TYPE
from rollup_node.protocol.receipts import DEPOSIT_RECEIPT_VERSION, encode_receipt, logs_bloom
from rollup_node.protocol.rlp_encoding import encode_list, encode_string, encode_uint

SIZES = (0, 1, 2, 54, 55, 56, 57, 255, 256, 1024, 70_000)


def _generic(tx_type, status, cumulative, bloom, logs, deposit_nonce):  # noqa: ANN001, ANN202
    """The previous encoder: every field through ``rlp.encode``'s type inference."""
    fields: list[object] = [
        b"\x01" if status else b"",
        cumulative,
        bloom,
        [[address, list(topics), data] for address, topics, data in logs],
    ]
    if tx_type == DEPOSIT_TX_TYPE:
        fields += [deposit_nonce, DEPOSIT_RECEIPT_VERSION]
    encoded = rlp.encode(fields)
    return encoded if tx_type == 0 else bytes([tx_type]) + encoded


def test_primitives_match_rlp() -> None:
    rng = random.Random(3)
    for size in SIZES:
        data = rng.randbytes(size)
        assert encode_string(data) == rlp.encode(data)
        assert encode_list(b"".join(rlp.encode(b"\x05") for _ in range(size))) == rlp.encode(
            [b"\x05"] * size
        )
    for value in [0, 1, 0x7F, 0x80, 0xFF, 0x100, 2**64 - 1, 2**255, 2**256 - 1]:
        assert encode_uint(value) == rlp.encode(value)
    for byte in range(256):
        assert encode_string(bytes([byte])) == rlp.encode(bytes([byte]))


def test_receipts_match_the_generic_encoder() -> None:
    rng = random.Random(11)
    for _ in range(500):
        tx_type = rng.choice((0, 1, 2, DEPOSIT_TX_TYPE))
        logs = tuple(
            (
                rng.randbytes(20),
                tuple(rng.randbytes(32) for _ in range(rng.randrange(5))),
                rng.randbytes(rng.choice(SIZES[:-1])),
            )
            for _ in range(rng.choice((0, 0, 1, 2, 3, 20)))
        )
        status = rng.randrange(2)
        cumulative = rng.choice((0, 1, 21_000, 30_000_000, rng.randrange(2**64)))
        nonce = rng.choice((0, 1, 127, 128, 2**64 - 1)) if tx_type == DEPOSIT_TX_TYPE else None
        bloom = logs_bloom(logs)
        expected = _generic(tx_type, status, cumulative, bloom, logs, nonce)
        assert encode_receipt(tx_type, status, cumulative, bloom, logs, nonce) == expected
