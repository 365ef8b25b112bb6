"""The derivation service's loop on a real L2 chain over a fake L1: a transient L1 failure is
retried until L1 answers again, a programming error stops the service (and so the node) at
once instead of being retried forever."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from rollup_node.chain.chain import Chain
from rollup_node.chain.genesis import open_l2_chain
from rollup_node.chain.store import ChainStore
from rollup_node.config import RollupConfig
from rollup_node.derivation.ctc_source import CtcLogs
from rollup_node.derivation.driver import Derivation
from rollup_node.derivation.engine import Engine
from rollup_node.derivation.l1_traversal import L1Position, L1Traversal
from rollup_node.l1.reader import L1BlockInfo

CONFIG = RollupConfig()
GENESIS_HASH = bytes(32)  # the default config's genesis L1 block


class FailingL1:
    """An L1 of ``length`` empty blocks whose header reads raise ``failures`` in turn first."""

    def __init__(self, length: int, failures: list[BaseException]) -> None:
        self.length = length
        self.failures = failures
        self.reads = 0

    def _hash(self, number: int) -> bytes:
        return GENESIS_HASH if number == 0 else number.to_bytes(32, "big")

    async def block(self, number: int) -> L1BlockInfo | None:
        self.reads += 1
        if self.failures:
            raise self.failures.pop(0)
        if number >= self.length:
            return None
        parent = self._hash(number - 1) if number else bytes(32)
        return L1BlockInfo(number, self._hash(number), parent, 12 * number, 10**9, bytes(32))

    async def read(self, from_block: int, to_block: int) -> CtcLogs:
        return CtcLogs((), ())

    async def head_number(self) -> int:
        return self.length - 1

    async def finalized_number(self) -> int:
        return 0


@pytest.fixture
def chain(tmp_path: Path) -> Iterator[Chain]:
    store = ChainStore(tmp_path)
    yield open_l2_chain(store, CONFIG)
    store.close()


def derivation(chain: Chain, l1: FailingL1) -> Derivation:
    traversal = L1Traversal(l1, l1, L1Position(0, GENESIS_HASH))
    return Derivation(CONFIG, chain, Engine(chain), traversal, l1, poll_seconds=0.01)


async def test_transient_failures_are_retried_until_l1_answers(chain: Chain) -> None:
    l1 = FailingL1(20, [ConnectionResetError("reset by peer"), TimeoutError()])
    service = derivation(chain, l1)
    task = asyncio.create_task(service.run())
    for _ in range(500):
        if service.status.l1_safe == 19:
            break
        await asyncio.sleep(0.01)
    assert not task.done()  # still running: the failures were retried
    assert service.status.l1_safe == 19 and not l1.failures
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_a_programming_error_stops_the_service(chain: Chain) -> None:
    bug = AttributeError("'NoneType' object has no attribute 'hash'")
    l1 = FailingL1(20, [bug])
    service = derivation(chain, l1)
    with pytest.raises(AttributeError) as raised:
        await asyncio.wait_for(service.run(), timeout=10)
    assert raised.value is bug and l1.reads == 1  # raised at once, never retried
