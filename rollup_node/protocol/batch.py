"""The batch format (SPEC §5, strict): what the sequencer posts to the CTC for its blocks.

``batchData = 0x00 ‖ rlp([block, ...])``. Version 0 is uncompressed: after the version byte
comes exactly one canonical RLP list and nothing else; each block is a list of exactly three
items ``[l1OriginNumber, numDeposits, txs]``, the first two canonical unsigned integers below
2^64, ``txs`` a list of byte strings (EIP-2718 encodings; a legacy transaction is its RLP list
carried as a byte string). Anything else is malformed — derivation then turns every block of
the batch into a fallback block (SPEC §6.1). The fault-proof program's ``batch.c`` decodes the
same language; both must refuse exactly the same inputs.

Version 1 (zlib) is reserved and therefore malformed here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import rlp

BATCH_VERSION_RLP = 0
MAX_UINT64 = 2**64 - 1


class MalformedBatch(ValueError):
    """Batch data outside the strict format of SPEC §5; the message says what is wrong."""


@dataclass(frozen=True, slots=True)
class BatchBlock:
    """One L2 block as a batch declares it: its L1 origin, deposit count and transactions."""

    l1_origin_number: int
    num_deposits: int
    transactions: tuple[bytes, ...]


def encode_batch(blocks: Sequence[BatchBlock]) -> bytes:
    """``0x00 ‖ rlp([[l1OriginNumber, numDeposits, [tx, ...]], ...])``."""
    items = []
    for block in blocks:
        if (
            not 0 <= block.l1_origin_number <= MAX_UINT64
            or not 0 <= block.num_deposits <= MAX_UINT64
        ):
            raise ValueError("l1OriginNumber and numDeposits must fit in 64 bits")
        items.append([block.l1_origin_number, block.num_deposits, list(block.transactions)])
    return bytes([BATCH_VERSION_RLP]) + rlp.encode(items)


# --- sizes without encoding (SPEC §5, "Every block must fit in a batch") ------------------
#
# The sequencer seals a block before its batch entry would pass ``max_batch_bytes`` and the
# batcher packs blocks while the batch stays within it; both measure with these functions, by
# RLP length arithmetic, so neither re-encodes a block per transaction.

#: Most bytes a single-block batch adds around one transaction's encoding: the version byte,
#: four RLP length prefixes (batch, block, txs list, the transaction; each ≤ 4 bytes below
#: 2^24) and two 64-bit integers (≤ 9 bytes each) — 35 bytes, rounded up as SPEC §5 does.
SINGLE_TX_OVERHEAD = 64


def rlp_string_length(data: bytes) -> int:
    """Bytes of ``rlp(data)`` for a byte string."""
    size = len(data)
    if size == 1 and data[0] < 0x80:
        return 1
    if size < 56:
        return 1 + size
    return 1 + (size.bit_length() + 7) // 8 + size


def rlp_list_length(payload_length: int) -> int:
    """Bytes of an RLP list whose items encode to ``payload_length`` bytes in all."""
    if payload_length < 56:
        return 1 + payload_length
    return 1 + (payload_length.bit_length() + 7) // 8 + payload_length


def _rlp_uint_length(value: int) -> int:
    return 1 if value < 0x80 else 1 + (value.bit_length() + 7) // 8


def block_entry_length(l1_origin_number: int, num_deposits: int, txs_payload_length: int) -> int:
    """Bytes of ``rlp([l1OriginNumber, numDeposits, txs])`` where the transactions' own
    encodings (``rlp_string_length`` of each) sum to ``txs_payload_length``."""
    return rlp_list_length(
        _rlp_uint_length(l1_origin_number)
        + _rlp_uint_length(num_deposits)
        + rlp_list_length(txs_payload_length)
    )


def batch_length(entries_payload_length: int) -> int:
    """Bytes of ``0x00 ‖ rlp([block, ...])`` whose block entries sum to
    ``entries_payload_length`` bytes (a single block: its ``block_entry_length``)."""
    return 1 + rlp_list_length(entries_payload_length)


def batch_block_length(block: BatchBlock) -> int:
    """Bytes of ``block``'s entry in a batch (``block_entry_length`` of its fields)."""
    txs = sum(rlp_string_length(tx) for tx in block.transactions)
    return block_entry_length(block.l1_origin_number, block.num_deposits, txs)


def _uint64(item: object, what: str) -> int:
    if not isinstance(item, bytes):
        raise MalformedBatch(f"{what} is a list, not an integer")
    if item[:1] == b"\x00":
        raise MalformedBatch(f"{what} has a leading zero byte")
    if len(item) > 8:
        raise MalformedBatch(f"{what} does not fit in 64 bits")
    return int.from_bytes(item, "big")


def _block(item: object, index: int) -> BatchBlock:
    if not isinstance(item, list) or len(item) != 3:
        raise MalformedBatch(f"block {index} is not a list of exactly three items")
    origin = _uint64(item[0], f"block {index} l1OriginNumber")
    deposits = _uint64(item[1], f"block {index} numDeposits")
    txs = item[2]
    if not isinstance(txs, list):
        raise MalformedBatch(f"block {index} txs is not a list")
    if any(not isinstance(tx, bytes) for tx in txs):
        raise MalformedBatch(f"block {index} has a transaction that is a list, not bytes")
    return BatchBlock(origin, deposits, tuple(txs))


def decode_batch(data: bytes) -> tuple[BatchBlock, ...]:
    """Decode batch data, raising ``MalformedBatch`` for anything non-canonical (SPEC §5)."""
    if not data:
        raise MalformedBatch("empty batch data")
    if data[0] != BATCH_VERSION_RLP:
        raise MalformedBatch(f"unknown batch version {data[0]}")
    try:
        items = rlp.decode(data[1:], strict=True)
    except rlp.exceptions.DecodingError as exc:
        raise MalformedBatch(f"not one canonical RLP item: {exc}") from exc
    if not isinstance(items, list):
        raise MalformedBatch("the batch is a byte string, not a list of blocks")
    return tuple(_block(item, i) for i, item in enumerate(items))
