"""The lying trace (fault injection): agrees up to its departure, invents from there on."""

from __future__ import annotations

import pytest
from eth_hash.auto import keccak

from rollup_node.faultproof.game.liar import LiarHasNoWitness, LyingTrace
from rollup_node.faultproof.mips.state import Status
from rollup_node.faults import Faults
from rollup_node.protocol.dispute import StepProof


class ToyTrace:
    """A program of ``steps`` steps whose final state has ``status``."""

    def __init__(self, steps: int, status: int) -> None:
        self.steps = steps
        self.status = status

    def state_hash(self, trace_index: int) -> bytes:
        steps = min(trace_index + 1, self.steps)
        status = self.status if steps == self.steps else Status.UNFINISHED
        return bytes([status]) + keccak(steps.to_bytes(8, "big"))[1:]

    def step_proof(self, pre_state_steps: int) -> StepProof:
        post = self.state_hash(pre_state_steps)
        return StepProof(pre_state_steps, b"\0" * 226, b"", post, None)


@pytest.mark.parametrize("depart", [1, 2, 37, 99, 100])
def test_departs_at_the_chosen_step_with_the_chosen_final_status(depart: int) -> None:
    real = ToyTrace(100, Status.INVALID)
    liar = LyingTrace(real, depart, final_status=Status.VALID)
    for index in range(0, 140):
        ours, theirs = real.state_hash(index), liar.state_hash(index)
        if index + 1 < depart:
            assert theirs == ours
            continue
        assert theirs != ours
        if index + 1 >= real.steps:
            assert theirs == liar.state_hash(real.steps + 50)  # one invented final state
            assert theirs[0] == Status.VALID
        else:
            assert theirs[0] == Status.UNFINISHED
    # every invented state differs from every other before the end
    invented = {liar.state_hash(i) for i in range(depart - 1, real.steps - 1)}
    assert len(invented) == max(0, real.steps - depart)


def test_proves_only_agreed_pre_states() -> None:
    real = ToyTrace(100, Status.INVALID)
    liar = LyingTrace(real, 40)
    assert liar.step_proof(39) == real.step_proof(39)
    with pytest.raises(LiarHasNoWitness):
        liar.step_proof(40)
    with pytest.raises(ValueError):
        LyingTrace(real, 0)


def test_is_a_fault_flag() -> None:
    assert not Faults().any
    assert Faults(lying_trace_from_step=1000).any
