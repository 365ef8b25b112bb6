"""Watching the SCC: every posted output root against the root of the node's derived block.

The watcher reads ``StateBatchAppended`` logs as L1 grows (a reorg of the last L1 block it
read makes it read the SCC again from the rollup's anchor; comparisons are idempotent). Each
posted element ``n`` waits until derivation has made block ``n`` safe, then its root is
compared with ``output_at(chain, n)``. A mismatch is logged at error level, counted in
``verifier_output_root_mismatches_total`` and recorded as a dispute candidate for
``rollup_disputes``; challenging it on L1 is the dispute game's work (SPEC §11).

After a challenger win the SCC emits ``StateBatchDeleted`` (SPEC §4, §11): the watcher reads it
in log order with the appends, forgets the deleted batches' elements (their roots are no longer
compared; a mismatch in them is marked ``deleted``) and compares the re-proposed roots afresh.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

import structlog
from prometheus_client import CollectorRegistry, Counter
from web3 import AsyncWeb3
from web3.exceptions import Web3Exception

from rollup_node.chain.chain import Chain
from rollup_node.chain.outputs import output_at
from rollup_node.config import RollupConfig
from rollup_node.proposer.scc import StateBatch, StateBatchDeletion, read_scc_history

log = structlog.get_logger("verifier")

#: Most L1 blocks read in one ``eth_getLogs`` request.
MAX_BLOCK_RANGE = 500


@dataclass(frozen=True, slots=True)
class RootMismatch:
    """A posted output root that differs from the node's own."""

    element: int
    posted_root: bytes
    local_root: bytes
    batch_index: int
    l1_block_number: int
    proposer: str
    detected_at: float
    batch: StateBatch  # the SCC batch holding the posted root
    deleted: bool = False  # its batch was deleted by a game (SPEC §11)

    def as_json(self) -> dict[str, object]:
        """The entry ``rollup_disputes`` serves."""
        return {
            "l2BlockNumber": hex(self.element),
            "postedOutputRoot": "0x" + self.posted_root.hex(),
            "localOutputRoot": "0x" + self.local_root.hex(),
            "sccBatchIndex": hex(self.batch_index),
            "l1BlockNumber": hex(self.l1_block_number),
            "proposer": self.proposer,
            "detectedAt": int(self.detected_at),
            "status": "deleted" if self.deleted else "detected",
        }


