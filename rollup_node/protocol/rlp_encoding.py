"""RLP encoding of values whose shape the caller knows (Ethereum's RLP, Yellow Paper App. B).

The ``rlp`` package infers each item's type (bytes, int, list, sedes) and recurses through
generic serializers; per item that costs more than the encoding itself. Hot encoders whose
structure is fixed — receipts (``protocol/receipts.py``), trie nodes (``chain/trie_root.py``),
signing payloads (``chain/transactions.py``) — build the bytes with these four functions
instead. The output is the canonical encoding, byte for byte what ``rlp.encode`` gives for the
same value (differential tests pin the users to it).
"""

from __future__ import annotations


def encode_string(data: bytes) -> bytes:
    """A byte string: itself when one byte below 0x80, else a length prefix and the bytes."""
    size = len(data)
    if size == 1 and data[0] < 0x80:
        return data
    if size < 56:
        return bytes([0x80 + size]) + data
    length = size.to_bytes((size.bit_length() + 7) // 8, "big")
    return bytes([0xB7 + len(length)]) + length + data


def encode_uint(value: int) -> bytes:
    """A non-negative integer: its big-endian bytes without leading zeros, as a string."""
    if value == 0:
        return b"\x80"
    if value < 0x80:
        return bytes([value])
    return encode_string(value.to_bytes((value.bit_length() + 7) // 8, "big"))


def list_header(payload_size: int) -> bytes:
    """The prefix of a list whose items' encodings take ``payload_size`` bytes."""
    if payload_size < 56:
        return bytes([0xC0 + payload_size])
    length = payload_size.to_bytes((payload_size.bit_length() + 7) // 8, "big")
    return bytes([0xF7 + len(length)]) + length


def encode_list(payload: bytes) -> bytes:
    """A list, given the concatenated encodings of its items."""
    return list_header(len(payload)) + payload
