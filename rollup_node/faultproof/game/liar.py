"""A dishonest trace, for fault-injection tests only (SPEC §11; ``Faults.lying_trace_from_step``).

``LyingTrace`` wraps a real ``TraceAccessor`` and agrees with it up to a chosen step; from the
state after ``depart_after_steps`` steps on, every state hash it reports is made up. Made-up
states before the real program's end carry status 3 (running); at and past the real end it
reports one invented final state whose status byte is ``final_status`` (0 by default: "the
program accepted the root"), so a node playing with it defends a wrong output root as a
dishonest proposer would, and the honest side must bisect down to the departure and beat it
with one real ``step``.

The liar has no witness for a state it made up: ``step_proof`` from such a pre-state raises
``LiarHasNoWitness`` (the caller skips that step), and from an agreed pre-state it returns the
real trace's proof.
"""

from __future__ import annotations

from typing import Protocol

from eth_hash.auto import keccak

from rollup_node.faultproof.mips.state import Status
from rollup_node.protocol.dispute import StepProof, TraceAccessor


class LiarHasNoWitness(Exception):
    """The lying trace was asked to prove a step from a state it invented: skip the step."""


class ProvingTrace(TraceAccessor, Protocol):
    """A trace that also proves steps (``trace.ProgramTrace``)."""

    def step_proof(self, pre_state_steps: int) -> StepProof:
        """The proof of the step from the state after ``pre_state_steps`` steps."""
        ...


class LyingTrace:
    """``inner`` up to ``depart_after_steps - 1`` steps, invented states from there on."""

    def __init__(
        self, inner: ProvingTrace, depart_after_steps: int, final_status: int = Status.VALID
    ) -> None:
        if depart_after_steps < 1:
            raise ValueError("the liar must depart after at least one step (index 0)")
        self.inner = inner
        self.depart_after_steps = depart_after_steps
        self.final_status = final_status

    def state_hash(self, trace_index: int) -> bytes:
        """The real hash before the departure, an invented one from it on."""
        real = self.inner.state_hash(trace_index)
        if trace_index + 1 < self.depart_after_steps:
            return real
        if real[0] != Status.UNFINISHED:
            # At and past the real end: one invented final state for every index.
            return bytes([self.final_status]) + keccak(b"lying final state")[1:]
        return bytes([Status.UNFINISHED]) + keccak(b"lying state" + trace_index.to_bytes(8))[1:]

    def step_proof(self, pre_state_steps: int) -> StepProof:
        """The real proof from an agreed pre-state; ``LiarHasNoWitness`` from an invented one."""
        if pre_state_steps >= self.depart_after_steps:
            raise LiarHasNoWitness(
                f"the lying trace invented the state after {pre_state_steps} steps"
            )
        return self.inner.step_proof(pre_state_steps)
