"""JSON-RPC error codes (JSON-RPC 2.0, EIP-1474) and how chain errors map onto them.

Every failure a client can see is an ``RpcError``: the dispatcher turns it into the ``error``
member of a response. Messages follow geth's wording so that wallets and libraries that match
on them (ethers, viem, web3.py, cast) recognise nonce and fee errors and reverts.
"""

from __future__ import annotations

from typing import Any

from eth.exceptions import VMError

from rollup_node.chain.errors import ExecutionReverted, UnknownBlock
from rollup_node.protocol.errors import TransactionRejected
from rollup_node.protocol.revert_reason import decode_revert_reason

PARSE_ERROR = -32700
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
INTERNAL_ERROR = -32603
SERVER_ERROR = -32000  # geth's default code: rejected transactions, missing headers, ...
LIMIT_EXCEEDED = -32005
EXECUTION_REVERTED = 3


class RpcError(Exception):
    """An error to return to the client as ``{"code", "message", "data"?}``."""

    def __init__(self, code: int, message: str, data: Any = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.data = data

    def to_json(self) -> dict[str, Any]:
        """The JSON-RPC ``error`` object."""
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.data is not None:
            error["data"] = self.data
        return error


def invalid_params(message: str) -> RpcError:
    """A -32602 error; ``message`` names the argument that is wrong."""
    return RpcError(INVALID_PARAMS, message)


def limit_exceeded(message: str) -> RpcError:
    """A -32005 error: the request is valid but beyond a configured limit."""
    return RpcError(LIMIT_EXCEEDED, message)


def header_not_found() -> RpcError:
    """geth's answer for a state query at a block the node does not have."""
    return RpcError(SERVER_ERROR, "header not found")


def from_chain_error(error: Exception) -> RpcError | None:
    """The RPC error for an exception the chain raises by contract, or ``None`` if unexpected.

    A REVERT (message "execution reverted") is code 3 with the revert data in ``data`` and the
    decoded reason appended to the message; other execution failures and rejected transactions
    are -32000 with the chain's message, as is a py-evm ``VMError`` that escapes a call;
    unknown blocks are "header not found".
    """
    if isinstance(error, ExecutionReverted):
        message = str(error)
        if message != "execution reverted":
            return RpcError(SERVER_ERROR, message)
        reason = decode_revert_reason(error.data)
        if reason is not None:
            message = f"execution reverted: {reason}"
        return RpcError(EXECUTION_REVERTED, message, "0x" + error.data.hex())
    if isinstance(error, TransactionRejected):
        return RpcError(SERVER_ERROR, str(error))
    if isinstance(error, UnknownBlock):
        return header_not_found()
    if isinstance(error, VMError):
        # py-evm refusing the message before running it (an init code over the size limit
        # raises OutOfGas from the create's set-up): the request's fault, in py-evm's words.
        return RpcError(SERVER_ERROR, str(error) or type(error).__name__)
    return None
