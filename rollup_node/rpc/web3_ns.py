"""The ``web3_`` namespace: client version and keccak-256 (named to avoid the web3 package)."""

from __future__ import annotations

from eth_hash.auto import keccak

from rollup_node import __version__
from rollup_node.rpc import params
from rollup_node.rpc.dispatch import CallContext, Method, Param
from rollup_node.rpc.formatting import data

CLIENT_VERSION = f"rollup-node/{__version__}/python"


def methods() -> list[Method]:
    """``web3_clientVersion`` and ``web3_sha3``."""

    async def client_version(_: CallContext) -> str:
        return CLIENT_VERSION

    async def sha3(_: CallContext, payload: bytes) -> str:
        return data(keccak(payload))

    return [
        Method("web3_clientVersion", client_version),
        Method("web3_sha3", sha3, (Param("data", params.data),)),
    ]
