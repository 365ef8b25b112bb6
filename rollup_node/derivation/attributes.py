"""From one CTC batch to the full inputs of its L2 blocks (SPEC §6 and §3.3).

The pure rules of ``protocol.derivation`` decide each block's origin, deposits and sequenced
transactions; this stage adds what they need from L1 and from the derived parent: the
timestamps of the L1 blocks the batch may name (checked against the batch's ``l1ParentHash``,
so the headers are those of the chain the batch was included in), the origin headers for the
L1-info deposits, and the parent's origin and sequence number from the L1Block predeploy.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from rollup_node.config import RollupConfig
from rollup_node.derivation.errors import ReorgDetected
from rollup_node.l1.reader import L1BlockInfo
from rollup_node.protocol.deposits import DepositTx
from rollup_node.protocol.derivation import (
    CtcBatch,
    DerivationParams,
    QueueElement,
    derive_batch,
    origin_window,
)
from rollup_node.protocol.l1_info import l1_info_deposit, parent_l1_info, sequence_number


class HeaderSource(Protocol):
    """Canonical L1 headers (``L1Traversal.header``)."""

    async def header(self, number: int) -> L1BlockInfo:
        """The canonical L1 header ``number``."""
        ...


class ParentState(Protocol):
    """Storage reads of the derived L2 chain (the ``Chain`` facade has it)."""

    def storage_at(self, address: bytes, slot: int, block_number: int) -> bytes:
        """A storage word after ``block_number``."""
        ...


@dataclass(frozen=True, slots=True)
class BlockAttributes:
    """Everything that fixes one derived L2 block before execution."""

    number: int
    timestamp: int
    origin: L1BlockInfo
    deposits: tuple[DepositTx, ...]  # the L1-info deposit first, then the user deposits
    transactions: tuple[bytes, ...]  # sequenced; dropped at execution if invalid there
    fallback: bool


def derivation_params(config: RollupConfig) -> DerivationParams:
    """The derivation parameters of the rollup config."""
    return DerivationParams(
        l2_genesis_timestamp=config.l2_genesis_timestamp,
        l2_block_time=config.l2_block_time,
        force_inclusion_blocks=config.force_inclusion_blocks,
        deposit_gas_per_block=config.deposit_gas_per_block,
    )


async def batch_attributes(
    config: RollupConfig,
    batch: CtcBatch,
    queue: list[QueueElement],
    state: ParentState,
    headers: HeaderSource,
) -> tuple[list[BlockAttributes], bool]:
    """The attributes of every block of ``batch`` and whether the batch was malformed."""
    params = derivation_params(config)
    parent_origin, parent_sequence = parent_l1_info(state, batch.prev_total_blocks)
    window = origin_window(params, batch, parent_origin)
    infos: dict[int, L1BlockInfo] = {}
    if len(window):
        top = await headers.header(window[-1])
        if top.hash != batch.l1_parent_hash:
            raise ReorgDetected(f"L1 block {top.number} is not the batch's inclusion parent")
        infos[top.number] = top
        for number in window[:-1]:
            infos[number] = await headers.header(number)
    derived = derive_batch(
        params, batch, queue, parent_origin, {n: b.timestamp for n, b in infos.items()}
    )
    out = []
    for block in derived.blocks:
        origin = infos.get(block.origin_number) or await headers.header(block.origin_number)
        sequence = sequence_number(origin.number, parent_origin, parent_sequence)
        deposits = (l1_info_deposit(origin.as_origin(), sequence, block.number),) + tuple(
            e.deposit() for e in block.deposits
        )
        out.append(
            BlockAttributes(
                block.number,
                block.timestamp,
                origin,
                deposits,
                block.transactions,
                block.fallback,
            )
        )
        parent_origin, parent_sequence = origin.number, sequence
    return out, derived.malformed
