"""The reference step, instruction by instruction (docs/mips.md) and system call by call."""

from __future__ import annotations

import pytest

from rollup_node.faultproof.mips.state import PANIC_EXIT_CODE, State, Status
from rollup_node.faultproof.mips.step import step
from rollup_node.faultproof.mips.syscalls import HostIO
from rollup_node.faultproof.oracle.host import Oracle
from rollup_node.faultproof.oracle.keys import local_key
from rollup_node.faultproof.oracle.source import DictSource
from tests.unit.faultproof.mips.cases import CASES, CODE, DATA, SYSCALL_CASES, Case, r_type


def _check(case: Case, state: State) -> None:
    before = state.copy()
    step(state, HostIO())
    assert state.step == before.step + 1
    if case.panic:
        assert state.exited and state.exit_code == PANIC_EXIT_CODE
        assert state.status() == Status.PANIC
        assert (state.pc, state.next_pc, state.registers) == (
            before.pc,
            before.next_pc,
            before.registers,
        )
        assert state.memory.merkle_root() == before.memory.merkle_root()
        return
    assert not state.exited
    expected = list(before.registers)
    for reg, value in case.expect_regs.items():
        expected[reg] = value
    assert state.registers == expected
    assert state.hi == (case.expect_hi if case.expect_hi is not None else before.hi)
    assert state.lo == (case.expect_lo if case.expect_lo is not None else before.lo)
    if case.expect_data is not None:
        assert state.memory.get_word(DATA) == case.expect_data
    assert (state.pc, state.next_pc) == (case.expect_pc or (CODE + 4, CODE + 8))


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_instruction(case: Case) -> None:
    _check(case, case.build())


@pytest.mark.parametrize("case", SYSCALL_CASES, ids=[case.name for case in SYSCALL_CASES])
def test_syscall(case: Case) -> None:
    _check(case, case.build())


def test_delay_slot_runs_before_branch_target() -> None:
    state = State(pc=CODE, next_pc=CODE + 4)
    state.memory.set_word(CODE, 0x10000003)  # beq $0, $0, +3
    state.memory.set_word(CODE + 4, r_type(0x21, 0, 0, 10) | (9 << 21))  # addu $10, $9, $0
    state.registers[9] = 42
    step(state)
    assert (state.pc, state.next_pc) == (CODE + 4, CODE + 16)
    step(state)
    assert state.registers[10] == 42
    assert (state.pc, state.next_pc) == (CODE + 16, CODE + 20)


def test_unaligned_pc_panics() -> None:
    state = State(pc=CODE + 2, next_pc=CODE + 6)
    step(state)
    assert state.exited and state.exit_code == PANIC_EXIT_CODE and state.pc == CODE + 2


def test_exit_group_sets_status_and_freezes_state() -> None:
    state = Case("exit", r_type(0x0C), regs={2: 4246, 4: 1}).build()
    step(state)
    assert state.exited and state.exit_code == 1 and state.status() == Status.INVALID
    assert state.pc == CODE and state.step == 1
    frozen = state.hash()
    step(state)
    assert state.step == 1 and state.hash() == frozen


def test_preimage_key_write_and_read() -> None:
    source = DictSource()
    key = source.put_keccak(b"abcdefgh")
    state = Case("key", r_type(0x0C)).build()
    state.preimage_key = key
    state.preimage_offset = 6
    state.registers[2], state.registers[4] = 4003, 5
    state.registers[5], state.registers[6] = DATA + 1, 8
    state.memory.set_word(DATA, 0x11223344)
    step(state, HostIO(Oracle(source)))
    # u64 length 8 ‖ "abcdefgh": offset 6 is 0x00 0x08 'a'..., 3 bytes fit after alignment 1.
    assert state.registers[2] == 3 and state.preimage_offset == 9
    assert state.memory.get_word(DATA) == 0x11000861


def test_preimage_key_shifts_in_bytes() -> None:
    state = Case("key", r_type(0x0C), regs={2: 4004, 4: 6, 5: DATA, 6: 4}).build()
    state.memory.set_word(DATA, 0x01020304)
    state.preimage_key = local_key(7)
    state.preimage_offset = 5
    step(state)
    assert state.preimage_key == local_key(7)[4:] + bytes([1, 2, 3, 4])
    assert state.preimage_offset == 0


def test_hints_are_reassembled_across_writes() -> None:
    seen: list[bytes] = []

    class Recorder:
        def get_preimage(self, key: bytes) -> bytes:
            raise AssertionError("no preimage expected")

        def hint(self, payload: bytes) -> None:
            seen.append(payload)

    io = HostIO(Recorder())
    payload = b"l1-block \x01\x02"
    message = len(payload).to_bytes(4, "big") + payload
    for start in range(0, len(message), 5):
        io.write_hint(message[start : start + 5])
    assert seen == [payload]
