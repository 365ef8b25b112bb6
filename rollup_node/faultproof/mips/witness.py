"""The witness of one step: what ``MIPS.step`` needs to replay it on-chain (SPEC §8).

``prove_step`` takes the state before the step, records its 226-byte witness and the memory
proofs the step uses — the instruction word, then the data word if the step reads or writes one
— and steps the state. If the step reads fd 5, the witness also names the preimage part the
oracle contract must hold (key, offset, whole preimage) so the caller can load it first.
"""

from __future__ import annotations

from dataclasses import dataclass

from rollup_node.faultproof.mips.state import State, state_hash
from rollup_node.faultproof.mips.step import step
from rollup_node.faultproof.mips.syscalls import FD_PREIMAGE_READ, SYS_READ, HostIO


@dataclass(frozen=True)
class StepWitness:
    """Pre-state witness, memory proofs and the preimage part a step reads, if any."""

    state: bytes
    proof: bytes
    pre_state_hash: bytes
    post_state_hash: bytes
    preimage_key: bytes | None = None
    preimage_offset: int | None = None
    preimage_value: bytes | None = None


def prove_step(state: State, io: HostIO | None = None) -> StepWitness:
    """Advance ``state`` by one step and return the witness that proves it."""
    io = io if io is not None else HostIO()
    witness = state.encode_witness()
    proofs = [state.memory.merkle_proof(state.pc)]
    regs = state.registers
    reads_preimage = (
        not state.exited
        and state.pc & 3 == 0
        and state.memory.get_word(state.pc) == 0x0000000C
        and regs[2] == SYS_READ
        and regs[4] == FD_PREIMAGE_READ
    )
    key, offset = state.preimage_key, state.preimage_offset
    step(state, io, lambda addr: proofs.append(state.memory.merkle_proof(addr)))
    value = None
    if reads_preimage:
        value = io.oracle.get_preimage(key) if io.oracle is not None else None
    return StepWitness(
        state=witness,
        proof=b"".join(proofs),
        pre_state_hash=state_hash(witness),
        post_state_hash=state.hash(),
        preimage_key=key if reads_preimage else None,
        preimage_offset=offset if reads_preimage else None,
        preimage_value=value,
    )
