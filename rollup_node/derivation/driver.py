"""The derivation service: polls L1 and runs the stages in order (see the package docstring).

Every mode runs it. On a verifier or replica the L2 chain is exactly what derivation builds;
on a sequencer, derivation confirms the sequencer's own blocks (they become safe) and replaces
them where L1 says otherwise (a malformed batch, a forced batch, an L1 reorg).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Protocol

import structlog
from web3.exceptions import Web3RPCError

from rollup_node.chain.chain import Chain
from rollup_node.config import RollupConfig
from rollup_node.derivation.attributes import batch_attributes
from rollup_node.derivation.ctc_source import Web3CtcSource
from rollup_node.derivation.engine import Engine, Requeue
from rollup_node.derivation.errors import ReorgDetected, reading_l1
from rollup_node.derivation.heads import BatchRecord, Heads
from rollup_node.derivation.l1_traversal import L1Headers, L1Position, L1Traversal
from rollup_node.l1.errors import Action, Backoff, classify
from rollup_node.l1.health import L1Health
from rollup_node.protocol.derivation import CtcBatch

log = structlog.get_logger("derivation")


class L1Heads(Protocol):
    """L1's head and finalized block numbers."""

    async def head_number(self) -> int:
        """The latest L1 block."""
        ...

    async def finalized_number(self) -> int:
        """L1's finalized block."""
        ...


@dataclass
class DerivationStatus:
    """What ``rollup_syncStatus`` reports about L1 as derivation sees it."""

    l1_head: int = 0
    l1_safe: int = 0  # the last L1 block derivation has read
    l1_finalized: int = 0
    batches: int = 0
    malformed_batches: int = 0
    #: ``time.monotonic()`` when a step last read L1 through (None: not yet); health judges
    #: L1 staleness by it (``rollup_node/health.py``)
    l1_read_at: float | None = None


