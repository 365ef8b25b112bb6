"""The sequencer's block loop: one L2 block every ``l2_block_time`` seconds, on schedule.

Block ``n`` has timestamp ``l2_genesis_timestamp + n·T`` exactly (SPEC §2). The loop sleeps
until that moment; a sequencer behind schedule (after downtime) builds the missing blocks
back to back until it is on time again. Each block holds, in order (SPEC §3.3): the L1-info
deposit for its L1 origin, the deposits it consumes, then queued transactions in arrival order
while they fit in the gas limit and the block's single-block batch stays within
``max_batch_bytes`` (SPEC §5, "Every block must fit in a batch") — the rest waits, still in
order. A queued transaction that became invalid at its position (e.g. its sender's balance was
spent by a deposit) is dropped. Building and the durable commit run in a worker thread; new
heads are published on the loop.

A block already in the store that no batch can carry (written by an older version, or under a
larger limit) could never become safe. Before producing, the loop replaces it: that block and
the unsafe blocks after it are dropped and their transactions go back to the head of the queue,
in order, in the same atomic commit (``replace_unbatchable``).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass

import structlog

from rollup_node.batcher.packing import batch_block, unbatchable
from rollup_node.chain.assembly import build_block
from rollup_node.chain.builder import SealedBlock
from rollup_node.chain.chain import Chain
from rollup_node.chain.errors import StoreCorrupted
from rollup_node.config import RollupConfig
from rollup_node.derivation.attributes import derivation_params
from rollup_node.l1.reader import L1BlockInfo, L1Reader
from rollup_node.metrics import NodeMetrics
from rollup_node.protocol.deposits import DEPOSIT_TX_TYPE
from rollup_node.protocol.derivation import block_timestamp
from rollup_node.protocol.l1_info import l1_info_deposit, parent_l1_info, sequence_number
from rollup_node.protocol.predeploys import SEQUENCER_FEE_VAULT
from rollup_node.sequencer.batch_room import BatchRoom
from rollup_node.sequencer.deposits import DepositSource
from rollup_node.sequencer.intake import Intake

log = structlog.get_logger("sequencer")

#: How many L1 blocks the origin may advance by in one L2 block (bounds catch-up reads).
MAX_ORIGIN_STEP = 64


#: Pause before trying again when the parent's origin is not on L1 (a reorg).
ORIGIN_RETRY_SECONDS = 0.5


class OriginUnavailable(RuntimeError):
    """The parent's L1 origin is not on the L1 chain (an L1 reorg): retry after derivation
    has rewound the chain."""


@dataclass(frozen=True, slots=True)
class ProducedBlock:
    """What one iteration of the loop did."""

    sealed: SealedBlock
    dropped: int


class BlockProducer:
    """Builds and commits L2 blocks on the schedule of SPEC §2."""

    def __init__(
        self,
        chain: Chain,
        intake: Intake,
        l1: L1Reader,
        deposits: DepositSource,
        config: RollupConfig,
        metrics: NodeMetrics,
        executor: Executor | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.chain = chain
        self.intake = intake
        self.l1 = l1
        self.deposits = deposits
        self.config = config
        self._params = derivation_params(config)
        self.metrics = metrics
        self._clock = clock
        self._executor = executor
        self._origin_cache: L1BlockInfo | None = None
        # Held while a block is built on the head read at its start; derivation takes it
        # before it rewinds or extends the chain (rollup_node/derivation/engine.py).
        self.lock = asyncio.Lock()

    def timestamp_of(self, number: int) -> int:
        """The fixed timestamp of L2 block ``number`` (SPEC §2, ``block_timestamp``)."""
        return block_timestamp(self._params, number)

    async def run(self) -> None:
        """Produce blocks until cancelled."""
        log.info("sequencer started", head=self.chain.head_number())
        await self.replace_unbatchable()
        while True:
            number = self.chain.head_number() + 1
            delay = self.timestamp_of(number) - self._clock()
            if delay > 0:
                await asyncio.sleep(delay)
            try:
                await self.produce_one()
            except OriginUnavailable as exc:
                # L1 reorganised below the head's origin: derivation rewinds the chain soon.
                log.warning("waiting for the L1 origin", reason=str(exc))
                await asyncio.sleep(ORIGIN_RETRY_SECONDS)

    async def produce_one(self) -> ProducedBlock:
        """Build, commit and publish the next block (whatever the clock says)."""
        async with self.lock:
            return await self._produce_one()

    async def _produce_one(self) -> ProducedBlock:
        number = self.chain.head_number() + 1
        timestamp = self.timestamp_of(number)
        origin = await self._select_origin(timestamp)
        produced = await asyncio.get_running_loop().run_in_executor(
            self._executor, self._build_and_commit, number, timestamp, origin
        )
        block = produced.sealed.block
        self.chain.publish(block, produced.sealed.receipts)
        self.metrics.blocks.inc()
        self.metrics.transactions.inc(len(block.transactions))
        self.metrics.head.set(block.number)
        if produced.dropped:
            self.metrics.dropped.inc(produced.dropped)
        log.debug(
            "block sealed", number=block.number, txs=len(block.transactions), gas=block.gas_used
        )
        return produced

    async def replace_unbatchable(self) -> int:
        """Drop the first unsafe block whose single-block batch passes ``max_batch_bytes``
        and every block after it, re-queuing their transactions ahead of the queue (SPEC §5);
        return how many blocks were dropped (0: every unsafe block can be batched)."""
        async with self.lock:
            return await asyncio.get_running_loop().run_in_executor(
                self._executor, self._replace_unbatchable
            )

    def _first_unbatchable(self) -> tuple[int, int] | None:
        """(number, single-block batch bytes) of the first unsafe block above the limit."""
        chain = self.chain
        safe = chain.store.safe_head()  # None: nothing derived yet, every block is unsafe
        first = 1 if safe is None else safe + 1
        for number in range(first, chain.head_number() + 1):
            block = chain.block_by_number(number)
            if block is None:
                raise StoreCorrupted(f"canonical block {number} missing below head")
            size = unbatchable(batch_block(chain, block), self.config.max_batch_bytes)
            if size is not None:
                return number, size
        return None

    def _replace_unbatchable(self) -> int:
        found = self._first_unbatchable()
        if found is None:
            return 0
        number, size = found
        chain = self.chain
        head = chain.head_number()
        raws = []
        for n in range(number, head + 1):
            block = chain.block_by_number(n)
            if block is None:
                raise StoreCorrupted(f"canonical block {n} missing below head")
            raws.extend(tx.raw for tx in block.transactions if tx.type != DEPOSIT_TX_TYPE)
        log.warning(
            "replacing blocks no batch can carry",
            first=number,
            head=head,
            batch_bytes=size,
            max_batch_bytes=self.config.max_batch_bytes,
            transactions=len(raws),
        )
        refused = self.intake.requeue_ahead(
            raws, lambda journal: chain.rewind_to(number - 1, journal)
        )
        if refused:
            log.warning("re-queued transactions refused", count=refused)
        return head - number + 1

    def _parent_origin(self) -> tuple[int, int]:
        return parent_l1_info(self.chain, self.chain.head_number())

    async def _select_origin(self, timestamp: int) -> L1BlockInfo:
        """The newest L1 block at or after the parent's origin with a timestamp ≤ ``timestamp``."""
        parent_origin, _ = self._parent_origin()
        current = self._origin_cache
        if current is not None and current.number == parent_origin:
            canonical = await self.l1.block(parent_origin)
            if canonical is None or canonical.hash != current.hash:
                current = None  # L1 reorganised: re-read the origin
        if current is None or current.number != parent_origin:
            current = await self.l1.block(parent_origin)
            if current is None:
                raise OriginUnavailable(
                    f"L1 block {parent_origin} (the parent's origin) is unknown to L1"
                )
        for _ in range(MAX_ORIGIN_STEP):
            nxt = await self.l1.block(current.number + 1)
            if nxt is None or nxt.timestamp > timestamp:
                break
            current = nxt
        self._origin_cache = current
        return current

    def _build_and_commit(self, number: int, timestamp: int, origin: L1BlockInfo) -> ProducedBlock:
        parent_origin, parent_sequence = self._parent_origin()
        sequence = sequence_number(origin.number, parent_origin, parent_sequence)
        info = l1_info_deposit(origin.as_origin(), sequence, number)
        deposits = self.deposits.take(self.config.deposit_gas_per_block, origin.number)
        room = BatchRoom(origin.number, len(deposits), self.config.max_batch_bytes)
        sealed, fill = build_block(
            self.chain,
            number,
            timestamp,
            SEQUENCER_FEE_VAULT,
            origin.mix_hash,
            (info, *deposits),
            lambda builder: self.intake.fill(builder, room),
        )
        for _, reason in fill.dropped:
            self.metrics.rejects.labels(reason=reason.name.lower()).inc()
        self.chain.commit(sealed, fill.journal)
        self.intake.settle(fill)
        return ProducedBlock(sealed, len(fill.dropped))
