"""A real chain store whose state database fails to read one key, as a damaged LMDB would.

Used to inject a non-validation error into block building: every read of ``failing_key``
(e.g. one contract's code, which py-evm reads only when a transaction calls it) raises
``lmdb.CorruptedError``; every other read and every write is the real store's.
"""

from __future__ import annotations

import lmdb

from rollup_node.chain.statedb import StagedStateDB
from rollup_node.chain.store import ChainStore


class _FailingStateDB(StagedStateDB):
    def __init__(self, store: FaultyStore) -> None:
        super().__init__(store._env, store._state_dbi)
        self._store = store

    def _read(self, key: bytes) -> bytes | None:
        if key == self._store.failing_key:
            raise lmdb.CorruptedError(f"injected: page of key 0x{key.hex()} is damaged")
        return super()._read(key)


class FaultyStore(ChainStore):
    """``ChainStore`` whose state views fail on ``failing_key`` (``None``: no fault yet)."""

    failing_key: bytes | None = None

    def state_db(self) -> StagedStateDB:
        return _FailingStateDB(self)
