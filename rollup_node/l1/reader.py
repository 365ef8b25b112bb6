"""Reading L1 blocks: the small interface the sequencer and derivation consume.

``Web3L1Reader`` talks to any L1 (the embedded one, anvil, geth) over JSON-RPC;
``ChainL1Reader`` reads the embedded L1 in the same process without the network round trip.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from web3 import AsyncWeb3

from rollup_node.chain.chain import Chain
from rollup_node.l1.provider import L1Provider
from rollup_node.protocol.l1_info import L1Origin


@dataclass(frozen=True, slots=True)
class L1BlockInfo:
    """What the rollup needs of an L1 block header."""

    number: int
    hash: bytes
    parent_hash: bytes
    timestamp: int
    base_fee: int
    mix_hash: bytes

    def as_origin(self) -> L1Origin:
        """This block as an L2 block's L1 origin."""
        return L1Origin(self.number, self.hash, self.timestamp, self.base_fee, self.mix_hash)


class L1Reader(Protocol):
    """Heads and blocks of the L1 chain."""

    async def head_number(self) -> int:
        """The latest L1 block number."""
        ...

    async def block(self, number: int) -> L1BlockInfo | None:
        """The canonical L1 block ``number``, or ``None`` if it does not exist (yet)."""
        ...


class Web3L1Reader:
    """An ``L1Reader`` over JSON-RPC."""

    def __init__(self, url: str, timeout_seconds: float = 10.0) -> None:
        self.w3 = AsyncWeb3(L1Provider(url, timeout_seconds))

    async def head_number(self) -> int:
        return await self.w3.eth.block_number

    async def block(self, number: int) -> L1BlockInfo | None:
        from web3.exceptions import BlockNotFound

        try:
            b = await self.w3.eth.get_block(number)
        except BlockNotFound:
            return None
        return L1BlockInfo(
            number=b["number"],
            hash=bytes(b["hash"]),
            parent_hash=bytes(b["parentHash"]),
            timestamp=b["timestamp"],
            base_fee=b.get("baseFeePerGas", 0),
            mix_hash=bytes(b.get("mixHash", b"\x00" * 32)),
        )


class ChainL1Reader:
    """An ``L1Reader`` over the embedded L1's chain object."""

    def __init__(self, chain: Chain) -> None:
        self._chain = chain

    async def head_number(self) -> int:
        return self._chain.head_number()

    async def block(self, number: int) -> L1BlockInfo | None:
        b = self._chain.block_by_number(number)
        if b is None:
            return None
        return L1BlockInfo(
            b.number, b.hash, b.parent_hash, b.timestamp, b.base_fee_per_gas, b.mix_hash
        )
