"""The VM state, its 226-byte witness encoding and its state hash (SPEC §8).

The witness packs, in order: ``memRoot bytes32, preimageKey bytes32, preimageOffset u32, pc u32,
nextPC u32, lo u32, hi u32, heap u32, exitCode u8, exited bool, step u64, registers u32[32]``,
all big-endian. The state hash is ``keccak(witness)`` with its first byte replaced by the status.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum

from rollup_node.faultproof.mips.memory import Memory, keccak256

WITNESS_SIZE = 226
PANIC_EXIT_CODE = 0xFF


class Status(IntEnum):
    """The first byte of a state hash."""

    VALID = 0  # exited with code 0
    INVALID = 1  # exited with code 1
    PANIC = 2  # exited with any other code
    UNFINISHED = 3  # not exited


class WitnessError(ValueError):
    """A state witness of the wrong size or with an out-of-range field."""


@dataclass
class State:
    """The mutable machine state the reference step advances.

    ``preimage_key`` and ``preimage_offset`` are the oracle cursor: a write to fd 6 shifts bytes
    into the key and zeroes the offset; a read of fd 5 advances the offset. ``memory`` is not part
    of the witness except through its Merkle root.
    """

    memory: Memory = field(default_factory=Memory)
    preimage_key: bytes = bytes(32)
    preimage_offset: int = 0
    pc: int = 0
    next_pc: int = 4
    lo: int = 0
    hi: int = 0
    heap: int = 0
    exit_code: int = 0
    exited: bool = False
    step: int = 0
    registers: list[int] = field(default_factory=lambda: [0] * 32)

    def encode_witness(self) -> bytes:
        """The 226-byte packed state (the ``stateData`` argument of ``MIPS.step``)."""
        return encode_witness(self, self.memory.merkle_root())

    def hash(self) -> bytes:
        """The state hash: keccak of the witness with byte 0 set to the status."""
        return state_hash(self.encode_witness())

    def status(self) -> Status:
        """The status byte of this state's hash."""
        return _status(self.exited, self.exit_code)

    def copy(self) -> State:
        """An independent copy, memory included."""
        return State(
            memory=self.memory.copy(),
            preimage_key=self.preimage_key,
            preimage_offset=self.preimage_offset,
            pc=self.pc,
            next_pc=self.next_pc,
            lo=self.lo,
            hi=self.hi,
            heap=self.heap,
            exit_code=self.exit_code,
            exited=self.exited,
            step=self.step,
            registers=list(self.registers),
        )


def encode_witness(state: State, mem_root: bytes) -> bytes:
    """Pack ``state`` with the given memory root into the 226-byte witness."""
    out = bytearray(mem_root)
    out += state.preimage_key
    for value in (state.preimage_offset, state.pc, state.next_pc, state.lo, state.hi, state.heap):
        out += value.to_bytes(4, "big")
    out.append(state.exit_code)
    out.append(1 if state.exited else 0)
    out += state.step.to_bytes(8, "big")
    for value in state.registers:
        out += value.to_bytes(4, "big")
    return bytes(out)


def decode_witness(witness: bytes) -> tuple[bytes, State]:
    """Unpack a witness into ``(mem_root, state)``; the state's memory is left empty."""
    if len(witness) != WITNESS_SIZE:
        raise WitnessError(f"state witness must be {WITNESS_SIZE} bytes, got {len(witness)}")
    if witness[89] > 1:
        raise WitnessError(f"exited flag must be 0 or 1, got {witness[89]}")

    def word(offset: int) -> int:
        return int.from_bytes(witness[offset : offset + 4], "big")

    state = State(
        preimage_key=witness[32:64],
        preimage_offset=word(64),
        pc=word(68),
        next_pc=word(72),
        lo=word(76),
        hi=word(80),
        heap=word(84),
        exit_code=witness[88],
        exited=witness[89] == 1,
        step=int.from_bytes(witness[90:98], "big"),
        registers=[word(98 + 4 * i) for i in range(32)],
    )
    return witness[:32], state


def state_hash(witness: bytes) -> bytes:
    """keccak(witness) with the first byte replaced by the status (SPEC §8)."""
    if len(witness) != WITNESS_SIZE:
        raise WitnessError(f"state witness must be {WITNESS_SIZE} bytes, got {len(witness)}")
    status = _status(witness[89] == 1, witness[88])
    return bytes([status]) + keccak256(witness)[1:]


def _status(exited: bool, exit_code: int) -> Status:
    if not exited:
        return Status.UNFINISHED
    if exit_code == 0:
        return Status.VALID
    if exit_code == 1:
        return Status.INVALID
    return Status.PANIC
