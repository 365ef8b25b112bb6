"""The worker process that runs user calls: a read-only chain, one job at a time, from a pipe.

The RPC server's call pool (``rpc/call_workers.py``) starts it. It opens the node's store
read-only (LMDB serves reader processes beside the writer, and a block is committed before
the node announces it) and answers ``CallJob``s with ``Chain.run_job``, the code an in-process
call runs. Its own interpreter runs the EVM, so a looping call never holds the node's.

Protocol over the connection: ``READY`` once the chain is open; then, per job received, one
``(True, answer, "")`` or ``(False, exception, traceback text)``. The worker ends when the pipe
closes (the node went away). The node stops a call past its deadline by killing the worker —
the only way to end a computation in the middle of py-evm for certain. As a backstop against a
node that died without doing so, the worker's own alarm (SIGALRM, whose default action ends
the process) goes off ``backstop_seconds`` after a job starts.
"""

from __future__ import annotations

import os
import signal
import traceback
from multiprocessing.connection import Connection

from rollup_node.chain.call_jobs import ReaderSpec
from rollup_node.chain.chain import Chain
from rollup_node.chain.store import ChainStore

READY = "ready"


def serve(
    spec: ReaderSpec, connection: Connection, backstop_seconds: float, niceness: int = 0
) -> None:
    """The worker's main: open the chain named by ``spec``, then answer jobs until EOF,
    ``niceness`` lower in CPU priority than the node."""
    # The node ends its workers itself; a Ctrl-C reaching the whole process group must not
    # print a traceback from every one of them.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGALRM, signal.SIG_DFL)
    os.nice(niceness)
    store = ChainStore(spec.store_path, readonly=True)
    store.clear_stale_readers()  # slots of workers killed before this one
    chain = Chain(store, spec.rules)
    connection.send(READY)
    while True:
        try:
            job = connection.recv()
        except EOFError:
            return
        signal.setitimer(signal.ITIMER_REAL, backstop_seconds)
        try:
            outcome = (True, chain.run_job(job), "")
        except Exception as exc:  # noqa: BLE001 - every failure goes back to the node
            outcome = (False, exc, traceback.format_exc())
        signal.setitimer(signal.ITIMER_REAL, 0)
        try:
            connection.send(outcome)
        except Exception as exc:  # noqa: BLE001 - an exception that does not pickle
            connection.send((False, RuntimeError(f"{outcome[1]!r} ({exc})"), str(outcome[2])))
