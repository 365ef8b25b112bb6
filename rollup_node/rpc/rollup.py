"""The ``rollup_`` namespace (SPEC §12): sync status, output roots, config, the node's own
status (``rollup_nodeStatus``: mode, alerts, batcher, proposer), what L1 says of settlement
(``rollup_settlementStatus``: batches final, the newest one's fraud-proof window, the bond);
``rollup_disputes`` is in ``rpc/disputes.py``.

The node fills the answers (``RollupBackend``, JSON-ready dicts); this module routes the
calls, parses the block number and runs the reads off the event loop.
"""

from __future__ import annotations

import asyncio
from typing import Any

from rollup_node.rpc import disputes, params
from rollup_node.rpc.backend import RollupBackend
from rollup_node.rpc.dispatch import CallContext, Method, Param


def methods(rollup: RollupBackend) -> list[Method]:
    """The ``rollup_`` methods over ``rollup`` (with ``rpc.disputes``'s)."""

    async def sync_status(_: CallContext) -> dict[str, Any]:
        return await asyncio.to_thread(rollup.sync_status)

    async def output_at_block(_: CallContext, number: int) -> dict[str, Any]:
        return await asyncio.to_thread(rollup.output_at_block, number)

    async def rollup_config(_: CallContext) -> dict[str, Any]:
        return rollup.rollup_config()

    async def node_status(_: CallContext) -> dict[str, Any]:
        return rollup.node_status()

    async def settlement(_: CallContext) -> dict[str, Any] | None:
        return await rollup.settlement()

    return [
        Method("rollup_syncStatus", sync_status),
        Method(
            "rollup_outputAtBlock",
            output_at_block,
            (Param("blockNumber", params.uint64),),
        ),
        Method("rollup_rollupConfig", rollup_config),
        Method("rollup_nodeStatus", node_status),
        Method("rollup_settlementStatus", settlement),
        *disputes.methods(rollup),
    ]
