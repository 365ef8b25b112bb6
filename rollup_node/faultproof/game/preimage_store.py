"""Every preimage one game's trace reads, kept with the game (SPEC §11, data availability).

The first run of the program records each key it reads and the value it got: local inputs
(type 1), keccak preimages (type 2: L1 headers, L1 account and storage proof nodes at the game's
L1 head, L2 headers and trie nodes, batch data, queue elements) and precompile results (type 6).
For a precompile result the store also keeps the call behind its key (``address ‖ u64
requiredGas ‖ input``, the ``precompile`` hint's data), since the PreimageOracle contract loads
such a key by making that call (SPEC §8). Later answers — state hashes, step witnesses, the
preimage part a step reads — come from the store alone, so a pruned L1 or a restart never stops
them.

File format (zlib-compressed): ``b"FPPIMG01"``, then per entry ``key32 ‖ u32 len ‖ value ‖
u32 len ‖ call`` (``call`` empty unless the key is type 6), in key order. Loading checks every
entry against its key.
"""

from __future__ import annotations

import os
import struct
import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from eth_utils import to_checksum_address

from rollup_node.faultproof.mips.syscalls import PreimageOracle
from rollup_node.faultproof.oracle.hints import HintError, parse_hint
from rollup_node.faultproof.oracle.keys import KeyType, key_type, precompile_key
from rollup_node.faultproof.oracle.source import PreimageMismatch, PreimageNotFound, check_preimage
from rollup_node.protocol.dispute import PreimagePart

MAGIC = b"FPPIMG01"
_PRECOMPILE_CALL_HEADER = 28  # address20 ‖ u64 requiredGas


class PreimageStoreError(ValueError):
    """A stored preimage file that is truncated, of another format, or whose entries do not
    match their keys: reset (delete the game's directory and rebuild the trace from a source)."""


class MissingPrecompileCall(LookupError):
    """The program read a precompile result whose call was never hinted: the store could not
    load it into the PreimageOracle. Halt: the program and host disagree."""


@dataclass(frozen=True)
class StoredPreimage:
    """One entry: the value read under ``key`` and, for a precompile key, the call behind it."""

    value: bytes
    call: bytes = b""


class PreimageStore:
    """The preimages of one trace, answering the VM (``PreimageOracle``) without any source.

    Hints are ignored: everything the program reads is already here.
    """

    def __init__(self, entries: dict[bytes, StoredPreimage] | None = None) -> None:
        self.entries: dict[bytes, StoredPreimage] = dict(entries or {})

    def get_preimage(self, key: bytes) -> bytes:
        """The stored value of ``key`` (``PreimageNotFound`` if the trace never read it)."""
        entry = self.entries.get(bytes(key))
        if entry is None:
            raise PreimageNotFound(f"the stored trace never read key {bytes(key).hex()}")
        return entry.value

    def hint(self, payload: bytes) -> None:
        """Nothing to prepare: the store already holds every preimage the trace reads."""

    def part(self, key: bytes, offset: int) -> PreimagePart:
        """What the PreimageOracle contract needs to hold ``key`` at ``offset``."""
        entry = self.entries.get(bytes(key))
        if entry is None:
            raise PreimageNotFound(f"the stored trace never read key {bytes(key).hex()}")
        kind = key_type(key)
        if kind == KeyType.LOCAL:
            return PreimagePart(
                key, offset, entry.value, local_ident=int.from_bytes(key[1:], "big")
            )
        if kind == KeyType.KECCAK:
            return PreimagePart(key, offset, entry.value)
        call = entry.call
        return PreimagePart(
            key,
            offset,
            call[_PRECOMPILE_CALL_HEADER:],
            precompile=to_checksum_address(call[:20]),
            required_gas=int.from_bytes(call[20:_PRECOMPILE_CALL_HEADER], "big"),
        )

    def __len__(self) -> int:
        return len(self.entries)

    # -- disk ----------------------------------------------------------------------------------

    def encode(self) -> bytes:
        """The file bytes (entries in key order, so equal stores give equal files)."""
        parts = [MAGIC]
        for key in sorted(self.entries):
            entry = self.entries[key]
            parts += [key, struct.pack(">I", len(entry.value)), entry.value]
            parts += [struct.pack(">I", len(entry.call)), entry.call]
        return zlib.compress(b"".join(parts), 6)

    @classmethod
    def decode(cls, blob: bytes) -> PreimageStore:
        """A store from file bytes, every entry checked against its key."""
        try:
            raw = zlib.decompress(blob)
        except zlib.error as error:
            raise PreimageStoreError(f"not a preimage store (zlib: {error})") from None
        if raw[: len(MAGIC)] != MAGIC:
            raise PreimageStoreError("not a preimage store (bad magic)")
        entries: dict[bytes, StoredPreimage] = {}
        cursor = len(MAGIC)
        try:
            while cursor < len(raw):
                key = raw[cursor : cursor + 32]
                (length,) = struct.unpack_from(">I", raw, cursor + 32)
                value = raw[cursor + 36 : cursor + 36 + length]
                cursor += 36 + length
                (length,) = struct.unpack_from(">I", raw, cursor)
                call = raw[cursor + 4 : cursor + 4 + length]
                cursor += 4 + length
                _check_entry(key, value, call)
                entries[key] = StoredPreimage(value, call)
        except (struct.error, PreimageMismatch, ValueError) as error:
            raise PreimageStoreError(f"corrupt preimage store: {error}") from None
        return cls(entries)

    def save(self, path: Path) -> None:
        """Write the store to ``path`` atomically and durably."""
        write_atomic(path, self.encode())

    @classmethod
    def load(cls, path: Path) -> PreimageStore:
        """The store saved at ``path``."""
        return cls.decode(path.read_bytes())


