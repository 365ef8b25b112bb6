"""Walking confirmed L1 blocks in order: new batches, the queue, and reorg detection.

The traversal remembers the last L1 block it read (number and hash) and every queue element
it has seen. Each ``advance`` first checks that its last block is still canonical — if not,
L1 reorganised under it (``ReorgDetected``) — then reads the CTC logs of the next blocks up to
the confirmed target. A batch consumes only elements enqueued in earlier L1 blocks (the CTC
enforces it), so the queue is always complete for the batches it returns.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from rollup_node.derivation.ctc_source import CtcSource
from rollup_node.derivation.errors import L1Unavailable, ReorgDetected, reading_l1
from rollup_node.l1.reader import L1BlockInfo
from rollup_node.protocol.derivation import CtcBatch, QueueElement

#: Most L1 blocks read in one ``eth_getLogs`` request.
MAX_BLOCK_RANGE = 500


class L1Headers(Protocol):
    """Canonical L1 headers by number (``rollup_node.l1.reader.L1Reader`` has it)."""

    async def block(self, number: int) -> L1BlockInfo | None:
        """The canonical L1 block ``number`` or ``None``."""
        ...


@dataclass(frozen=True, slots=True)
class L1Position:
    """An L1 block by number and hash."""

    number: int
    hash: bytes


class L1Traversal:
    """Confirmed L1 blocks, read in order, with the queue elements they enqueued."""

    def __init__(self, source: CtcSource, headers: L1Headers, start: L1Position) -> None:
        self.source = source
        self.headers = headers
        self.cursor = start
        self.queue: dict[int, QueueElement] = {}

    async def header(self, number: int) -> L1BlockInfo:
        """The canonical header ``number``; ``L1Unavailable`` if L1 does not have it."""
        with reading_l1(f"L1 block {number}"):
            block = await self.headers.block(number)
        if block is None:
            raise L1Unavailable(f"L1 block {number} is not available")
        return block

    async def check_cursor(self) -> None:
        """Raise ``ReorgDetected`` if the last block read is no longer canonical."""
        with reading_l1(f"L1 block {self.cursor.number}"):
            block = await self.headers.block(self.cursor.number)
        if block is None or block.hash != self.cursor.hash:
            raise ReorgDetected(f"L1 block {self.cursor.number} was reorganised")

    async def advance(self, target: int) -> list[tuple[CtcBatch, bytes]]:
        """Read up to ``MAX_BLOCK_RANGE`` blocks towards ``target``; return their batches."""
        await self.check_cursor()
        if target <= self.cursor.number:
            return []
        end = min(target, self.cursor.number + MAX_BLOCK_RANGE)
        # The logs belong to the chain ending in ``last`` only if ``last`` is still the head of
        # the range after they were read (a block's hash fixes all its ancestors).
        last = await self.header(end)
        logs = await self.source.read(self.cursor.number + 1, end)
        if (await self.header(end)).hash != last.hash:
            raise ReorgDetected(f"L1 block {end} changed while its logs were read")
        if (
            last.number
            and (await self.header(self.cursor.number + 1)).parent_hash != self.cursor.hash
        ):
            raise ReorgDetected(f"L1 block {self.cursor.number + 1} does not extend the cursor")
        for element in logs.queue:
            self.queue[element.index] = element
        self.cursor = L1Position(end, last.hash)
        return list(logs.batches)

    async def reload_queue(self, first_block: int) -> None:
        """Re-read the queue elements of L1 blocks ``first_block..cursor`` (after a restart)."""
        start = first_block
        while start <= self.cursor.number:
            end = min(self.cursor.number, start + MAX_BLOCK_RANGE - 1)
            for element in (await self.source.read(start, end)).queue:
                self.queue[element.index] = element
            start = end + 1

    def reset(self, position: L1Position) -> None:
        """Resume after ``position``, forgetting elements enqueued in later blocks."""
        self.cursor = position
        self.queue = {i: e for i, e in self.queue.items() if e.l1_block_number <= position.number}

    def elements(self, first: int, end: int) -> Sequence[QueueElement]:
        """Queue elements ``first..end-1``; ``ReorgDetected`` if one is missing."""
        try:
            return [self.queue[i] for i in range(first, end)]
        except KeyError as exc:
            raise ReorgDetected(f"queue element {exc} was not seen on this L1 chain") from exc
