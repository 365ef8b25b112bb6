"""Packing sealed L2 blocks into one batch (SPEC §5) within the CTC's limits.

Each block becomes ``[l1OriginNumber, numDeposits, txs]``: its origin is read from the
L1Block predeploy in the block's own state, its deposits are the user deposits after the L1-info
deposit, and its transactions are the sequenced ones, as the block holds them. Blocks are added
in order while the encoding stays within ``max_batch_bytes`` and the count within
``max_blocks_per_batch``, measured by the same length arithmetic the sequencer seals blocks by
(``rollup_node.protocol.batch``). A block that alone would pass the limit can never be batched
(SPEC §5, "Every block must fit in a batch"): ``pack`` raises ``UnbatchableBlock`` for it, and
the sequencer replaces such a block (``BlockProducer.replace_unbatchable``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from rollup_node.chain.records import BlockRecord
from rollup_node.protocol.batch import BatchBlock, batch_block_length, batch_length, encode_batch
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


class UnbatchableBlock(ValueError):
    """A block whose single-block batch passes ``max_batch_bytes`` (an older store, a changed
    limit). Retry later: the sequencer replaces it (SPEC §5); never post around it."""

    def __init__(self, number: int, size: int, max_bytes: int) -> None:
        self.number = number
        self.size = size
        super().__init__(f"block {number} alone needs {size} bytes, above the batch limit")


def unbatchable(block: BatchBlock, max_bytes: int) -> int | None:
    """The bytes of ``block``'s single-block batch if they pass ``max_bytes``, else None."""
    size = batch_length(batch_block_length(block))
    return size if size > max_bytes else None


def pack(
    chain: SealedBlocks, first: int, last: int, max_bytes: int, max_blocks: int
) -> PackedBatch:
    """Blocks ``first…`` (at most up to ``last``) that fit one batch; at least one block.

    Raises ``ValueError`` if block ``first`` is missing and ``UnbatchableBlock`` if it alone
    passes ``max_bytes``.
    """
    blocks: list[BatchBlock] = []
    payload = 0
    for number in range(first, min(last, first + max_blocks - 1) + 1):
        record = chain.block_by_number(number)
        if record is None:
            break
        item = batch_block(chain, record)
        total = payload + batch_block_length(item)
        if batch_length(total) > max_bytes:
            if not blocks:
                raise UnbatchableBlock(number, batch_length(total), max_bytes)
            break
        blocks.append(item)
        payload = total
    if not blocks:
        raise ValueError(f"block {first} is not in the chain")
    data = encode_batch(blocks)
    if len(data) != batch_length(payload):  # a bug: a batch of another size would be posted
        raise RuntimeError("batch size arithmetic disagrees with the encoder")
    return PackedBatch(
        first,
        tuple(blocks),
        data,
        sum(b.num_deposits for b in blocks),
        min(b.l1_origin_number for b in blocks),
    )