class OutputWatcher:
    """Compares SCC output roots with the node's derived blocks."""

    def __init__(
        self,
        config: RollupConfig,
        chain: Chain,
        w3: AsyncWeb3,
        registry: CollectorRegistry,
        poll_seconds: float = 0.5,
    ) -> None:
        self.config = config
        self.chain = chain
        self.w3 = w3
        self.scc = AsyncWeb3.to_checksum_address(config.l1_addresses.state_commitment_chain)
        self.poll_seconds = poll_seconds
        self.anchor = config.genesis_l1.number
        self.cursor: tuple[int, bytes] | None = None  # the last L1 block read
        self.pending: dict[int, tuple[bytes, StateBatch]] = {}  # element -> posted root
        self.checked: dict[int, bytes] = {}  # element -> root found equal
        self.batches: dict[int, StateBatch] = {}  # the SCC's current batches, by index
        self.deletions: list[StateBatchDeletion] = []
        self.mismatches: list[RootMismatch] = []
        #: Called (on the event loop) when a new mismatch is recorded: the node wakes its
        #: challenger here instead of letting it find the mismatch on its next poll.
        self.on_mismatch: list[Callable[[], None]] = []
        self._lock = threading.Lock()
        self.checked_total = Counter(
            "verifier_output_roots_checked_total", "Posted output roots compared", registry=registry
        )
        self.mismatch_total = Counter(
            "verifier_output_root_mismatches_total",
            "Posted output roots that differ from the node's own",
            registry=registry,
        )

    def disputes(self) -> list[dict[str, object]]:
        """The mismatches seen so far, as ``rollup_disputes`` serves them."""
        with self._lock:
            return [m.as_json() for m in self.mismatches]

    async def run(self) -> None:
        """Watch until cancelled."""
        log.info("output root watcher started")
        while True:
            try:
                await self.read_new_batches()
            except (TimeoutError, OSError, Web3Exception) as exc:
                log.warning("L1 unavailable; retrying", error=str(exc))
            self.compare_ready()
            await asyncio.sleep(self.poll_seconds)

    async def read_new_batches(self) -> None:
        """Read the SCC logs of the L1 blocks after the cursor."""
        if self.cursor is not None:
            block = await self.w3.eth.get_block(self.cursor[0])
            if bytes(block["hash"]) != self.cursor[1]:
                log.warning("L1 reorg: reading the SCC again")
                self.cursor = None
                self.pending.clear()
                self.checked.clear()
                self.batches.clear()
                self.deletions.clear()
        start = self.anchor + 1 if self.cursor is None else self.cursor[0] + 1
        head = await self.w3.eth.block_number
        if head < start:
            return
        end = min(head, start + MAX_BLOCK_RANGE - 1)
        for event in await read_scc_history(self.w3, self.scc, start, end):
            if isinstance(event, StateBatchDeletion):
                self.forget(event)
                continue
            self.batches[event.batch_index] = event
            for i, root in enumerate(event.output_roots):
                self.pending[event.prev_total_elements + i] = (root, event)
        last = await self.w3.eth.get_block(end)
        self.cursor = (end, bytes(last["hash"]))

    def forget(self, deletion: StateBatchDeletion) -> None:
        """Drop batch ``deletion.batch_index`` and every later one: their elements are no
        longer compared, and mismatches in them are marked deleted (SPEC §11)."""
        gone = [b for i, b in self.batches.items() if i >= deletion.batch_index]
        if not gone:
            return  # read again after a reorg, before the batches it deletes: nothing to drop
        first = min(b.prev_total_elements for b in gone)
        for index in [b.batch_index for b in gone]:
            del self.batches[index]
        for element in [n for n in self.pending if n >= first]:
            del self.pending[element]
        for element in [n for n in self.checked if n >= first]:
            del self.checked[element]
        with self._lock:
            self.deletions.append(deletion)
            self.mismatches = [
                replace(m, deleted=True) if m.element >= first and not m.deleted else m
                for m in self.mismatches
            ]
        log.warning(
            "SCC batches deleted by a dispute game; their roots are forgotten",
            first_batch=deletion.batch_index,
            first_element=first,
            game=deletion.game,
            l1_block=deletion.l1_block_number,
        )

    def earliest_wrong(self) -> RootMismatch | None:
        """The earliest mismatch whose batch still stands: the one element to challenge
        (SPEC §11 takes element ``n − 1`` as agreed)."""
        with self._lock:
            live = [m for m in self.mismatches if not m.deleted]
        return min(live, key=lambda m: m.element, default=None)

    def compare_ready(self) -> None:
        """Compare every pending root whose block derivation has made safe."""
        safe = self.chain.safe_number()
        for element in sorted(n for n in self.pending if n <= safe):
            root, batch = self.pending.pop(element)
            local = output_at(self.chain, element).root
            self.checked_total.inc()
            if local == root:
                self.checked[element] = root
                continue
            mismatch = RootMismatch(
                element,
                root,
                local,
                batch.batch_index,
                batch.l1_block_number,
                batch.proposer,
                time.time(),
                batch,
            )
            with self._lock:
                self.mismatches.append(mismatch)
            self.mismatch_total.inc()
            for wake in self.on_mismatch:
                wake()
            log.error(
                "output root mismatch",
                l2_block=element,
                posted="0x" + root.hex(),
                local="0x" + local.hex(),
                scc_batch=batch.batch_index,
                l1_block=batch.l1_block_number,
            )
