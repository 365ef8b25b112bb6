"""``eth_createAccessList(transaction, block = "latest")``: the access list a transaction needs.

Answers as geth does (``chain/access_list.py`` has the rule): ``{"accessList": [{"address",
"storageKeys"}], "gasUsed"}`` plus ``"error"`` when the call fails with that list (a revert or
out of gas is reported there, not as a JSON-RPC error, so that cast and ethers still get the
list). Block references resolve as for ``eth_call``, and the call runs as ``eth_call``'s do
(``EthApi.user_call``: bounded in number and time).
"""

from __future__ import annotations

from typing import Any

from rollup_node.chain.access_list import AccessListResult
from rollup_node.chain.queries import CallRequest
from rollup_node.rpc import params
from rollup_node.rpc.dispatch import CallContext, Method, Param
from rollup_node.rpc.eth import EthApi
from rollup_node.rpc.formatting import data, quantity
from rollup_node.rpc.params import BlockId


def format_access_list_result(result: AccessListResult) -> dict[str, Any]:
    """geth's JSON shape: slots as 32-byte hex, ``error`` only when the call failed."""
    answer: dict[str, Any] = {
        "accessList": [
            {"address": data(address), "storageKeys": [data(s.to_bytes(32, "big")) for s in slots]}
            for address, slots in result.access_list
        ],
        "gasUsed": quantity(result.gas_used),
    }
    if result.error is not None:
        answer["error"] = result.error
    return answer


def methods(eth: EthApi) -> list[Method]:
    """``eth_createAccessList``; ``eth`` resolves block references and runs the call."""

    async def create_access_list(
        _: CallContext, request: CallRequest, block: BlockId
    ) -> dict[str, Any]:
        number = eth._state_number(block)  # the same resolution as eth_call's
        pending = block == params.PENDING
        result = await eth.user_call("create_access_list", request, number, None, pending)
        return format_access_list_result(result)

    return [
        Method(
            "eth_createAccessList",
            create_access_list,
            (
                Param("transaction", params.call_request),
                Param("block", params.block_id, params.LATEST),
            ),
        )
    ]
