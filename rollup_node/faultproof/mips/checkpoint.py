"""Checkpoints: a VM state with its memory in one file, to resume a run from.

Format (zlib-compressed): ``b"MIPSCKP1"``, the 226-byte state witness, ``u32`` length and bytes of
the host's pending partial hint, ``u32`` page count, then per page ``u32`` page index and its
4096 bytes, in address order. Loading recomputes the memory root and refuses a checkpoint whose
root differs from the one in its witness.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

from rollup_node.faultproof.mips.memory import PAGE_ADDR_BITS, PAGE_SIZE
from rollup_node.faultproof.mips.state import WITNESS_SIZE, State, decode_witness

MAGIC = b"MIPSCKP1"


class CheckpointError(ValueError):
    """A checkpoint file that is truncated, of another format, or whose memory is corrupt."""


def encode_checkpoint(state: State, pending_hint: bytes = b"") -> bytes:
    """The checkpoint bytes for ``state``."""
    parts = [MAGIC, state.encode_witness(), struct.pack(">I", len(pending_hint)), pending_hint]
    pages = list(state.memory.page_items())
    parts.append(struct.pack(">I", len(pages)))
    for page_index, data in pages:
        parts.append(struct.pack(">I", page_index))
        parts.append(data)
    return zlib.compress(b"".join(parts), 6)


def decode_checkpoint(blob: bytes) -> tuple[State, bytes]:
    """``(state, pending_hint)`` from checkpoint bytes."""
    try:
        raw = zlib.decompress(blob)
    except zlib.error as error:
        raise CheckpointError(f"not a checkpoint (zlib: {error})") from None
    if raw[:8] != MAGIC:
        raise CheckpointError("not a MIPS VM checkpoint (bad magic)")
    cursor = 8
    try:
        mem_root, state = decode_witness(raw[cursor : cursor + WITNESS_SIZE])
        cursor += WITNESS_SIZE
        (hint_length,) = struct.unpack_from(">I", raw, cursor)
        pending_hint = raw[cursor + 4 : cursor + 4 + hint_length]
        cursor += 4 + hint_length
        (count,) = struct.unpack_from(">I", raw, cursor)
        cursor += 4
        for _ in range(count):
            (page_index,) = struct.unpack_from(">I", raw, cursor)
            data = raw[cursor + 4 : cursor + 4 + PAGE_SIZE]
            if len(data) != PAGE_SIZE:
                raise CheckpointError("truncated page")
            state.memory.write(page_index << PAGE_ADDR_BITS, data)
            cursor += 4 + PAGE_SIZE
    except struct.error:
        raise CheckpointError("truncated checkpoint") from None
    if state.memory.merkle_root() != mem_root:
        raise CheckpointError("checkpoint memory does not match its state's memory root")
    return state, pending_hint


def save_checkpoint(path: Path, state: State, pending_hint: bytes = b"") -> None:
    """Write ``state`` to ``path`` (atomically, via a temporary file)."""
    temporary = path.with_suffix(path.suffix + ".tmp")
    temporary.write_bytes(encode_checkpoint(state, pending_hint))
    temporary.replace(path)


def load_checkpoint(path: Path) -> tuple[State, bytes]:
    """``(state, pending_hint)`` from the checkpoint file at ``path``."""
    return decode_checkpoint(path.read_bytes())
