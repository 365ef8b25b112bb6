"""The ``net_`` namespace: the network id is the chain id; the node has no peers."""

from __future__ import annotations

from rollup_node.rpc.backend import ChainBackend
from rollup_node.rpc.dispatch import CallContext, Method
from rollup_node.rpc.formatting import quantity


def methods(backend: ChainBackend) -> list[Method]:
    """``net_version`` (decimal string), ``net_listening``, ``net_peerCount``."""

    async def version(_: CallContext) -> str:
        return str(backend.chain_id)

    async def listening(_: CallContext) -> bool:
        return True

    async def peer_count(_: CallContext) -> str:
        return quantity(0)

    return [
        Method("net_version", version),
        Method("net_listening", listening),
        Method("net_peerCount", peer_count),
    ]