def _check_entry(key: bytes, value: bytes, call: bytes) -> None:
    if len(key) != 32:
        raise PreimageMismatch("truncated key")
    check_preimage(key, value)
    if key_type(key) == KeyType.PRECOMPILE:
        if len(call) < _PRECOMPILE_CALL_HEADER:
            raise PreimageMismatch(f"precompile key {key.hex()} without its call")
        gas = int.from_bytes(call[20:_PRECOMPILE_CALL_HEADER], "big")
        if precompile_key(call[:20], gas, call[_PRECOMPILE_CALL_HEADER:]) != key:
            raise PreimageMismatch(f"stored call does not hash to precompile key {key.hex()}")
    elif call:
        raise PreimageMismatch(f"a call stored with non-precompile key {key.hex()}")


class RecordingOracle:
    """Serves a first run from ``source`` (local inputs from ``local``) and records every read.

    ``source`` is the node's program host (``program.host.ProgramHost.oracle()``) or any
    ``PreimageOracle``; it keeps its hints. Local keys are answered from ``local`` — the game's
    own inputs — so the trace is bound to the game whatever the host was told.
    """

    def __init__(self, source: PreimageOracle, local: dict[bytes, bytes]) -> None:
        self.source = source
        self.local = dict(local)
        self.read: dict[bytes, bytes] = {}
        self.calls: dict[bytes, bytes] = {}  # precompile key -> hinted call

    def get_preimage(self, key: bytes) -> bytes:
        """The value of ``key``, recorded."""
        key = bytes(key)
        if key_type(key) == KeyType.LOCAL:
            if key not in self.local:
                raise PreimageNotFound(f"no local input {key.hex()}")
            value = self.local[key]
        else:
            value = bytes(self.source.get_preimage(key))
        check_preimage(key, value)
        self.read[key] = value
        return value

    def hint(self, payload: bytes) -> None:
        """Pass the hint on; remember the call behind a ``precompile`` hint."""
        try:
            hint_type, data = parse_hint(payload)
        except HintError:
            hint_type, data = "", b""
        if hint_type == "precompile" and len(data) >= _PRECOMPILE_CALL_HEADER:
            gas = int.from_bytes(data[20:_PRECOMPILE_CALL_HEADER], "big")
            self.calls[precompile_key(data[:20], gas, data[_PRECOMPILE_CALL_HEADER:])] = data
        self.source.hint(payload)

    def store(self) -> PreimageStore:
        """Everything read so far, with the call behind each precompile result."""
        entries = {}
        for key, value in self.read.items():
            call = b""
            if key_type(key) == KeyType.PRECOMPILE:
                if key not in self.calls:
                    raise MissingPrecompileCall(
                        f"precompile key {key.hex()} was read but its call never hinted"
                    )
                call = self.calls[key]
            entries[key] = StoredPreimage(value, call)
        return PreimageStore(entries)


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a synced temporary file of a unique name and a rename
    (then sync the directory), so a crash leaves either the old file or the whole new one, and
    two writers of the same game never share a temporary file."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
