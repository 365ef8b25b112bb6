"""MIPS.sol against the Python reference on random states and on the real test program.

The default suite runs a few dozen random states; the ``slow`` variant runs thousands.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

from rollup_node.faultproof.mips.elf import load_elf
from rollup_node.faultproof.mips.fast import FastEmulator
from rollup_node.faultproof.mips.state import State
from rollup_node.faultproof.mips.step import run
from rollup_node.faultproof.mips.syscalls import HostIO
from rollup_node.faultproof.oracle.host import Oracle
from rollup_node.faultproof.oracle.keys import local_key
from rollup_node.faultproof.oracle.source import DictSource
from tests.contracts.mips.conftest import OnChainVM
from tests.unit.faultproof.mips.programs import build_test_program
from tests.unit.faultproof.mips.strategies import states

_SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@settings(max_examples=40, **_SETTINGS)
@given(state=states())
def test_random_states(onchain_vm: OnChainVM, state: State) -> None:
    onchain_vm.check(state.copy())


@pytest.mark.slow
@pytest.mark.timeout(3600)
@settings(max_examples=3000, **_SETTINGS)
@given(state=states())
def test_random_states_thousands(onchain_vm: OnChainVM, state: State) -> None:
    onchain_vm.check(state.copy())


@pytest.fixture(scope="module")
def program(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return build_test_program(tmp_path_factory.mktemp("mips-program"))


def _oracle_io() -> HostIO:
    source = DictSource()
    source.put(local_key(1), source.put_keccak(bytes(range(256)) * 2))
    oracle = Oracle(source)
    oracle.router.register("test-data", lambda data: None)
    return HostIO(oracle)


ARGS = [b"program", b"3", b"oracle"]


@pytest.mark.mips
def test_program_first_steps(onchain_vm: OnChainVM, program: bytes) -> None:
    state = load_elf(program, ARGS)
    io = _oracle_io()
    for _ in range(150):
        onchain_vm.check(state, io)


@pytest.mark.mips
def test_program_witness_at_any_step(onchain_vm: OnChainVM, program: bytes) -> None:
    """Fast-forward with unicorn, then prove steps on-chain, including preimage reads."""
    final = load_elf(program, ARGS)
    run(final, _oracle_io())
    targets = [1_000, 33_333, 77_777, final.step - 600, final.step - 1]
    for target in targets:
        io = _oracle_io()
        state = FastEmulator(load_elf(program, ARGS), io).run(target)
        assert state.step == target
        for _ in range(3):
            onchain_vm.check(state, io)
    io = _oracle_io()
    state = FastEmulator(load_elf(program, ARGS), io).run(final.step - 600)
    reads = 0
    while not state.exited:
        reads += onchain_vm.check(state, io).preimage_key is not None
    assert reads > 0 and state.hash() == final.hash()
