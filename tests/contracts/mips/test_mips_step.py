"""MIPS.sol against the Python reference step: every instruction, system call and panic."""

from __future__ import annotations

import pytest

from rollup_node.faultproof.mips.syscalls import HostIO
from rollup_node.faultproof.mips.witness import prove_step
from rollup_node.faultproof.oracle.host import Oracle
from rollup_node.faultproof.oracle.keys import local_key
from rollup_node.faultproof.oracle.source import DictSource
from tests.contracts.chain_helpers import reverts
from tests.contracts.mips.conftest import OnChainVM
from tests.unit.faultproof.mips.cases import CASES, DATA, SYSCALL_CASES, Case, r_type

ALL_CASES = CASES + SYSCALL_CASES


@pytest.mark.parametrize("case", ALL_CASES, ids=[case.name for case in ALL_CASES])
def test_contract_matches_reference(onchain_vm: OnChainVM, case: Case) -> None:
    onchain_vm.check(case.build())


def test_exit_and_exited_state(onchain_vm: OnChainVM) -> None:
    state = Case("exit", r_type(0x0C), regs={2: 4246, 4: 0}).build()
    onchain_vm.check(state)
    assert state.exited
    witness = onchain_vm.check(state)  # a step on an exited state changes nothing
    assert witness.post_state_hash == witness.pre_state_hash


def test_preimage_reads_local_and_keccak(onchain_vm: OnChainVM) -> None:
    source = DictSource()
    keccak = source.put_keccak(b"the quick brown fox jumps over the lazy dog" * 2)
    source.put(local_key(1), keccak)
    io = HostIO(Oracle(source))
    for key, offsets in ((local_key(1), (0, 4, 9, 36)), (keccak, (0, 8, 33, 90))):
        for offset in offsets:
            for alignment in range(4):
                state = Case(
                    "read", r_type(0x0C), regs={2: 4003, 4: 5, 5: DATA + alignment, 6: 4}
                ).build()
                state.memory.set_word(DATA, 0xA1B2C3D4)
                state.preimage_key, state.preimage_offset = key, offset
                onchain_vm.check(state, io)


def _reverts_with(call, error: str) -> None:
    with reverts(error):
        call.call()


def test_refuses_invalid_proof(onchain_vm: OnChainVM) -> None:
    state = Case("lw", 0x8D0A0000, regs={8: DATA}, data=7).build()
    witness = prove_step(state)
    bad = bytearray(witness.proof)
    bad[-1] ^= 1
    step = onchain_vm.mips.functions.step
    _reverts_with(step(witness.state, bytes(bad), b"\0" * 32), "InvalidProof()")
    _reverts_with(step(witness.state, witness.proof[:896], b"\0" * 32), "InvalidProof()")
    _reverts_with(step(witness.state[:-1], witness.proof, b"\0" * 32), "InvalidStateSize()")


def test_refuses_unloaded_preimage(onchain_vm: OnChainVM) -> None:
    source = DictSource()
    state = Case("read", r_type(0x0C), regs={2: 4003, 4: 5, 5: DATA, 6: 4}).build()
    state.preimage_key = source.put_keccak(b"never loaded")
    witness = prove_step(state, HostIO(Oracle(source)))
    step = onchain_vm.mips.functions.step
    _reverts_with(step(witness.state, witness.proof, b"\0" * 32), "PartNotLoaded()")
