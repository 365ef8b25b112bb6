"""Errors the chain raises to its callers, each saying what the caller should do.

``TransactionRejected`` — the transaction is invalid now; tell the sender why (RPC error).
``ExecutionReverted`` — a call/estimate reverted; ``data`` is the revert data.
``UnknownBlock`` — a block tag, number or hash that the chain does not have.
``StoreCorrupted`` — the database is not in a state this code wrote; halt, never guess.
"""

from __future__ import annotations

from enum import StrEnum


class RejectReason(StrEnum):
    """Why a transaction is refused (SPEC §3.1); the value is the JSON-RPC message prefix."""

    MALFORMED = "malformed transaction"
    UNSUPPORTED_TYPE = "transaction type not supported"
    BAD_SIGNATURE = "invalid signature"
    WRONG_CHAIN_ID = "invalid chain id"
    NONCE_TOO_LOW = "nonce too low"
    NONCE_GAP = "nonce too high"
    INSUFFICIENT_FUNDS = "insufficient funds for gas * price + value + l1 fee"
    FEE_BELOW_BASE_FEE = "max fee per gas less than block base fee"
    PRIORITY_ABOVE_MAX = "max priority fee per gas higher than max fee per gas"
    SENDER_HAS_CODE = "sender not an eoa"
    INTRINSIC_GAS_TOO_LOW = "intrinsic gas too low"
    GAS_ABOVE_BLOCK_LIMIT = "exceeds block gas limit"
    OVERSIZED = "oversized data"
    INIT_CODE_TOO_LARGE = "max initcode size exceeded"
    ALREADY_KNOWN = "already known"
    NOT_SEQUENCER = "this node does not accept transactions (not a sequencer)"
    QUEUE_FULL = "txpool is full"


class ChainError(Exception):
    """Base class of the chain's errors."""


class TransactionRejected(ChainError):
    """The transaction is not valid at this point; nothing was changed."""

    def __init__(self, reason: RejectReason, detail: str = "") -> None:
        self.reason = reason
        self.detail = detail
        super().__init__(f"{reason.value}: {detail}" if detail else reason.value)


class ExecutionReverted(ChainError):
    """A call or gas estimate ended in REVERT (``data`` is the revert data) or another error."""

    def __init__(self, message: str, data: bytes = b"") -> None:
        self.data = data
        super().__init__(message)


class UnknownBlock(ChainError):
    """The requested block is not in the chain."""


class StoreCorrupted(ChainError):
    """The database holds something this code never writes; the node must halt."""
