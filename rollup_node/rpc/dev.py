"""Dev-chain methods of the embedded L1 (devnet only): mining, clock, snapshots, state writes.

Registered only when the server is given a ``DevBackend``. Shapes follow Hardhat/Anvil:
``evm_mine`` returns ``"0x0"``, ``evm_increaseTime`` the total offset as a quantity,
``evm_snapshot`` an id quantity, ``evm_revert`` a boolean, ``evm_setAutomine`` null.
The state writes ``anvil_setCode(address, code)``, ``anvil_setStorageAt(address, slot,
value32)``, ``anvil_setBalance(address, wei)`` and ``anvil_setNonce(address, nonce)`` return
null as on anvil; their ``hardhat_`` names return ``true`` as on Hardhat. (Signing with the
unlocked accounts is ``rpc/accounts.py``.) Mining, reverting and state writes execute or rewind
blocks, so they run in a worker thread.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from rollup_node.rpc import errors, params
from rollup_node.rpc.backend import DevBackend
from rollup_node.rpc.dispatch import CallContext, Method, Param
from rollup_node.rpc.errors import RpcError
from rollup_node.rpc.formatting import quantity
from rollup_node.rpc.params import ParamError

# The largest duration or timestamp a dev method takes (about the year 36,800): block
# timestamps stay far inside 64 bits however many times a client moves the clock. Unbounded,
# evm_increaseTime(2**256) made the next block's TIMESTAMP overflow and stopped the L1 miner.
MAX_SECONDS = 2**40


def _seconds(value: object) -> int:
    """A duration or timestamp as a hex quantity or a plain JSON integer (Hardhat sends both),
    at most ``MAX_SECONDS``."""
    if isinstance(value, int) and not isinstance(value, bool):
        if value < 0:
            raise ParamError("must not be negative")
        seconds = value
    else:
        seconds = params.uint64(value)
    if seconds > MAX_SECONDS:
        raise ParamError(f"more than {MAX_SECONDS} seconds")
    return seconds


def _refused(exc: ValueError) -> RpcError:
    return RpcError(errors.SERVER_ERROR, str(exc))


def _state_writes(dev: DevBackend) -> list[Method]:
    """``anvil_set*`` and their ``hardhat_set*`` aliases."""

    def write(name: str, apply: Callable[..., None], *tail: Param) -> list[Method]:
        async def anvil(_: CallContext, address: bytes, *values: Any) -> None:
            try:
                await asyncio.to_thread(apply, address, *values)
            except ValueError as exc:
                raise _refused(exc) from None

        async def hardhat(context: CallContext, address: bytes, *values: Any) -> bool:
            await anvil(context, address, *values)
            return True

        signature = (Param("address", params.address), *tail)
        return [
            Method(f"anvil_{name}", anvil, signature),
            Method(f"hardhat_{name}", hardhat, signature),
        ]

    return [
        *write("setCode", lambda a, code: dev.set_code(a, code), Param("code", params.data)),
        *write(
            "setStorageAt",
            lambda a, slot, value: dev.set_storage_at(a, slot, value),
            Param("slot", params.storage_key),
            Param("value", params.hash32),
        ),
        *write(
            "setBalance",
            lambda a, wei: dev.set_balance(a, wei),
            Param("balance", params.quantity),
        ),
        *write("setNonce", lambda a, nonce: dev.set_nonce(a, nonce), Param("nonce", params.uint64)),
    ]


def methods(dev: DevBackend) -> list[Method]:
    """The dev methods over ``dev``."""

    async def mine(_: CallContext, timestamp: int | None) -> str:
        try:
            await asyncio.to_thread(dev.mine, timestamp)
        except ValueError as exc:
            raise _refused(exc) from None
        return quantity(0)

    async def increase_time(_: CallContext, seconds: int) -> str:
        return quantity(dev.increase_time(seconds))

    async def set_next_block_timestamp(_: CallContext, timestamp: int) -> None:
        try:
            dev.set_next_block_timestamp(timestamp)
        except ValueError as exc:
            raise _refused(exc) from None

    async def snapshot(_: CallContext) -> str:
        return quantity(dev.snapshot())

    async def revert(_: CallContext, snapshot_id: int) -> bool:
        return await asyncio.to_thread(dev.revert, snapshot_id)

    async def set_automine(_: CallContext, enabled: bool) -> None:
        try:
            dev.set_automine(enabled)
        except ValueError as exc:
            raise _refused(exc) from None

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
        Method("evm_setAutomine", set_automine, (Param("enabled", params.boolean),)),
        Method("anvil_setAutomine", set_automine, (Param("enabled", params.boolean),)),
        *_state_writes(dev),
    ]
