"""Derivation rules (SPEC §6): from one CTC batch and its queue elements to L2 block inputs.

Pure and synchronous. ``derive_batch`` takes a batch as the CTC stored it, the queue elements
the batch consumes, the derived parent's L1 origin and the timestamps of the L1 blocks a block
may name as origin; it returns, for each of the batch's blocks, what the block is made of: its
number and timestamp, its L1 origin, the queue elements it consumes and the sequenced
transactions to try (the executor drops those invalid at their position, rule 4). It mirrors
the fault-proof program's ``derive.c`` rule for rule:

1. Batch level: the batch is malformed unless it decodes (§5), has ``numBlocks`` blocks, its
   ``numDeposits`` sum to ``queueIndexAfter − prevQueueIndex`` and each block's deposit gas is
   ≤ D. A malformed batch's blocks are all fallback blocks; its deposits are packed in queue
   order, each block taking elements while their gas stays ≤ D.
2. Block level: a declared block keeps its origin if ``parent.origin ≤ origin ≤ P``,
   ``origin + F ≥ l1BlockNumber``, ``timestamp(origin) ≤ timestamp`` and every deposit it
   consumes was enqueued at or before its origin; otherwise it is a fallback block keeping its
   declared deposits.
3. Fallback block: the parent's origin, its deposits, no sequenced transactions.
5. Forced batch: one fallback block with the forced deposits.

Sequenced transactions typed as deposits (``0x7E``) are dropped here: only derivation makes
deposits (SPEC §3.1).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from eth_abi import encode as abi_encode
from eth_hash.auto import keccak

from rollup_node.protocol.batch import BatchBlock, MalformedBatch, decode_batch
from rollup_node.protocol.deposits import DEPOSIT_TX_TYPE, DepositTx, user_deposit_source_hash


@dataclass(frozen=True, slots=True)
class QueueElement:
    """One CTC queue element (a deposit), with every field of its hash preimage (SPEC §4)."""

    index: int
    sender: bytes  # already aliased by the CTC when enqueued by a contract
    to: bytes  # 20 zero bytes for a creation
    mint_wei: int
    gas_limit: int
    is_creation: bool
    data: bytes
    l1_block_number: int
    l1_timestamp: int

    @property
    def hash(self) -> bytes:
        """``keccak(abi.encode(from, to, mint, gasLimit, isCreation, data, l1Block, l1Time))``."""
        return keccak(
            abi_encode(
                ["address", "address", "uint256", "uint64", "bool", "bytes", "uint256", "uint256"],
                [
                    self.sender,
                    self.to,
                    self.mint_wei,
                    self.gas_limit,
                    self.is_creation,
                    self.data,
                    self.l1_block_number,
                    self.l1_timestamp,
                ],
            )
        )

    def deposit(self) -> DepositTx:
        """The L2 deposit transaction of this element: it mints ``mint`` and sends it as value."""
        return DepositTx(
            source_hash=user_deposit_source_hash(self.hash, self.index),
            sender=self.sender,
            to=None if self.is_creation else self.to,
            mint=self.mint_wei,
            value=self.mint_wei,
            gas=self.gas_limit,
            is_system_tx=False,
            data=self.data,
        )


@dataclass(frozen=True, slots=True)
class CtcBatch:
    """A batch as the CTC stored it (``batches[index]``), with its data from calldata/event."""

    index: int
    batch_data: bytes  # empty for a forced batch
    prev_total_blocks: int
    num_blocks: int
    prev_queue_index: int
    queue_index_after: int
    l1_block_number: int
    l1_parent_hash: bytes
    forced: bool

    @property
    def inclusion_parent(self) -> int:
        """``P = l1BlockNumber − 1``: the newest L1 block a block of this batch may name."""
        return self.l1_block_number - 1


@dataclass(frozen=True, slots=True)
class DerivationParams:
    """The consensus parameters derivation reads (SPEC §2)."""

    l2_genesis_timestamp: int
    l2_block_time: int
    force_inclusion_blocks: int
    deposit_gas_per_block: int


@dataclass(frozen=True, slots=True)
class BlockInputs:
    """What one derived L2 block is made of (before execution)."""

    number: int
    timestamp: int
    origin_number: int
    deposits: tuple[QueueElement, ...]
    transactions: tuple[bytes, ...]  # sequenced, to be tried in order (rule 4)
    fallback: bool


@dataclass(frozen=True, slots=True)
class DerivedBatch:
    """The blocks of one batch and whether the batch as a whole was malformed (rule 1)."""

    blocks: tuple[BlockInputs, ...]
    malformed: bool


def block_timestamp(params: DerivationParams, number: int) -> int:
    """``l2_genesis_timestamp + n·T`` (SPEC §2)."""
    return params.l2_genesis_timestamp + number * params.l2_block_time


def _deposit_gas(elements: Sequence[QueueElement]) -> int:
    return sum(e.gas_limit for e in elements)


def split_declared_deposits(
    params: DerivationParams,
    batch: CtcBatch,
    blocks: Sequence[BatchBlock],
    queue: Sequence[QueueElement],
) -> list[tuple[QueueElement, ...]] | None:
    """Rule 1 after decoding: each block's declared deposits, or ``None`` if the batch is
    malformed (wrong block count, counts not summing to the consumed range, gas above D)."""
    if len(blocks) != batch.num_blocks:
        return None
    if sum(b.num_deposits for b in blocks) != len(queue):
        return None
    out = []
    start = 0
    for block in blocks:
        taken = tuple(queue[start : start + block.num_deposits])
        if _deposit_gas(taken) > params.deposit_gas_per_block:
            return None
        out.append(taken)
        start += block.num_deposits
    return out


def pack_deposits(
    params: DerivationParams, num_blocks: int, queue: Sequence[QueueElement]
) -> list[tuple[QueueElement, ...]]:
    """Rule 1's packing for a malformed batch: each block, in order, takes queue elements while
    their gas stays ≤ D. The CTC's ``numBlocks·(D − M)`` bound guarantees all of them fit."""
    out = []
    start = 0
    for _ in range(num_blocks):
        end = start
        gas = 0
        while end < len(queue) and gas + queue[end].gas_limit <= params.deposit_gas_per_block:
            gas += queue[end].gas_limit
            end += 1
        out.append(tuple(queue[start:end]))
        start = end
    if start != len(queue):
        raise ValueError("queue elements do not fit the batch: the CTC's gas bound was broken")
    return out


