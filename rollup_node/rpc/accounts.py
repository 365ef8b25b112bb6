"""Node-held signers of a dev chain: ``eth_sendTransaction``, ``eth_sign``, ``personal_sign``,
``eth_signTypedData_v4``.

Registered only when the server is given a ``Signer`` (the devnet's L1 and L2; never a
sequencer, verifier or replica: ``devnet/accounts.py``); ``eth_accounts`` lists its accounts.
Shapes follow geth and anvil: ``eth_sign(address, data)`` and ``personal_sign(data, address)``
sign with the EIP-191 personal prefix, ``eth_signTypedData_v4(address, typedData)`` takes the
typed data as a JSON object or as its JSON text (what MetaMask and ethers send); all three
answer the 65-byte signature with ``v`` 27/28. An address that is not unlocked is a -32000
"unknown account" (the request cannot succeed as is).

``eth_sendTransaction`` fills what the request leaves out as a wallet would (nonce counting
queued transactions, gas by estimate at ``pending``, fees from the next base fee plus the
suggested tip), signs, and takes the same path as ``eth_sendRawTransaction``. On a chain that
automines, it answers once the transaction is in a block (as Hardhat does), so that its receipt
is there at once.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

from eth_utils import to_checksum_address

from rollup_node.chain.queries import CallRequest
from rollup_node.rpc import errors, params
from rollup_node.rpc.backend import ChainBackend, Signer
from rollup_node.rpc.dispatch import CallContext, Method, Param
from rollup_node.rpc.errors import RpcError
from rollup_node.rpc.eth import EthApi
from rollup_node.rpc.fees import next_base_fee
from rollup_node.rpc.formatting import data
from rollup_node.rpc.params import ParamError

# A default fee cap survives this many full blocks of base-fee growth (12.5% each), as
# wallets' "2 × base fee + tip" rule does.
BASE_FEE_HEADROOM = 2


def _transaction(value: object) -> tuple[CallRequest, int | None]:
    """An ``eth_sendTransaction`` object: the call fields plus an optional nonce."""
    request = params.call_request(value)
    if request.sender is None:
        raise ParamError("from: missing")
    assert isinstance(value, dict)
    nonce = value.get("nonce")
    try:
        return request, None if nonce is None else params.uint64(nonce)
    except ParamError as exc:
        raise ParamError(f"nonce: {exc}") from None


def _typed_data(value: object) -> dict[str, Any]:
    """EIP-712 typed data as an object or as JSON text."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as exc:
            raise ParamError(f"not JSON: {exc.msg}") from None
    if not isinstance(value, dict):
        raise ParamError("want a typed-data object")
    return value


def _unknown_account() -> RpcError:
    return RpcError(errors.SERVER_ERROR, "unknown account")


def methods(
    signer: Signer,
    backend: ChainBackend,
    eth: EthApi,
    after_submit: Callable[[], None] | None = None,
) -> list[Method]:
    """The signing methods over ``signer``; ``eth`` submits what ``eth_sendTransaction`` signs
    and ``after_submit`` (a dev chain's "mine now if automining") runs after it, in a thread."""

    def unlocked(address: bytes) -> None:
        if address not in signer.accounts():
            raise _unknown_account()

    async def send_transaction(_: CallContext, fields: tuple[CallRequest, int | None]) -> str:
        request, nonce = fields
        assert request.sender is not None
        unlocked(request.sender)
        head = eth.head()
        tx: dict[str, Any] = {
            "chainId": backend.chain_id,
            "nonce": backend.pending_nonce(request.sender) if nonce is None else nonce,
            "value": request.value or 0,
            "data": request.data or b"",
        }
        if request.to is not None:
            tx["to"] = to_checksum_address(request.to)
        if request.access_list is not None:
            tx["accessList"] = [
                {
                    "address": to_checksum_address(address),
                    "storageKeys": [data(key.to_bytes(32, "big")) for key in keys],
                }
                for address, keys in request.access_list
            ]
        if request.gas_price is not None:
            tx["gasPrice"] = request.gas_price
        else:
            tip = request.max_priority_fee_per_gas
            tip = backend.suggested_priority_fee() if tip is None else tip
            cap = request.max_fee_per_gas
            tx["maxPriorityFeePerGas"] = tip
            tx["maxFeePerGas"] = (
                BASE_FEE_HEADROOM * next_base_fee(head) + tip if cap is None else cap
            )
        tx["gas"] = request.gas
        if tx["gas"] is None:
            tx["gas"] = await eth.user_call("estimate_gas", request, head.number, None, True)
        raw = signer.sign(request.sender, tx)
        tx_hash = eth.submit(raw)
        if after_submit is not None:
            await asyncio.to_thread(after_submit)
        return data(tx_hash)

    async def eth_sign(_: CallContext, address: bytes, message: bytes) -> str:
        unlocked(address)
        return data(signer.sign_message(address, message))

    async def personal_sign(_: CallContext, message: bytes, address: bytes) -> str:
        return await eth_sign(_, address, message)

    async def sign_typed_data(_: CallContext, address: bytes, typed: dict[str, Any]) -> str:
        unlocked(address)
        try:
            return data(signer.sign_typed_data(address, typed))
        except ValueError as exc:
            raise errors.invalid_params(f"invalid argument 1 (typedData): {exc}") from None

    address = Param("address", params.address)
    message = Param("data", params.data)
    return [
        Method("eth_sendTransaction", send_transaction, (Param("transaction", _transaction),)),
        Method("eth_sign", eth_sign, (address, message)),
        Method("personal_sign", personal_sign, (message, address)),
        Method("eth_signTypedData_v4", sign_typed_data, (address, Param("typedData", _typed_data))),
    ]
