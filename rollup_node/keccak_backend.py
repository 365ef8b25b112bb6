"""Which C implementation computes keccak-256 for eth-hash (and so for py-evm, trie, rlp users).

eth-hash picks its backend on the first hash of the process: the one named by the
``ETH_HASH_BACKEND`` environment variable, else the first importable of pycryptodome, pysha3.
pycryptodome is always installed (py-evm needs it), so without a choice it always wins, and it
costs several times more per call than pysha3 (``safe-pysha3`` on PyPI): each call builds a
hash object through ctypes-style wrappers, where pysha3 is one C call. A block hashes 20–30
times per transaction (trie nodes, addresses, storage keys), so the difference is visible in
throughput. The digests are the same (both are the Keccak-256 of the Ethereum specs, SPEC §3);
only speed changes.

``choose_keccak_backend`` runs when ``rollup_node`` is imported, before any module of the node
hashes: it names pysha3 when it imports and hashes correctly, and leaves pycryptodome otherwise
(``safe-pysha3`` has no wheel on some platforms). An operator's own ``ETH_HASH_BACKEND`` wins.
"""

from __future__ import annotations

import os

BACKEND_VARIABLE = "ETH_HASH_BACKEND"
FAST_BACKEND = "pysha3"
FALLBACK_BACKEND = "pycryptodome"
_EMPTY_DIGEST = bytes.fromhex("c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470")


def choose_keccak_backend() -> str:
    """Name eth-hash's backend in the environment (pysha3 if it works, else pycryptodome) unless
    one is named already; returns the name in force. Has no effect on a process that hashed
    through eth-hash before (its choice is made on the first hash)."""
    chosen = os.environ.get(BACKEND_VARIABLE)
    if chosen:
        return chosen
    chosen = FAST_BACKEND if _fast_backend_works() else FALLBACK_BACKEND
    os.environ[BACKEND_VARIABLE] = chosen  # children (devnet L1, fpp host) inherit the choice
    return chosen


def active_keccak_backend() -> str:
    """The class name of the backend ``eth_hash.auto.keccak`` hashes with (after one hash)."""
    from eth_hash.auto import keccak

    keccak(b"")
    hasher = keccak.hasher
    return type(getattr(hasher, "__self__", hasher)).__name__


def _fast_backend_works() -> bool:
    try:
        from eth_hash.backends import pysha3
    except ImportError:  # safe-pysha3 not installed: the fallback serves
        return False
    return pysha3.keccak256(b"") == _EMPTY_DIGEST
