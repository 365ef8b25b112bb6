"""Derivation errors, classified by what the caller must do (retry, reset, halt).

They take their action from ``l1.errors`` (``classify``), the one place that decides it for
every L1 service: ``ReorgDetected`` resets, ``L1Unavailable`` retries, anything else halts.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rollup_node.l1.errors import Action, ResetRequired, RetryLater, classify


class DerivationError(Exception):
    """Base class; anything not a subclass below means: halt with the message."""


class ReorgDetected(DerivationError, ResetRequired):
    """L1 changed under what was read: reset to the last batch whose L1 block is canonical."""


class L1Unavailable(DerivationError, RetryLater):
    """L1 could not be read now (a block it does not have yet): retry after a pause."""


@contextmanager
def reading_l1(what: str) -> Iterator[None]:
    """Around an L1 request: a transient failure (``classify`` says retry) becomes
    ``L1Unavailable`` naming ``what``; every other exception passes unchanged, so a programming
    or database error halts the node instead of being retried forever."""
    try:
        yield
    except (RetryLater, ResetRequired):
        raise
    except Exception as exc:
        if classify(exc) is Action.RETRY:
            raise L1Unavailable(f"{what}: {type(exc).__name__}: {exc}") from exc
        raise
