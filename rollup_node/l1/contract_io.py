"""Reading and calling the dispute contracts: their views, their transactions, their reverts.

``read_views`` reads several argument-less views (a contract's immutables) concurrently.

The transactor estimates gas at pending, so a call that would revert usually fails at the
estimate with the contract's revert data. But two players can send into the same block: our
estimate passes, the other transaction lands first, and ours is mined with status 0 and no
data. ``send_call`` then replays the call at the latest block, which now includes the other
transaction, so the error still carries the contract's reason (e.g. ``ClaimAlreadyExists``) and
the caller can tell "someone already did it" from a real failure. (The same replay separates
an estimate that reverted without data from one L1 never answered.)
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Sequence
from typing import Any

from eth_utils import function_signature_to_4byte_selector
from eth_utils.abi import abi_to_signature
from web3.exceptions import ContractLogicError

from rollup_node.contracts import load_artifact
from rollup_node.l1.errors import Action, classify
from rollup_node.l1.transactor import (
    L1Receipt,
    L1SendFailed,
    L1TransactionReverted,
    Transactor,
    revert_data,
)


async def read_views(contract: Any, names: Sequence[str]) -> dict[str, Any]:  # noqa: ANN401
    """The argument-less views ``names`` of the bound async ``contract``, read concurrently."""
    values = await asyncio.gather(*(getattr(contract.functions, n)().call() for n in names))
    return dict(zip(names, values, strict=True))


def selector(signature: str) -> bytes:
    """The 4-byte selector of a function or custom-error ``signature`` (``name(type,...)``):
    the first four bytes of its keccak (Solidity ABI). The node's one helper for it."""
    return function_signature_to_4byte_selector(signature)


@functools.cache
def _error_names(artifacts: tuple[str, ...]) -> dict[bytes, str]:
    return {
        selector(abi_to_signature(entry)): entry["name"]
        for artifact in artifacts
        for entry in load_artifact(artifact).abi
        if entry.get("type") == "error"
    }


def revert_error(data: bytes, *artifacts: str) -> str | None:
    """The name of the custom error among the ``artifacts``' errors that revert ``data``
    carries; ``None`` for no data or another error."""
    if len(data) < 4:
        return None
    return _error_names(tuple(artifacts)).get(bytes(data[:4]))


async def send_call(
    transactor: Transactor,
    to: str,
    data: bytes,
    what: str,
    value: int = 0,
    gas: int | None = None,
) -> L1Receipt:
    """Send ``data`` to ``to`` and wait for it; a revert raises ``L1TransactionReverted`` with
    the contract's revert data, replayed at the latest block if the mined one carried none
    (``L1SendFailed``, retry, if the replay passes). ``gas`` ``None``: estimated at pending."""
    try:
        return await transactor.send(to, data, what, value=value, gas=gas)
    except L1TransactionReverted as exc:
        if exc.data:
            raise
        request = {"from": transactor.address, "to": to, "data": data, "value": value}
        try:
            await transactor.w3.eth.call(request, "latest")  # type: ignore[arg-type]
        except ContractLogicError as replay:
            raise L1TransactionReverted(what, revert_data(replay)) from exc
        except Exception as replay:  # the node's one rule decides (l1/errors.classify)
            if classify(replay) is not Action.RETRY:
                raise
            raise L1SendFailed(f"{what}: L1 unavailable: {replay}") from exc
        # It would pass now: whatever made it fail is gone (a reorg); sending it again may work.
        raise L1SendFailed(f"{what}: reverted when mined but passes at the latest block") from exc
