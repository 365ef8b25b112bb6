"""Packing sealed L2 blocks into one batch (SPEC §5) within the CTC's limits.

Each block becomes ``[l1OriginNumber, numDeposits, txs]``: its origin is read from the
L1Block predeploy in the block's own state, its deposits are the user deposits after the L1-info
deposit, and its transactions are the sequenced ones, as the block holds them. Blocks are added
in order while the encoding stays within ``max_batch_bytes`` and the count within
``max_blocks_per_batch``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import rlp

from rollup_node.chain.records import BlockRecord
from rollup_node.protocol.batch import BatchBlock, encode_batch
from rollup_node.protocol.deposits import DEPOSIT_TX_TYPE
from rollup_node.protocol.predeploys import L1_BLOCK, L1_BLOCK_NUMBER_SLOT


class SealedBlocks(Protocol):
    """The sequencer's chain as the batcher reads it (the ``Chain`` facade has it)."""

    def block_by_number(self, number: int) -> BlockRecord | None:
        """The canonical block ``number``."""
        ...

    def storage_at(self, address: bytes, slot: int, block_number: int) -> bytes:
        """A storage word after ``block_number``."""
        ...


@dataclass(frozen=True, slots=True)
class PackedBatch:
    """A batch ready for ``appendSequencerBatch``."""

    first_block: int
    blocks: tuple[BatchBlock, ...]
    data: bytes
    num_deposits: int
    oldest_origin: int


def batch_block(chain: SealedBlocks, block: BlockRecord) -> BatchBlock:
    """How a batch declares ``block``."""
    origin = int.from_bytes(chain.storage_at(L1_BLOCK, L1_BLOCK_NUMBER_SLOT, block.number), "big")
    deposits = sum(1 for tx in block.transactions if tx.type == DEPOSIT_TX_TYPE) - 1
    txs = tuple(tx.raw for tx in block.transactions if tx.type != DEPOSIT_TX_TYPE)
    return BatchBlock(origin, deposits, txs)


def _list_prefix(payload: int) -> int:
    return 1 if payload < 56 else 1 + (payload.bit_length() + 7) // 8


def pack(
    chain: SealedBlocks, first: int, last: int, max_bytes: int, max_blocks: int
) -> PackedBatch:
    """Blocks ``first…`` (at most up to ``last``) that fit one batch; at least one block."""
    blocks: list[BatchBlock] = []
    payload = 0
    for number in range(first, min(last, first + max_blocks - 1) + 1):
        record = chain.block_by_number(number)
        if record is None:
            break
        item = batch_block(chain, record)
        size = len(rlp.encode([item.l1_origin_number, item.num_deposits, list(item.transactions)]))
        total = payload + size
        if blocks and 1 + _list_prefix(total) + total > max_bytes:
            break
        blocks.append(item)
        payload = total
    if not blocks:
        raise ValueError(f"block {first} is not in the chain")
    data = encode_batch(blocks)
    if len(data) > max_bytes:
        raise ValueError(f"block {first} alone needs {len(data)} bytes, above the batch limit")
    return PackedBatch(
        first,
        tuple(blocks),
        data,
        sum(b.num_deposits for b in blocks),
        min(b.l1_origin_number for b in blocks),
    )
