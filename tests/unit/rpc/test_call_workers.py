"""User calls in worker processes (``rpc/call_workers.py``) over a real embedded L1 chain: the
same answers as in-process calls, a deadline and a client that goes away end the worker's
process, and closing the pool leaves no process behind."""

from __future__ import annotations

import asyncio
import functools
import os
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from prometheus_client import CollectorRegistry

from rollup_node.chain.errors import ExecutionReverted, UnknownBlock
from rollup_node.chain.genesis import devnet_accounts
from rollup_node.chain.queries import AccountOverride, CallRequest
from rollup_node.devnet.l1 import EmbeddedL1
from rollup_node.metrics import NodeMetrics
from rollup_node.rpc.call_workers import CallWorkers
from rollup_node.rpc.errors import RpcError
from rollup_node.rpc.limits import RpcLimits
from rollup_node.rpc.server import CALL_WORKERS, RpcServer, build_app

RETURNS_ONE = bytes.fromhex("600160005260206000f3")
REVERTS_WITH_DATA = bytes.fromhex("602a60005260206000fd")
RETURNS_TIMESTAMP = bytes.fromhex("4260005260206000f3")
READS_SLOT_ONE = bytes.fromhex("60015450")
LOOPS = bytes.fromhex("5b5f56")  # JUMPDEST PUSH0 JUMP: runs until its gas is gone
TARGET = b"\x11" * 20
TIMEOUT_SECONDS = 1.0


@pytest.fixture
def l1(tmp_path: Path) -> Iterator[EmbeddedL1]:
    chain = EmbeddedL1(tmp_path, 900, 3600.0, NodeMetrics(CollectorRegistry(), chain="l1"))
    chain.set_code(b"\x01" * 19 + b"\x02", RETURNS_ONE)
    chain.set_code(b"\x01" * 19 + b"\x03", REVERTS_WITH_DATA)
    yield chain
    chain.close()


@pytest.fixture
async def workers(l1: EmbeddedL1) -> AsyncIterator[CallWorkers]:
    pool = CallWorkers(l1.chain, max_concurrent=2, timeout_seconds=TIMEOUT_SECONDS)
    await pool.start()
    yield pool
    await pool.close()


def _pids(pool: CallWorkers) -> set[int]:
    return {worker.process.pid for worker in pool._all if worker.process.pid is not None}


def _alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie awaiting its reaper counts as ended)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


async def _outcome(run: Any) -> tuple[str, Any]:  # noqa: ANN401 - an awaitable or a value
    try:
        value = await run if asyncio.iscoroutine(run) else run()
    except ExecutionReverted as error:
        return "reverted", (str(error), error.data)
    except UnknownBlock as error:
        return "unknown block", str(error)
    return "ok", value


async def test_answers_equal_in_process_calls(l1: EmbeddedL1, workers: CallWorkers) -> None:
    chain = l1.chain
    rich = devnet_accounts()[0][0]
    head = chain.head()
    l1.set_next_block_timestamp(head.timestamp + 100)  # fixes the pending environment
    l1.mine()  # committed after the workers opened the store: they must see it
    number = chain.head_number()
    returns_one, reverts = b"\x01" * 19 + b"\x02", b"\x01" * 19 + b"\x03"
    cases = [
        ("call", CallRequest(to=returns_one), number, None, False),
        ("call", CallRequest(to=reverts), number, None, False),
        (
            "call",
            CallRequest(to=TARGET),
            number,
            {TARGET: AccountOverride(code=RETURNS_TIMESTAMP)},
            True,
        ),
        (
            "call",
            CallRequest(to=TARGET),
            0,
            {TARGET: AccountOverride(code=RETURNS_TIMESTAMP)},
            False,
        ),
        (
            "call",
            CallRequest(sender=rich, to=TARGET, value=5, gas_price=10**9),
            number,
            None,
            False,
        ),
        (
            "call",
            CallRequest(to=TARGET, gas=21_000),
            number,
            {TARGET: AccountOverride(code=LOOPS)},
            False,
        ),
        ("call", CallRequest(to=returns_one), number + 50, None, False),
        ("estimate_gas", CallRequest(sender=rich, to=returns_one), number, None, True),
        ("estimate_gas", CallRequest(to=reverts), number, None, False),
        ("estimate_gas", CallRequest(sender=rich, data=RETURNS_ONE), number, None, False),
        (
            "create_access_list",
            CallRequest(to=TARGET),
            number,
            {TARGET: AccountOverride(code=READS_SLOT_ONE)},
            False,
        ),
        ("create_access_list", CallRequest(sender=rich, data=READS_SLOT_ONE), number, None, True),
    ]
    for method, request, block, overrides, pending in cases:
        in_process = functools.partial(getattr(chain, method), request, block, overrides, pending)
        here = await _outcome(in_process)
        there = await _outcome(workers.run(method, request, block, overrides, pending))
        assert there == here, (method, request)
    assert here[0] == "ok" and here[1].access_list  # the last case found its storage slot


