"""A user call as plain data, for a worker process: what to run, and how to open the chain.

``eth_call``, ``eth_estimateGas`` and ``eth_createAccessList`` run code a client chose. The
node runs them in worker processes (``chain/call_process.py``), each reading the store through
LMDB's read-only access beside the node that writes it, so that a call never holds the node's
interpreter lock and can be stopped by ending its process. Everything such a process needs
crosses the pipe as these two picklable values: a ``ReaderSpec`` once, when it starts, and a
``CallJob`` per call, made by ``Chain.call_job`` in the node and run by ``Chain.run_job`` in
the worker — the same code as an in-process ``Chain.call``, so the answers are the same.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from rollup_node.chain.builder import BlockEnv, ChainRules
from rollup_node.chain.queries import AccountOverride, CallRequest

#: The chain methods a job may name (``Chain.call``, ``estimate_gas``, ``create_access_list``).
CallMethod = Literal["call", "estimate_gas", "create_access_list"]


@dataclass(frozen=True, slots=True)
class ReaderSpec:
    """How a worker process opens the chain: the store directory and the chain's rules."""

    store_path: str
    rules: ChainRules


@dataclass(frozen=True, slots=True)
class CallJob:
    """One user call, self-contained.

    ``block_number`` is resolved by the node and committed before the job is sent (the node
    announces a block only after its commit), so the worker finds it. ``env`` is the
    environment to run in when it is not the block's own: the next block's for a call at
    ``pending`` (the dev chain's miner knows it; only the node can ask it).
    """

    method: CallMethod
    request: CallRequest
    block_number: int
    overrides: Mapping[bytes, AccountOverride] | None
    env: BlockEnv | None
