"""The ``evm_`` dev methods of the embedded L1 (devnet only): mining, clock, snapshots.

Registered only when the server is given a ``DevBackend``. Shapes follow Hardhat/Anvil:
``evm_mine`` returns ``"0x0"``, ``evm_increaseTime`` the total offset as a quantity,
``evm_snapshot`` an id quantity, ``evm_revert`` a boolean.
"""

from __future__ import annotations

from rollup_node.rpc import params
from rollup_node.rpc.backend import DevBackend
from rollup_node.rpc.dispatch import CallContext, Method, Param
from rollup_node.rpc.formatting import quantity
from rollup_node.rpc.params import ParamError


def _seconds(value: object) -> int:
    """A duration or timestamp as a hex quantity or a plain JSON integer (Hardhat sends both)."""
    if isinstance(value, int) and not isinstance(value, bool):
        if value < 0:
            raise ParamError("must not be negative")
        return value
    return params.uint64(value)


def methods(dev: DevBackend) -> list[Method]:
    """The ``evm_`` methods over ``dev``."""

    async def mine(_: CallContext, timestamp: int | None) -> str:
        dev.mine(timestamp)
        return quantity(0)

    async def increase_time(_: CallContext, seconds: int) -> str:
        return quantity(dev.increase_time(seconds))

    async def set_next_block_timestamp(_: CallContext, timestamp: int) -> None:
        dev.set_next_block_timestamp(timestamp)
        return None

    async def snapshot(_: CallContext) -> str:
        return quantity(dev.snapshot())

    async def revert(_: CallContext, snapshot_id: int) -> bool:
        return dev.revert(snapshot_id)

    return [
        Method("evm_mine", mine, (Param("timestamp", _seconds, None),)),
        Method("evm_increaseTime", increase_time, (Param("seconds", _seconds),)),
        Method(
            "evm_setNextBlockTimestamp",
            set_next_block_timestamp,
            (Param("timestamp", _seconds),),
        ),
        Method("evm_snapshot", snapshot),
        Method("evm_revert", revert, (Param("snapshotId", params.quantity),)),
    ]