async def test_a_call_past_its_deadline_ends_its_worker(workers: CallWorkers) -> None:
    before = _pids(workers)
    looping = CallRequest(to=TARGET, gas=50_000_000)
    overrides = {TARGET: AccountOverride(code=LOOPS)}
    started = time.monotonic()
    with pytest.raises(RpcError, match="rpc_evm_timeout") as refused:
        await workers.run("call", looping, 0, overrides)
    assert refused.value.code == -32005
    assert time.monotonic() - started < TIMEOUT_SECONDS + 1.0
    killed = before - _pids(workers)
    assert len(killed) == 1
    deadline = time.monotonic() + 5
    while any(_alive(pid) for pid in killed):
        assert time.monotonic() < deadline, "the worker of the stopped call still runs"
        await asyncio.sleep(0.05)
    # A replacement takes its place, and the pool serves on.
    while len(_pids(workers)) < 2:
        assert time.monotonic() < deadline, "the stopped worker was not replaced"
        await asyncio.sleep(0.05)
    assert await workers.run("call", CallRequest(to=b"\x01" * 19 + b"\x02"), 0, None) == b""


async def test_calls_beyond_the_pool_wait_within_their_deadline(workers: CallWorkers) -> None:
    looping = CallRequest(to=TARGET, gas=50_000_000)
    overrides = {TARGET: AccountOverride(code=LOOPS)}
    started = time.monotonic()
    answers = await asyncio.gather(
        *(workers.run("call", looping, 0, overrides) for _ in range(6)), return_exceptions=True
    )
    assert all(isinstance(answer, RpcError) and answer.code == -32005 for answer in answers)
    assert time.monotonic() - started < TIMEOUT_SECONDS + 1.0


async def test_a_cancelled_call_ends_its_worker(workers: CallWorkers) -> None:
    """The client went away: aiohttp cancels the handler, and the computation stops."""
    before = _pids(workers)
    looping = CallRequest(to=TARGET, gas=50_000_000)
    call = asyncio.ensure_future(
        workers.run("call", looping, 0, {TARGET: AccountOverride(code=LOOPS)})
    )
    await asyncio.sleep(0.2)
    call.cancel()
    with pytest.raises(asyncio.CancelledError):
        await call
    killed = before - _pids(workers)
    assert len(killed) == 1
    deadline = time.monotonic() + 5
    while any(_alive(pid) for pid in killed):
        assert time.monotonic() < deadline, "the worker of the cancelled call still runs"
        await asyncio.sleep(0.05)


def _nice(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[16])


async def test_workers_run_below_the_node_by_their_niceness(l1: EmbeddedL1) -> None:
    pool = CallWorkers(l1.chain, max_concurrent=2, timeout_seconds=5.0, niceness=7)
    await pool.start()
    try:
        ours = _nice(os.getpid())
        assert [_nice(pid) for pid in _pids(pool)] == [min(19, ours + 7)] * 2
    finally:
        await pool.close()


async def test_close_ends_every_worker_and_refuses_calls_in_flight(l1: EmbeddedL1) -> None:
    pool = CallWorkers(l1.chain, max_concurrent=2, timeout_seconds=30.0)
    await pool.start()
    pids = _pids(pool)
    assert len(pids) == 2 and all(_alive(pid) for pid in pids)
    looping = CallRequest(to=TARGET, gas=50_000_000)
    overrides = {TARGET: AccountOverride(code=LOOPS)}
    calls = [asyncio.ensure_future(pool.run("call", looping, 0, overrides)) for _ in range(3)]
    await asyncio.sleep(0.3)
    started = time.monotonic()
    await pool.close()
    answers = await asyncio.gather(*calls, return_exceptions=True)
    assert time.monotonic() - started < 5.0
    assert all(isinstance(answer, RpcError) and answer.code == -32000 for answer in answers)
    assert not any(_alive(pid) for pid in pids)


async def test_an_http_client_that_goes_away_stops_its_call(l1: EmbeddedL1) -> None:
    """Over a real server: the client's disconnect cancels the handler, which kills the
    worker long before the call's deadline."""
    limits = RpcLimits(evm_timeout_seconds=60.0)
    app = build_app(l1.chain, limits=limits, call_source=l1.chain)
    server = RpcServer(app)
    await server.start("127.0.0.1", 0)
    try:
        pool = app[CALL_WORKERS]
        before = _pids(pool)
        call = {"jsonrpc": "2.0", "id": 1, "method": "eth_call", "params": [
            {"to": "0x" + TARGET.hex(), "gas": hex(50_000_000)}, "latest",
            {"0x" + TARGET.hex(): {"code": "0x" + LOOPS.hex()}}]}  # fmt: skip
        started = time.monotonic()
        timeout = aiohttp.ClientTimeout(total=0.5)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            with pytest.raises(asyncio.TimeoutError):
                await session.post(f"http://127.0.0.1:{server.port}/", json=call)
        while before <= _pids(pool):  # no worker of the first ones is gone yet
            assert time.monotonic() - started < 10.0, "the call ran on after its client left"
            await asyncio.sleep(0.05)
    finally:
        await server.stop()
