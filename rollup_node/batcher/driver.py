"""The batcher loop: post the sequencer's blocks to the CTC, in order, without gaps or
duplicates.

Each round reads the CTC's totals — the source of truth after a restart, a failed
transaction or a rewind — and, when the blocks after ``totalBlocks`` are many or old enough,
packs them into a batch and calls ``appendSequencerBatch`` with the ``expected*`` values it read
and ``maxL1Block`` (a batch that would land later than its blocks' origins allow fails loudly
instead). A reverted append is simply retried from fresh totals, and so is a block too large
for any batch (the sequencer replaces it, SPEC §5); when the CTC says deposits are
overdue that the batch cannot take (after long downtime), the batcher calls ``forceInclude()``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass

import structlog
from web3 import AsyncWeb3
from web3.exceptions import Web3Exception

from rollup_node.batcher.ctc import (
    FORCE_INCLUDE,
    OVERDUE_DEPOSIT_NOT_CONSUMED,
    TOO_MUCH_DEPOSIT_GAS,
    CtcTotals,
    append_calldata,
    read_totals,
)
from rollup_node.batcher.packing import SealedBlocks, UnbatchableBlock, pack
from rollup_node.chain.chain import Chain
from rollup_node.config import RollupConfig
from rollup_node.l1.transactor import (
    L1SendFailed,
    L1TransactionReverted,
    Transactor,
    failure_message,
)

log = structlog.get_logger("batcher")


@dataclass(frozen=True, slots=True)
class BatcherSettings:
    """Operational limits (not consensus)."""

    max_age_seconds: float = 2.0  # post once the oldest unposted block is this old
    min_blocks: int = 1_000  # or once this many blocks wait (capped by max_blocks_per_batch)
    max_l1_block_margin: int = 10  # maxL1Block = L1 head + margin (bounded by the origins)
    poll_seconds: float = 0.5
    #: Fault injection (tests): post the batch holding this L2 block as malformed data.
    malformed_batch_at: int | None = None


def malformed(data: bytes) -> bytes:
    """Batch data that no honest node decodes: the reserved version byte 1 (SPEC §5)."""
    return b"\x01" + data[1:]


class Batcher:
    """Appends the sequencer's blocks to the CTC."""

    def __init__(
        self,
        config: RollupConfig,
        chain: Chain | SealedBlocks,
        transactor: Transactor,
        settings: BatcherSettings = BatcherSettings(),
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.config = config
        self.chain = chain
        self.tx = transactor
        self.settings = settings
        self.ctc = AsyncWeb3.to_checksum_address(config.l1_addresses.canonical_transaction_chain)
        self._clock = clock
        self.posted = 0
        self._injected = False

    async def run(self) -> None:
        """Post batches until cancelled."""
        log.info("batcher started", sender=self.tx.address)
        while True:
            try:
                posted = await self.submit_once()
            except L1TransactionReverted as exc:
                log.warning("batch append reverted; retrying from the CTC's totals", error=str(exc))
                await self._maybe_force(exc.data)
                posted = False
            except (L1SendFailed, TimeoutError, OSError, Web3Exception) as exc:
                log.warning(failure_message(exc), error=str(exc))
                posted = False
            except UnbatchableBlock as exc:
                # Not a reason to stop the node: the sequencer replaces such a block (SPEC §5).
                log.warning("waiting for the sequencer to replace a block", error=str(exc))
                posted = False
            if not posted:
                await asyncio.sleep(self.settings.poll_seconds)

    async def _maybe_force(self, revert_data: bytes) -> None:
        if revert_data[:4] not in (OVERDUE_DEPOSIT_NOT_CONSUMED, TOO_MUCH_DEPOSIT_GAS):
            return
        log.warning("overdue deposits do not fit a batch: forcing them in")
        try:
            await self.tx.send(self.ctc, FORCE_INCLUDE, "forceInclude")
        except L1TransactionReverted as exc:
            log.warning("forceInclude reverted", error=str(exc))

    def _due(self, totals: CtcTotals, head: int) -> bool:
        waiting = head - totals.total_blocks
        if waiting <= 0:
            return False
        if waiting >= min(self.settings.min_blocks, self.config.max_blocks_per_batch):
            return True
        oldest = self.chain.block_by_number(totals.total_blocks + 1)
        age = self._clock() - oldest.timestamp if oldest is not None else 0
        return age >= self.settings.max_age_seconds

    async def submit_once(self) -> bool:
        """Post one batch if one is due; return whether it did."""
        totals = await read_totals(self.tx.w3, self.ctc)
        head = self.chain.head_number()
        if not self._due(totals, head):
            return False
        batch = pack(
            self.chain,
            totals.total_blocks + 1,
            head,
            self.config.max_batch_bytes,
            self.config.max_blocks_per_batch,
        )
        data = batch.data
        fault = self.settings.malformed_batch_at
        last = batch.first_block + len(batch.blocks) - 1
        if fault is not None and not self._injected and batch.first_block <= fault <= last:
            log.warning("fault injection: posting a malformed batch", first=batch.first_block)
            data = malformed(data)
            self._injected = True
        l1_head = await self.tx.w3.eth.block_number
        max_l1_block = l1_head + self.settings.max_l1_block_margin
        # Blocks whose origin falls out of the window are fallback blocks anyway; otherwise
        # do not let the batch land where they would become so.
        window_end = batch.oldest_origin + self.config.force_inclusion_blocks
        if window_end > l1_head:
            max_l1_block = min(max_l1_block, window_end)
        calldata = append_calldata(
            data,
            len(batch.blocks),
            totals.next_queue_index + batch.num_deposits,
            totals.total_blocks,
            totals.next_queue_index,
            max_l1_block,
        )
        receipt = await self.tx.send(self.ctc, calldata, "appendSequencerBatch")
        self.posted += 1
        log.info(
            "batch appended",
            first=batch.first_block,
            blocks=len(batch.blocks),
            bytes=len(data),
            l1=receipt.block_number,
        )
        return True
