"""The address a contract creation gets (the Yellow Paper's CREATE rule, SPEC §3).

``keccak(rlp([sender, nonce]))[12:]``: a user transaction's or a deposit's creation
(SPEC §3.2) and the receipts' ``contractAddress``. A local helper because py-evm keeps its
copy in the private ``eth._utils`` package, which may change without notice.
"""

from __future__ import annotations

import rlp
from eth_hash.auto import keccak


def create_address(sender: bytes, nonce: int) -> bytes:
    """The 20-byte address of the contract ``sender`` creates with account nonce ``nonce``."""
    return keccak(rlp.encode([sender, nonce]))[12:]
