"""User calls in worker processes: a bounded pool whose workers are killed at the deadline.

``eth_call``, ``eth_estimateGas`` and ``eth_createAccessList`` execute code a client chose
(at ``rpc_gas_cap`` a tight loop runs for tens of seconds). Run in a thread of the node, the
EVM holds the interpreter lock against the event loop, so every other request and the block
producer wait behind it. Here each runs in one of ``max_concurrent`` worker processes
(``chain/call_process.py``), which read the node's store through LMDB's read-only access:

- a call waits for an idle worker, and is answered -32005 naming ``rpc_evm_timeout`` if it has
  not finished ``timeout_seconds`` after it arrived (waiting included);
- the workers run at a lower CPU priority (``niceness``): a machine with fewer cores than
  busy workers otherwise shares them evenly between the node and its workers, and
  ``eth_blockNumber`` p99 doubled or quadrupled under looping calls; niced, it stayed at the
  baseline's (``bench/rpc_looping_calls.py``). A worker still gets whatever CPU the node leaves;
- a call past its deadline, or whose client went away (the handler is cancelled), is ended by
  killing its worker — py-evm stops at once, whatever it was doing — and a fresh worker takes
  its place (forked from a server process that has the modules loaded: milliseconds);
- ``close`` (the server shutting down) kills every worker; calls in flight are answered
  -32000 "shutting down". A worker whose node died without closing the pool ends on its own
  (its pipe closes; a running call is stopped by the worker's own alarm).

Workers are forked from ``multiprocessing``'s fork server, never from the node itself: the
node runs threads and holds LMDB handles, which must not be copied into a child.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import threading
from collections.abc import Mapping
from multiprocessing.connection import Connection
from typing import Any, Protocol

import structlog

from rollup_node.chain.call_jobs import CallJob, CallMethod, ReaderSpec
from rollup_node.chain.call_process import READY, serve
from rollup_node.chain.queries import AccountOverride, CallRequest
from rollup_node.rpc import errors

log = structlog.get_logger(__name__)

#: Workers are forked from a server process that imported the worker's modules once.
_CONTEXT = multiprocessing.get_context("forkserver")
_CONTEXT.set_forkserver_preload(["rollup_node.chain.call_process"])
#: How long after its deadline a worker whose node is gone stops a call by itself.
BACKSTOP_SECONDS = 2.0
#: A worker that failed to start is tried again after this long.
RESPAWN_DELAY_SECONDS = 1.0
#: How long ``close`` lets workers being started finish starting (then kills them).
START_TIMEOUT_SECONDS = 10.0
#: ``multiprocessing`` keeps one table of a process' children, which ``start`` and ``join``
#: both update; they run in threads here (off the event loop), one at a time.
_PROCESS_LOCK = threading.Lock()


class CallSource(Protocol):
    """A chain whose user calls can run in worker processes (the node's ``Chain``)."""

    def reader_spec(self) -> ReaderSpec:
        """How a worker process opens the chain."""
        ...

    def call_job(
        self,
        method: CallMethod,
        request: CallRequest,
        block_number: int,
        overrides: Mapping[bytes, AccountOverride] | None,
        pending: bool = False,
    ) -> CallJob:
        """The call as a self-contained job (``pending`` resolved by the chain)."""
        ...


class _Worker:
    """One worker process and the node's end of its pipe."""

    def __init__(self, process: multiprocessing.process.BaseProcess, connection: Connection):
        self.process = process
        self.connection = connection
        self._killed = False
        self._waiting: asyncio.Future[None] | None = None

    async def receive(self) -> Any:  # noqa: ANN401 - whatever the worker sent
        """The next message, waited for on the event loop (no thread blocks on the pipe).
        ``EOFError`` when the worker ended or was killed meanwhile."""
        loop = asyncio.get_running_loop()
        readable: asyncio.Future[None] = loop.create_future()
        fd = self.connection.fileno()
        loop.add_reader(fd, lambda: readable.done() or readable.set_result(None))
        self._waiting = readable
        try:
            await readable
        finally:
            self._waiting = None
            loop.remove_reader(fd)
        if self._killed:
            raise EOFError("the call worker was killed")
        return self.connection.recv()

    def kill(self) -> None:
        """End the process now (SIGKILL); a ``receive`` waiting on it raises ``EOFError``.
        The pipe is closed once the process is reaped (``_join``)."""
        self._killed = True
        with contextlib.suppress(OSError, ValueError):
            self.process.kill()
        if self._waiting is not None and not self._waiting.done():
            self._waiting.set_result(None)


class CallWorkers:
    """The pool of call workers of one chain (see module doc)."""

    def __init__(
        self,
        source: CallSource,
        max_concurrent: int,
        timeout_seconds: float,
        niceness: int = 0,
    ) -> None:
        self._source = source
        self._niceness = niceness
        self._spec = source.reader_spec()
        self._size = max_concurrent
        self._timeout = timeout_seconds
        self._idle: list[_Worker] = []
        self._all: set[_Worker] = set()
        self._available = asyncio.Event()
        self._tasks: set[asyncio.Task[None]] = set()
        self._closing = False

    async def start(self) -> None:
        """Start the workers; return once they serve. The first pool of a process boots the
        fork server (seconds), which no call's deadline should pay for. A worker that cannot
        start (the store cannot be opened) fails the start."""
        for worker in await asyncio.gather(*(self._spawn() for _ in range(self._size))):
            self._all.add(worker)
            self._release(worker)

    async def close(self) -> None:
        """Kill every worker, and wait until they have ended; calls in flight get -32000."""
        self._closing = True
        self._available.set()  # wake the calls waiting for a worker: they are refused
        if self._tasks:  # workers being started see ``_closing`` and end themselves
            await asyncio.wait(list(self._tasks), timeout=START_TIMEOUT_SECONDS)
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        workers = list(self._all)
        self._all.clear()
        self._idle.clear()
        for worker in workers:
            worker.kill()
        await asyncio.to_thread(_join, workers)

    async def run(
        self,
        method: CallMethod,
        request: CallRequest,
        block_number: int,
        overrides: Mapping[bytes, AccountOverride] | None,
        pending: bool = False,
    ) -> Any:  # noqa: ANN401 - the answer of ``Chain.run_job``
        """The answer of ``method(request, block_number, overrides, pending)`` from a worker,
        or the error it raised; -32005 if it is not done in time."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._timeout
        job = self._source.call_job(method, request, block_number, overrides, pending)
        worker = await self._take(deadline)
        try:
            worker.connection.send(job)
            ok, answer, trace = await asyncio.wait_for(
                worker.receive(), max(0.0, deadline - loop.time())
            )
        except TimeoutError:
            self._retire(worker)
            raise self._timed_out() from None
        except asyncio.CancelledError:  # the client went away: stop computing for it
            self._retire(worker)
            raise
        except (EOFError, OSError) as exc:
            self._retire(worker)
            if self._closing:
                raise _shutting_down() from None
            code = worker.process.exitcode
            raise RuntimeError(f"a call worker ended during a call (exit code {code})") from exc
        self._release(worker)
        if ok:
            return answer
        answer.add_note(f"in the call worker:\n{trace}")
        raise answer

    # --- the pool ----------------------------------------------------------------------------
    def _timed_out(self) -> errors.RpcError:
        return errors.limit_exceeded(
            f"execution stopped after {self._timeout:g} s (rpc_evm_timeout)"
        )

    async def _take(self, deadline: float) -> _Worker:
        loop = asyncio.get_running_loop()
        while not self._idle:
            if self._closing:
                raise _shutting_down()
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise self._timed_out()
            self._available.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._available.wait(), remaining)
        if self._closing:
            raise _shutting_down()
        return self._idle.pop()

    def _release(self, worker: _Worker) -> None:
        if worker in self._all:
            self._idle.append(worker)
            self._available.set()

    def _retire(self, worker: _Worker) -> None:
        """Kill a worker in the middle of a call and start another in its place."""
        worker.kill()
        if worker in self._all:
            self._all.discard(worker)
            self._background(self._replace(worker))

    def _background(self, coroutine: Any) -> None:  # noqa: ANN401 - a coroutine
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _replace(self, retired: _Worker | None = None) -> None:
        """Reap ``retired`` (if any), then start a worker and add it once its chain is open."""
        if retired is not None:
            await asyncio.to_thread(_join, [retired])
        while not self._closing:
            try:
                worker = await self._spawn()
            except (OSError, EOFError):
                log.exception("rpc.call_worker_failed_to_start", store=self._spec.store_path)
                await asyncio.sleep(RESPAWN_DELAY_SECONDS)
                continue
            if self._closing:
                worker.kill()
                await asyncio.to_thread(_join, [worker])
                return
            self._all.add(worker)
            self._release(worker)
            return

    async def _spawn(self) -> _Worker:
        ours, theirs = _CONTEXT.Pipe()
        process = _CONTEXT.Process(
            target=serve,
            args=(self._spec, theirs, self._timeout + BACKSTOP_SECONDS, self._niceness),
            name="rpc-call-worker",
            daemon=True,
        )
        await asyncio.to_thread(_start, process)
        theirs.close()
        worker = _Worker(process, ours)
        try:
            if await worker.receive() != READY:
                raise EOFError("the call worker did not report ready")
        except BaseException:
            worker.kill()
            self._background(asyncio.to_thread(_join, [worker]))
            raise
        return worker


def _shutting_down() -> errors.RpcError:
    return errors.RpcError(errors.SERVER_ERROR, "the node is shutting down")


def _start(process: multiprocessing.process.BaseProcess) -> None:
    with _PROCESS_LOCK:
        process.start()


def _join(workers: list[_Worker]) -> None:
    """Reap killed workers and close their pipes."""
    with _PROCESS_LOCK:
        for worker in workers:
            worker.process.join()
            worker.connection.close()
