"""``rollup_disputes`` (SPEC §12): the dispute games this node sees, and the wrong roots it found.

One entry per game the node's dispute agent follows (``kind: "game"``: address, disputed
element, root claim, status, this node's role, every claim with the seconds left on its clock,
the agent's next action) and one per output-root mismatch its watcher found (``kind:
"mismatch"``). An optional game address narrows the answer to that game's entry (empty if the
node does not follow it). ``rollup-node dispute list|show`` prints the same.
"""

from __future__ import annotations

import asyncio
from typing import Any

from eth_utils import to_checksum_address

from rollup_node.rpc import params
from rollup_node.rpc.backend import RollupBackend
from rollup_node.rpc.dispatch import CallContext, Method, Param


def methods(rollup: RollupBackend) -> list[Method]:
    """``rollup_disputes([address])`` over ``rollup``."""

    async def disputes(_: CallContext, address: bytes | None = None) -> list[dict[str, Any]]:
        entries = await asyncio.to_thread(rollup.disputes)
        if address is None:
            return entries
        wanted = to_checksum_address(address)
        return [e for e in entries if e.get("address") == wanted]

    return [Method("rollup_disputes", disputes, (Param("address", params.address, default=None),))]
