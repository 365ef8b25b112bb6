"""Client-chosen executions: a deadline that really stops the thread, and a concurrency bound."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from rollup_node.rpc.errors import RpcError
from rollup_node.rpc.user_calls import UserCalls


def _user_call_threads() -> int:
    return sum(1 for thread in threading.enumerate() if thread.name == "rpc-user-call")


def _spin(stop_after_seconds: float, progress: list[int]) -> str:
    """Pure-Python busy work, as py-evm's interpreter loop is."""
    deadline = time.monotonic() + stop_after_seconds
    while time.monotonic() < deadline:
        progress[0] += 1
    return "finished"


async def _wait_until(predicate, timeout: float = 5.0) -> None:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached"
        await asyncio.sleep(0.01)


async def test_result_and_errors_come_back() -> None:
    calls = UserCalls(max_concurrent=2, timeout_seconds=5)
    assert await calls.run(_spin, 0.01, [0]) == "finished"
    with pytest.raises(ZeroDivisionError):
        await calls.run(lambda: 1 // 0)


async def test_the_deadline_stops_the_execution() -> None:
    calls = UserCalls(max_concurrent=2, timeout_seconds=0.3)
    progress = [0]
    started = time.monotonic()
    with pytest.raises(RpcError) as refused:
        await calls.run(_spin, 3600, progress)
    assert time.monotonic() - started < 1.0
    assert refused.value.code == -32005
    assert "rpc_evm_timeout" in refused.value.message
    await _wait_until(lambda: _user_call_threads() == 0)  # the thread really ended
    stopped_at = progress[0]
    await asyncio.sleep(0.1)
    assert progress[0] == stopped_at  # and computes nothing more


async def test_at_most_max_concurrent_run_and_the_rest_wait_within_their_deadline() -> None:
    calls = UserCalls(max_concurrent=2, timeout_seconds=3)
    running = [0]
    peak = [0]
    lock = threading.Lock()

    def work() -> None:
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        _spin(0.2, [0])
        with lock:
            running[0] -= 1

    await asyncio.gather(*(calls.run(work) for _ in range(6)))
    assert peak[0] == 2


async def test_a_call_that_finds_no_slot_in_time_is_refused() -> None:
    calls = UserCalls(max_concurrent=1, timeout_seconds=0.3)
    # A thread in one long C call can only be stopped when it returns: it holds the slot
    # past its own deadline, and a stopped thread counts until it has really ended.
    first = asyncio.ensure_future(calls.run(time.sleep, 1.0))
    await asyncio.sleep(0.05)
    with pytest.raises(RpcError, match="rpc_evm_timeout"):
        await calls.run(_spin, 0.01, [0])
    with pytest.raises(RpcError, match="rpc_evm_timeout"):
        await first
    await _wait_until(lambda: _user_call_threads() == 0)


async def test_a_cancelled_caller_stops_the_execution() -> None:
    calls = UserCalls(max_concurrent=1, timeout_seconds=60)
    task = asyncio.ensure_future(calls.run(_spin, 3600, [0]))
    await asyncio.sleep(0.1)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await _wait_until(lambda: _user_call_threads() == 0)