class Derivation:
    """Derives the L2 chain from L1 until cancelled."""

    def __init__(
        self,
        config: RollupConfig,
        chain: Chain,
        engine: Engine,
        traversal: L1Traversal,
        l1: L1Heads,
        confirmations: int = 0,
        rewind_unsafe: bool = True,
        poll_seconds: float = 0.5,
        health: L1Health | None = None,
    ) -> None:
        self.config = config
        self.chain = chain
        self.engine = engine
        self.traversal = traversal
        self.l1 = l1
        self.confirmations = confirmations
        self.rewind_unsafe = rewind_unsafe
        self.poll_seconds = poll_seconds
        # Every poll's outcome: what /readyz, rollup_syncStatus and the log say about L1.
        self.health = health or L1Health()
        self.heads = Heads(chain.store)
        self.status = DerivationStatus()
        self.anchor = L1Position(
            config.genesis_l1.number, bytes.fromhex(config.genesis_l1.hash[2:])
        )
        self._started = False

    async def run(self) -> None:
        """Poll L1 and derive until cancelled. After a failure ``l1.errors.classify``
        decides: reset (an L1 reorg), retry with backoff (L1 away: reported to ``health``,
        which logs it once a minute), or raise — anything else (a bug, a database error,
        ``ExecutionFault``) stops the node."""
        log.info("derivation started", safe=self.heads.safe, next_batch=self.heads.next_batch)
        must_reset = False
        backoff = Backoff(first_seconds=self.poll_seconds)
        while True:
            try:
                if not self._started:
                    await self.restore()
                    self._started = True
                if must_reset:
                    await self.reset(after_reorg=True)
                    must_reset = False
                progressed = await self.step()
            except Exception as exc:
                action = classify(exc)
                if action is Action.HALT:
                    raise
                if action is Action.RESET:
                    log.warning("L1 reorg: resetting derivation", reason=str(exc))
                    must_reset = True
                    continue
                self.health.failed(exc)
                await asyncio.sleep(backoff.pause())
                continue
            backoff.succeeded()
            self.health.succeeded()
            if not progressed:
                await asyncio.sleep(self.poll_seconds)

    async def _resume_position(self, record: BatchRecord | None) -> L1Position:
        """Read again from the L1 block of ``record`` (later batches may share it)."""
        if record is None:
            return self.anchor
        header = await self.traversal.header(record.l1_number)
        return L1Position(record.l1_number - 1, header.parent_hash)

    async def restore(self) -> None:
        """Start from the stored records (after a restart): reset, then reload the queue."""
        await self.reset()
        await self.traversal.reload_queue(self.anchor.number + 1)

    async def reset(self, after_reorg: bool = False) -> None:
        """Keep the batches whose L1 block is still canonical; resume after the last one.

        Blocks above the new safe head are dropped on a node that only derives, and on a
        sequencer after an L1 reorg (their origins or deposits may be gone from L1, and no
        batch could carry them); the engine hands their transactions back to the intake.
        """
        keep = len(self.heads.records)
        while keep:
            record = self.heads.records[keep - 1]
            with reading_l1(f"L1 block {record.l1_number}"):
                block = await self.traversal.headers.block(record.l1_number)
            if block is not None and block.hash == record.l1_hash:
                break
            keep -= 1
        dropped_batches = keep < len(self.heads.records)
        writes = self.heads.truncate(keep)
        rewind = self.rewind_unsafe or after_reorg or dropped_batches
        if rewind and self.chain.head_number() > self.heads.safe:
            await self.engine.rewind(self.heads.safe, writes)
        else:
            self.chain.store.write(writes)
        last = self.heads.records[-1] if self.heads.records else None
        self.traversal.reset(await self._resume_position(last))

    async def step(self) -> bool:
        """Read the next confirmed L1 blocks and derive their batches; ``False`` if idle."""
        head = await self.l1.head_number()
        self.status.l1_head = head
        before = self.traversal.cursor.number
        batches = await self.traversal.advance(head - self.confirmations)
        for batch, l1_hash in batches:
            if batch.index < self.heads.next_batch:
                continue  # derived before (a re-read of the last record's L1 block)
            if batch.index != self.heads.next_batch:
                raise ReorgDetected(f"batch {batch.index} arrived before {self.heads.next_batch}")
            if (await self.traversal.header(batch.l1_block_number)).hash != l1_hash:
                raise ReorgDetected(f"the L1 block of batch {batch.index} was reorganised")
            await self.derive(batch, l1_hash)
        self.status.l1_safe = self.traversal.cursor.number
        try:
            self.status.l1_finalized = await self.l1.finalized_number()
        except Web3RPCError as exc:  # refused (a client without the tag): finality stays
            if classify(exc) is not Action.HALT:
                raise  # L1 busy: retried like any other read
            log.debug("L1 finalized block unavailable", reason=str(exc))
        self.heads.finalize(self.status.l1_finalized)
        self.status.l1_read_at = time.monotonic()
        return self.traversal.cursor.number != before

    async def derive(self, batch: CtcBatch, l1_hash: bytes) -> None:
        """Derive and apply the blocks of one batch; record it with its last block."""
        if batch.prev_total_blocks != self.heads.safe:
            raise ReorgDetected(
                f"batch {batch.index} starts after block {batch.prev_total_blocks}, "
                f"the safe head is {self.heads.safe}"
            )
        queue = list(self.traversal.elements(batch.prev_queue_index, batch.queue_index_after))
        blocks, malformed = await batch_attributes(
            self.config, batch, queue, self.chain, self.traversal
        )
        record = BatchRecord(
            batch.index,
            batch.l1_block_number,
            l1_hash,
            batch.prev_total_blocks + batch.num_blocks,
            batch.queue_index_after,
        )
        extras = {record.last_l2_block: self.heads.extras_for(record)}  # the record, with its last
        await self.engine.apply_all([(attrs, extras.get(attrs.number, {})) for attrs in blocks])
        self.heads.recorded(record)
        self.status.batches += 1
        if malformed:
            self.status.malformed_batches += 1
            log.warning("malformed batch: its blocks are fallback blocks", batch=batch.index)
        log.debug(
            "batch derived",
            batch=batch.index,
            l1=batch.l1_block_number,
            safe=record.last_l2_block,
            fallback=sum(a.fallback for a in blocks),
        )


class Web3L1Heads:
    """``L1Heads`` over web3 (the ``latest`` and ``finalized`` tags)."""

    def __init__(self, w3) -> None:  # noqa: ANN001 - AsyncWeb3
        self.w3 = w3

    async def head_number(self) -> int:
        with reading_l1("L1 head"):
            return await self.w3.eth.block_number

    async def finalized_number(self) -> int:
        return (await self.w3.eth.get_block("finalized"))["number"]


def derivation_service(
    config: RollupConfig,
    chain: Chain,
    headers: L1Headers,
    w3,  # noqa: ANN001 - AsyncWeb3 on L1
    executor=None,  # noqa: ANN001 - the node's block executor
    lock: asyncio.Lock | None = None,
    rewind_unsafe: bool = True,
    confirmations: int = 0,
    intake: Requeue | None = None,
    health: L1Health | None = None,
) -> Derivation:
    """Wire the stages: CTC logs → L1 traversal → attributes → engine, with the heads
    (``intake``: a sequencer's, where replaced blocks' transactions go back; ``health``:
    where each poll's outcome is reported)."""
    anchor = L1Position(config.genesis_l1.number, bytes.fromhex(config.genesis_l1.hash[2:]))
    source = Web3CtcSource(w3, config.l1_addresses.canonical_transaction_chain)
    traversal = L1Traversal(source, headers, anchor)
    engine = Engine(chain, executor, lock, intake)
    return Derivation(
        config,
        chain,
        engine,
        traversal,
        Web3L1Heads(w3),
        confirmations,
        rewind_unsafe,
        health=health,
    )
