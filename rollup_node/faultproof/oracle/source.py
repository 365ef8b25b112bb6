"""Where preimages come from: the ``PreimageSource`` interface and two sources.

``DictSource`` holds preimages in memory and checks what it is given: a keccak preimage must hash
to its key and a local value is at most 32 bytes (SPEC §9). ``ChainedSource`` asks several
sources in order (e.g. local inputs, then preimages fetched for hints).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Protocol

from rollup_node.faultproof.oracle.keys import KeyType, keccak_key, key_type


class PreimageNotFound(LookupError):
    """No source knows the key: the host cannot answer the program (halt the run)."""


class PreimageMismatch(ValueError):
    """A preimage does not match its key: refuse it, the data source is wrong."""


class PreimageSource(Protocol):
    """Answers preimage keys."""

    def get_preimage(self, key: bytes) -> bytes:
        """The preimage of ``key``; raises ``PreimageNotFound`` if unknown."""
        ...


def check_preimage(key: bytes, value: bytes) -> None:
    """Raise ``PreimageMismatch`` unless ``value`` may be stored under ``key``."""
    kind = key_type(key)
    if kind == KeyType.KECCAK and keccak_key(value) != key:
        raise PreimageMismatch(f"keccak preimage does not hash to key {key.hex()}")
    if kind == KeyType.LOCAL and len(value) > 32:
        raise PreimageMismatch(f"local preimage for {key.hex()} is {len(value)} > 32 bytes")
    if kind == KeyType.PRECOMPILE and (not value or value[0] not in (0, 1)):
        raise PreimageMismatch(f"precompile result for {key.hex()} must start with status 0/1")


class DictSource:
    """An in-memory, verified preimage store."""

    def __init__(self, preimages: Mapping[bytes, bytes] | None = None) -> None:
        self._preimages: dict[bytes, bytes] = {}
        for key, value in (preimages or {}).items():
            self.put(key, value)

    def put(self, key: bytes, value: bytes) -> None:
        """Store ``value`` under ``key`` after checking it (``PreimageMismatch`` if wrong)."""
        check_preimage(key, value)
        self._preimages[bytes(key)] = bytes(value)

    def put_keccak(self, value: bytes) -> bytes:
        """Store a keccak preimage and return its key."""
        key = keccak_key(value)
        self._preimages[key] = bytes(value)
        return key

    def get_preimage(self, key: bytes) -> bytes:
        """The stored preimage of ``key``."""
        try:
            return self._preimages[bytes(key)]
        except KeyError:
            raise PreimageNotFound(f"no preimage for key {bytes(key).hex()}") from None

    def __contains__(self, key: object) -> bool:
        return key in self._preimages

    def __len__(self) -> int:
        return len(self._preimages)


class ChainedSource:
    """Asks each source in turn; the first that knows the key answers."""

    def __init__(self, sources: Iterable[PreimageSource]) -> None:
        self.sources = list(sources)

    def get_preimage(self, key: bytes) -> bytes:
        """The first source's preimage of ``key``."""
        for source in self.sources:
            try:
                return source.get_preimage(key)
            except PreimageNotFound:
                continue
        raise PreimageNotFound(f"no preimage for key {bytes(key).hex()}")
