"""Running the EVM for a client: a bounded set of threads of their own, and a deadline that stops.

``eth_call`` and ``eth_estimateGas`` execute code a client chose, as long as its gas allows
(at ``rpc_gas_cap`` a tight loop runs for tens of seconds). Each such execution runs here in a
thread of its own, never in a pool that block production, intake or cheap methods use, at most
``max_concurrent`` at a time (more wait for a slot), and is stopped at ``timeout_seconds``:
the thread gets an exception raised inside it (``CallTimedOut``, through the interpreter's
asynchronous-exception hook), which unwinds py-evm at its next bytecode, so the CPU is given
back rather than left to a computation nobody waits for. The client gets -32005 naming
``rpc_evm_timeout``; a call that finds no slot before its deadline gets the same.
A call only reads state, so abandoning one mid-way leaves nothing behind.
"""

from __future__ import annotations

import asyncio
import ctypes
import threading
from collections.abc import Callable
from typing import TypeVar

from rollup_node.rpc import errors

T = TypeVar("T")


class CallTimedOut(BaseException):
    """Raised inside a call's thread at its deadline (a BaseException: no handler in py-evm
    that catches ``Exception`` may swallow it)."""


def _interrupt(thread: threading.Thread) -> None:
    """Raise ``CallTimedOut`` in ``thread`` at its next Python bytecode."""
    if thread.ident is not None:
        ctypes.pythonapi.PyThreadState_SetAsyncExc(
            ctypes.c_ulong(thread.ident), ctypes.py_object(CallTimedOut)
        )


class UserCalls:
    """Runs client-chosen executions with a concurrency bound and a deadline (see module doc).

    A thread counts against the bound until it has really ended, stopped ones included.
    """

    def __init__(self, max_concurrent: int, timeout_seconds: float) -> None:
        self._max_concurrent = max_concurrent
        self._timeout = timeout_seconds
        self._threads: set[threading.Thread] = set()
        self._stoppers: set[asyncio.Task[None]] = set()

    def _timed_out(self) -> errors.RpcError:
        return errors.limit_exceeded(
            f"execution stopped after {self._timeout:g} s (rpc_evm_timeout)"
        )

    async def _wait_for_slot(self, deadline: float) -> None:
        loop = asyncio.get_running_loop()
        while True:
            self._threads = {thread for thread in self._threads if thread.is_alive()}
            if len(self._threads) < self._max_concurrent:
                return
            if loop.time() >= deadline:
                raise self._timed_out()
            await asyncio.sleep(0.01)

    async def run(self, function: Callable[..., T], *args: object) -> T:
        """``function(*args)`` in a thread of its own; -32005 if it is not done in time."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._timeout
        await self._wait_for_slot(deadline)
        future: asyncio.Future[T] = loop.create_future()

        def deliver(result: T | None, error: BaseException | None) -> None:
            if future.done():
                return
            if error is not None:
                future.set_exception(error)
            else:
                future.set_result(result)  # type: ignore[arg-type]

        def target() -> None:
            try:
                try:
                    result = function(*args)
                except CallTimedOut:
                    return  # stopped: the client has had its answer
                except BaseException as exc:  # noqa: BLE001 - handed to the waiting coroutine
                    loop.call_soon_threadsafe(deliver, None, exc)
                else:
                    loop.call_soon_threadsafe(deliver, result, None)
            except CallTimedOut:
                pass  # raised a moment after the function returned

        thread = threading.Thread(target=target, name="rpc-user-call", daemon=True)
        self._threads.add(thread)
        thread.start()
        try:
            return await asyncio.wait_for(future, max(0.0, deadline - loop.time()))
        except (TimeoutError, asyncio.CancelledError) as exc:
            # Stop the execution, whether the deadline passed or the caller went away.
            stopper = asyncio.ensure_future(_stop(thread))
            self._stoppers.add(stopper)
            stopper.add_done_callback(self._stoppers.discard)
            if isinstance(exc, asyncio.CancelledError):
                raise
            raise self._timed_out() from None


async def _stop(thread: threading.Thread) -> None:
    """Interrupt ``thread`` until it ends (again every 100 ms, in case one arrived late)."""
    while thread.is_alive():
        _interrupt(thread)
        for _ in range(10):
            await asyncio.sleep(0.01)
            if not thread.is_alive():
                return