def origin_is_valid(
    params: DerivationParams,
    batch: CtcBatch,
    parent_origin: int,
    origin: int,
    timestamp: int,
    deposits: Sequence[QueueElement],
    l1_timestamps: Mapping[int, int],
) -> bool:
    """Rule 2: may a block of ``batch`` with this timestamp and deposits name ``origin``?"""
    if not parent_origin <= origin <= batch.inclusion_parent:
        return False
    if origin + params.force_inclusion_blocks < batch.l1_block_number:
        return False
    if any(e.l1_block_number > origin for e in deposits):
        return False
    return l1_timestamps[origin] <= timestamp


def origin_window(params: DerivationParams, batch: CtcBatch, parent_origin: int) -> range:
    """The L1 block numbers whose timestamps ``derive_batch`` may need for this batch."""
    low = max(parent_origin, batch.l1_block_number - params.force_inclusion_blocks)
    return range(low, batch.inclusion_parent + 1)


def _sequenced(transactions: Sequence[bytes]) -> tuple[bytes, ...]:
    return tuple(tx for tx in transactions if tx[:1] != bytes([DEPOSIT_TX_TYPE]))


def derive_batch(
    params: DerivationParams,
    batch: CtcBatch,
    queue: Sequence[QueueElement],
    parent_origin: int,
    l1_timestamps: Mapping[int, int],
) -> DerivedBatch:
    """The inputs of every block of ``batch`` (SPEC §6 rules 1–3 and 5).

    ``queue`` holds exactly the elements ``prevQueueIndex … queueIndexAfter − 1``;
    ``parent_origin`` is the L1 origin of block ``prevTotalBlocks``; ``l1_timestamps`` maps at
    least the numbers of ``origin_window(params, batch, parent_origin)`` to their timestamps.
    """
    if len(queue) != batch.queue_index_after - batch.prev_queue_index:
        raise ValueError("queue does not hold exactly the batch's consumed elements")
    first = batch.prev_total_blocks + 1
    if batch.forced:
        number = first
        block = BlockInputs(
            number, block_timestamp(params, number), parent_origin, tuple(queue), (), True
        )
        return DerivedBatch((block,), malformed=False)
    declared: list[BatchBlock] | None
    try:
        declared = list(decode_batch(batch.batch_data))
        split = split_declared_deposits(params, batch, declared, queue)
    except MalformedBatch:
        split = None
    if split is None:
        packed = pack_deposits(params, batch.num_blocks, queue)
        blocks = tuple(
            BlockInputs(
                first + k,
                block_timestamp(params, first + k),
                parent_origin,
                packed[k],
                (),
                True,
            )
            for k in range(batch.num_blocks)
        )
        return DerivedBatch(blocks, malformed=True)
    out = []
    origin = parent_origin
    for k, block in enumerate(declared):
        number = first + k
        timestamp = block_timestamp(params, number)
        deposits = split[k]
        if origin_is_valid(
            params, batch, origin, block.l1_origin_number, timestamp, deposits, l1_timestamps
        ):
            origin = block.l1_origin_number
            out.append(
                BlockInputs(
                    number, timestamp, origin, deposits, _sequenced(block.transactions), False
                )
            )
        else:
            out.append(BlockInputs(number, timestamp, origin, deposits, (), True))
    return DerivedBatch(tuple(out), malformed=False)
