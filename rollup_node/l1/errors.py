"""What a service must do when talking to L1 failed: retry, reset, or halt (STYLE habit 5).

The one place that classifies an exception raised by an L1 request (or by the code around it):

- ``RETRY``: L1 is away or busy now and the same request may succeed after a pause — a refused
  or dropped connection, a timeout, HTTP 429 or 5xx, a JSON-RPC error that means "try again"
  (internal error, resource unavailable, limit exceeded, a load-balanced node behind on
  headers), and anything raised as ``RetryLater`` (e.g. a transaction L1 dropped);
- ``RESET``: L1 changed under what was read (``ResetRequired``, e.g. derivation's
  ``ReorgDetected``): go back to the last position still canonical and read again;
- ``HALT``: everything else — a programming error, a database error, a request L1 refuses on
  its merits (bad parameters, a method it lacks, a wrong URL). Retrying these forever would
  hide the fault behind a node that looks alive; the service raises and the supervisor stops
  the node with the message.

A transaction L1's pool refuses is retried too, but it is not "L1 unavailable": ``refusal``
names what the refusal means from L1's message (geth's, anvil's and the embedded L1's wording),
so the log says a nonce race is a nonce race (another sender used this key: the nonce is read
again and the transaction re-signed), or that the key lacks funds.

``Backoff`` spaces the retries: doubling pauses up to a ceiling, back to the first after a
success.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from aiohttp import ClientConnectionError, ClientPayloadError, ClientResponseError
from web3.exceptions import ProviderConnectionError, TimeExhausted, Web3RPCError


class Action(StrEnum):
    """What the caller of a failed L1 request must do."""

    RETRY = "retry"
    RESET = "reset"
    HALT = "halt"


class RetryLater(Exception):
    """Raised by the node's own L1 code for a transient condition: retry after a pause."""


class ResetRequired(Exception):
    """Raised by the node's own L1 code when L1 reorganised under what was read: reset."""


#: JSON-RPC error codes that mean "try again": internal error (JSON-RPC 2.0), resource
#: unavailable and limit exceeded (EIP-1474).
RETRY_RPC_CODES = frozenset({-32603, -32002, -32005})
#: geth's answer (code -32000) for a block it does not have yet: a node behind a load
#: balancer that lags the one that reported the head.
RETRY_RPC_MESSAGES = ("header not found",)


def classify(exc: BaseException) -> Action:
    """Whether a service retries, resets or halts after ``exc`` (see the module docstring)."""
    if isinstance(exc, ResetRequired):
        return Action.RESET
    if isinstance(exc, RetryLater):
        return Action.RETRY
    if isinstance(exc, ClientResponseError):
        return Action.RETRY if exc.status == 429 or exc.status >= 500 else Action.HALT
    if isinstance(
        exc,
        ClientConnectionError
        | ClientPayloadError
        | ConnectionError
        | TimeoutError
        | ProviderConnectionError
        | TimeExhausted,
    ):
        return Action.RETRY
    if isinstance(exc, Web3RPCError) and _retryable_rpc_error(exc):
        return Action.RETRY
    return Action.HALT


def _retryable_rpc_error(exc: Web3RPCError) -> bool:
    error = (exc.rpc_response or {}).get("error")
    if not isinstance(error, dict):
        return False
    message = str(error.get("message", "")).lower()
    return error.get("code") in RETRY_RPC_CODES or any(m in message for m in RETRY_RPC_MESSAGES)


class Refusal(StrEnum):
    """Why L1's pool refused a transaction (``refusal``), as the log reports it."""

    NONCE_RACE = "nonce race: another sender used this key's nonce"
    ALREADY_KNOWN = "already known: L1 has this very transaction"
    FEE_TOO_LOW = "fee too low for L1's pool"
    INSUFFICIENT_FUNDS = "insufficient funds: top up this key on L1"
    POOL_FULL = "L1's transaction pool is full"
    OTHER = "refused by L1"


#: Fragments of L1 refusal messages, in the order they are tried (lower case).
REFUSAL_MESSAGES: tuple[tuple[str, Refusal], ...] = (
    ("nonce too low", Refusal.NONCE_RACE),
    ("nonce has already been used", Refusal.NONCE_RACE),
    ("replacement transaction underpriced", Refusal.NONCE_RACE),  # ours waits beside another
    ("already known", Refusal.ALREADY_KNOWN),
    ("already imported", Refusal.ALREADY_KNOWN),
    ("insufficient funds", Refusal.INSUFFICIENT_FUNDS),
    ("underpriced", Refusal.FEE_TOO_LOW),
    ("less than block base fee", Refusal.FEE_TOO_LOW),
    ("fee cap less than", Refusal.FEE_TOO_LOW),
    ("pool is full", Refusal.POOL_FULL),
)


def refusal(message: str) -> Refusal:
    """What an L1 refusal of a transaction means, from its error message."""
    lowered = message.lower()
    return next((kind for words, kind in REFUSAL_MESSAGES if words in lowered), Refusal.OTHER)


@dataclass(slots=True)
class Backoff:
    """Pauses between retries: ``first_seconds``, doubling up to ``max_seconds``."""

    first_seconds: float = 0.5
    max_seconds: float = 30.0
    _next: float = 0.0

    def pause(self) -> float:
        """The pause before the next retry (each call doubles the following one)."""
        pause = self._next or self.first_seconds
        self._next = min(pause * 2, self.max_seconds)
        return pause

    def succeeded(self) -> None:
        """A request went through: the next failure pauses ``first_seconds`` again."""
        self._next = 0.0
