"""Why a user transaction is not valid (SPEC §3.1, §6 rule 4): the reasons and the error.

The validity rules (``transaction_validity``), transaction decoding (``chain/transactions``)
and the sequencer's intake raise ``TransactionRejected``; it lives here, at the bottom, so that
the pure rules need nothing from the layers above them.
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


class TransactionRejected(Exception):
    """The transaction is not valid at this position; nothing was changed.

    Never retried as it is: the intake answers the sender with ``reason`` (a JSON-RPC error),
    block building leaves the transaction out (SPEC §6 rule 4). Any other exception raised while
    checking or applying a transaction is not a validity verdict and must not drop it.
    """

    def __init__(self, reason: RejectReason, detail: str = "") -> None:
        self.reason = reason
        self.detail = detail
        super().__init__(f"{reason.value}: {detail}" if detail else reason.value)
