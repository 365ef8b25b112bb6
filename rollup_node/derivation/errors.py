"""Derivation errors, classified by what the caller must do (retry, reset, halt)."""

from __future__ import annotations


class DerivationError(Exception):
    """Base class; anything not a subclass below means: halt with the message."""


class ReorgDetected(DerivationError):
    """L1 changed under what was read: reset to the last batch whose L1 block is canonical."""


class L1Unavailable(DerivationError):
    """L1 could not be read now (network, missing block): retry after a pause."""
