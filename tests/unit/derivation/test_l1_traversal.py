"""L1 traversal over fake L1 headers and CTC logs: reading in order, the queue, reorgs."""

from __future__ import annotations

import asyncio

import pytest

from rollup_node.derivation.ctc_source import CtcLogs
from rollup_node.derivation.errors import L1Unavailable, ReorgDetected
from rollup_node.derivation.l1_traversal import L1Position, L1Traversal
from rollup_node.l1.reader import L1BlockInfo
from rollup_node.protocol.derivation import CtcBatch, QueueElement


class FakeL1:
    """Headers and CTC logs of a fake L1 whose blocks can be replaced (a reorg)."""

    def __init__(self, length: int) -> None:
        self.salt = {n: 0 for n in range(length)}
        self.queue: dict[int, list[QueueElement]] = {}
        self.batches: dict[int, list[CtcBatch]] = {}

    def _hash(self, n: int) -> bytes:
        return bytes([n % 256, self.salt[n]]) + b"\x00" * 30

    async def block(self, number: int) -> L1BlockInfo | None:
        if number not in self.salt:
            return None
        parent = self._hash(number - 1) if number else b"\x00" * 32
        return L1BlockInfo(number, self._hash(number), parent, 1_000 + 12 * number, 7, b"\x01" * 32)

    async def read(self, from_block: int, to_block: int) -> CtcLogs:
        queue = [e for n in range(from_block, to_block + 1) for e in self.queue.get(n, [])]
        batches = [
            (b, self._hash(n))
            for n in range(from_block, to_block + 1)
            for b in self.batches.get(n, [])
        ]
        return CtcLogs(tuple(batches), tuple(queue))

    def reorg_from(self, number: int) -> None:
        for n in self.salt:
            if n >= number:
                self.salt[n] += 1
        for table in (self.queue, self.batches):
            for n in [n for n in table if n >= number]:
                del table[n]


def element(index: int, l1_block: int) -> QueueElement:
    return QueueElement(index, b"\x11" * 20, b"\x22" * 20, 1, 50_000, False, b"", l1_block, 0)


def batch(index: int, l1_block: int) -> CtcBatch:
    return CtcBatch(index, b"\x00\xc0", 0, 1, 0, 0, l1_block, b"\x00" * 32, False)


def traversal(l1: FakeL1) -> L1Traversal:
    return L1Traversal(l1, l1, L1Position(0, l1._hash(0)))


def test_reads_batches_and_queue_in_order() -> None:
    l1 = FakeL1(10)
    l1.queue[2] = [element(0, 2), element(1, 2)]
    l1.batches[4] = [batch(0, 4)]
    l1.batches[6] = [batch(1, 6)]
    t = traversal(l1)
    got = asyncio.run(t.advance(5))
    assert [b.index for b, _ in got] == [0]
    assert t.cursor.number == 5 and sorted(t.queue) == [0, 1]
    assert [e.index for e in t.elements(0, 2)] == [0, 1]
    got = asyncio.run(t.advance(9))
    assert [b.index for b, _ in got] == [1]
    assert asyncio.run(t.advance(9)) == []  # nothing new is a normal return


def test_detects_a_reorg_of_the_last_block_read() -> None:
    l1 = FakeL1(10)
    t = traversal(l1)
    asyncio.run(t.advance(6))
    l1.reorg_from(5)
    with pytest.raises(ReorgDetected):
        asyncio.run(t.advance(9))


def test_reset_forgets_later_elements() -> None:
    l1 = FakeL1(10)
    l1.queue[2] = [element(0, 2)]
    l1.queue[5] = [element(1, 5)]
    t = traversal(l1)
    asyncio.run(t.advance(9))
    t.reset(L1Position(3, l1._hash(3)))
    assert sorted(t.queue) == [0]
    with pytest.raises(ReorgDetected):
        t.elements(0, 2)  # element 1 is not on this chain (yet)


def test_missing_block_is_retryable() -> None:
    l1 = FakeL1(3)
    t = traversal(l1)
    with pytest.raises(L1Unavailable):
        asyncio.run(t.header(7))
