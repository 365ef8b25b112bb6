"""The sequencer's deposits from the CTC queue on L1 (SPEC §3.2, §4, §6.2).

A service follows the CTC's ``TransactionEnqueued`` logs (through ``L1Traversal``, which also
notices L1 reorgs). ``take`` hands the next block its deposits: queue elements in order, from
the next index the chain has not consumed, each enqueued at or before the block's L1 origin
(derivation turns a block that breaks this into a fallback block), while their gas fits the
budget. The budget is capped at ``D − M`` per block — the CTC accepts at most
``numBlocks·(D − M)`` deposit gas per batch — so every batch of the sequencer's blocks can land.

The next queue index is read from the chain itself (the source hashes of the deposits in the
latest blocks), so it stays right when derivation rewinds the sequencer's chain.
"""

from __future__ import annotations

import asyncio
import threading

import structlog

from rollup_node.chain.chain import Chain
from rollup_node.chain.errors import StoreCorrupted
from rollup_node.config import RollupConfig
from rollup_node.derivation.errors import L1Unavailable, ReorgDetected
from rollup_node.derivation.l1_traversal import L1Position, L1Traversal
from rollup_node.protocol.deposits import DEPOSIT_TX_TYPE, DepositTx

log = structlog.get_logger("sequencer")


class CtcDeposits:
    """A ``DepositSource`` over the CTC queue, kept current by ``run``."""

    def __init__(
        self,
        config: RollupConfig,
        chain: Chain,
        traversal: L1Traversal,
        heads,  # noqa: ANN001 - derivation.driver.L1Heads
        poll_seconds: float = 0.5,
        censor: bool = False,
    ) -> None:
        self.config = config
        self.chain = chain
        self.traversal = traversal
        self.heads = heads
        self.poll_seconds = poll_seconds
        self.censor = censor  # fault injection: include no deposit at all
        self.anchor = L1Position(
            config.genesis_l1.number, bytes.fromhex(config.genesis_l1.hash[2:])
        )
        self._index_by_source: dict[bytes, int] = {}
        self._next_after_block: dict[bytes, int] = {}  # block hash -> next queue index
        self._lock = threading.Lock()
        self._ready = False  # the queue has been read up to L1's head once

    async def run(self) -> None:
        """Follow the queue on L1 until cancelled."""
        while True:
            try:
                head = await self.heads.head_number()
                await self.traversal.advance(head)
            except ReorgDetected:
                log.warning("L1 reorg: re-reading the deposit queue")
                self.traversal.reset(self.anchor)
                self.traversal.queue = {}
                continue
            except L1Unavailable as exc:
                log.warning("L1 unavailable; retrying", reason=str(exc))
            else:
                with self._lock:
                    for element in list(self.traversal.queue.values()):
                        source = element.deposit().source_hash
                        self._index_by_source.setdefault(source, element.index)
                    self._ready = self._ready or self.traversal.cursor.number >= head
            await asyncio.sleep(self.poll_seconds)

    def _next_index(self) -> int:
        """The first queue index the chain's head has not consumed."""
        walked = []
        number = self.chain.head_number()
        next_index = 0
        while number > 0:
            block = self.chain.block_by_number(number)
            if block is None:
                raise StoreCorrupted(f"canonical block {number} missing below head")
            if block.hash in self._next_after_block:
                next_index = self._next_after_block[block.hash]
                break
            walked.append(block)
            number -= 1
        for block in reversed(walked):
            for tx in block.transactions:
                if tx.type == DEPOSIT_TX_TYPE and tx.source_hash in self._index_by_source:
                    next_index = self._index_by_source[tx.source_hash] + 1
            self._next_after_block[block.hash] = next_index
        return next_index

    def take(self, gas_budget: int, origin_number: int) -> list[DepositTx]:
        """Deposits for the next block: in queue order, enqueued at or before
        ``origin_number``, their gas within ``min(gas_budget, D − M)``."""
        budget = min(gas_budget, self.config.deposit_gas_per_block - self.config.max_deposit_gas)
        with self._lock:
            if not self._ready or self.censor:  # not ready: the chain's deposits are unplaced yet
                return []
            index = self._next_index()
            queue = self.traversal.queue
            out: list[DepositTx] = []
            used = 0
            while index in queue:
                element = queue[index]
                if element.l1_block_number > origin_number or used + element.gas_limit > budget:
                    break
                used += element.gas_limit
                deposit = element.deposit()
                self._index_by_source[deposit.source_hash] = element.index
                out.append(deposit)
                index += 1
            return out
