"""The key-value view py-evm's state runs on: committed LMDB data under a staging layer.

py-evm's account database writes trie nodes and code through ``atomic_batch()``. Here every
such write lands in an in-memory staging dictionary; nothing reaches disk until the chain store
commits a whole block, staged state and block data together, in one LMDB write transaction.
Readers see staged values first, then committed ones. Trie nodes are content-addressed, so a
reader of an older state root is never affected by staged nodes of a newer block.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextlib import contextmanager

import lmdb
from eth.abc import AtomicDatabaseAPI, DatabaseAPI

_DELETED = object()


class _MappingHelpers:
    """The derived operations py-evm's database API asks for, from get/set/delete."""

    def _exists(self, key: bytes) -> bool:
        try:
            self[key]  # type: ignore[index]
        except KeyError:
            return False
        return True

    def __contains__(self, key: object) -> bool:
        return isinstance(key, bytes) and self._exists(key)

    def exists(self, key: bytes) -> bool:
        return self._exists(key)

    def set(self, key: bytes, value: bytes) -> None:
        self[key] = value  # type: ignore[index]

    def delete(self, key: bytes) -> None:
        del self[key]  # type: ignore[attr-defined]

    def __iter__(self) -> Iterator[bytes]:
        raise NotImplementedError("the state database is not iterable")

    def __len__(self) -> int:
        raise NotImplementedError("the state database has no length")


class StagedStateDB(_MappingHelpers, AtomicDatabaseAPI):
    """A py-evm ``AtomicDatabaseAPI`` over one LMDB sub-database, writes staged in memory."""

    def __init__(self, env: lmdb.Environment, dbi: lmdb._Database) -> None:
        self._env = env
        self._dbi = dbi
        self._staged: dict[bytes, object] = {}
        self._txn: lmdb.Transaction | None = None

    def _read(self, key: bytes) -> bytes | None:
        # One read snapshot for the view's lifetime: every node of the state it was opened on
        # is committed before it, and one LMDB transaction per trie node would dominate reads.
        if self._txn is None:
            self._txn = self._env.begin(db=self._dbi, buffers=False)
        return self._txn.get(key)

    def close(self) -> None:
        """Release the read snapshot (the view can still be used; it opens a new one)."""
        if self._txn is not None:
            self._txn.abort()
            self._txn = None

    def __del__(self) -> None:
        with contextlib.suppress(lmdb.Error):  # the environment closed first: nothing to release
            self.close()

    # --- reads -------------------------------------------------------------------------
    def __getitem__(self, key: bytes) -> bytes:
        staged = self._staged.get(key)
        if staged is not None:
            if staged is _DELETED:
                raise KeyError(key)
            return staged  # type: ignore[return-value]
        value = self._read(key)
        if value is None:
            raise KeyError(key)
        return value

    # --- writes (staged) ---------------------------------------------------------------
    def __setitem__(self, key: bytes, value: bytes) -> None:
        self._staged[key] = bytes(value)

    def __delitem__(self, key: bytes) -> None:
        if not self._exists(key):
            raise KeyError(key)
        self._staged[key] = _DELETED

    @contextmanager
    def atomic_batch(self) -> Iterator[DatabaseAPI]:
        """Collect writes and apply them to the staging layer only if the block succeeds."""
        batch = _Batch(self)
        yield batch
        self._staged.update(batch.writes)

    # --- commit support ----------------------------------------------------------------
    def take_staged(self) -> dict[bytes, bytes | None]:
        """Hand over the staged writes (``None`` = delete) and start a fresh layer."""
        staged, self._staged = self._staged, {}
        self.close()
        return {k: (None if v is _DELETED else v) for k, v in staged.items()}  # type: ignore[misc]

    def discard_staged(self) -> None:
        """Forget everything staged (a block that will not be committed)."""
        self._staged = {}


class _Batch(_MappingHelpers, DatabaseAPI):
    """Writes of one ``atomic_batch``; reads see them over the parent's view."""

    def __init__(self, parent: StagedStateDB) -> None:
        self._parent = parent
        self.writes: dict[bytes, object] = {}

    def __getitem__(self, key: bytes) -> bytes:
        value = self.writes.get(key)
        if value is None:
            return self._parent[key]
        if value is _DELETED:
            raise KeyError(key)
        return value  # type: ignore[return-value]

    def __setitem__(self, key: bytes, value: bytes) -> None:
        self.writes[key] = bytes(value)

    def __delitem__(self, key: bytes) -> None:
        self.writes[key] = _DELETED
