"""Hypothesis strategies for random VM states around one instruction (differential tests)."""

from __future__ import annotations

from hypothesis import strategies as st

from rollup_node.faultproof.mips.state import State
from tests.unit.faultproof.mips.cases import CODE

_SPECIAL = [
    0,
    2,
    3,
    4,
    6,
    7,
    8,
    9,
    0xA,
    0xB,
    0xC,
    0xF,
    0x10,
    0x11,
    0x12,
    0x13,
    0x18,
    0x19,
    0x1A,
    0x1B,
    0x20,
    0x21,
    0x22,
    0x23,
    0x24,
    0x25,
    0x26,
    0x27,
    0x2A,
    0x2B,
    0x34,
    0x0D,
]
_OPCODES = [
    1,
    2,
    3,
    4,
    5,
    6,
    7,
    8,
    9,
    0xA,
    0xB,
    0xC,
    0xD,
    0xE,
    0xF,
    0x1C,
    0x1F,
    0x20,
    0x21,
    0x22,
    0x23,
    0x24,
    0x25,
    0x26,
    0x28,
    0x29,
    0x2A,
    0x2B,
    0x2E,
    0x30,
    0x38,
    0x27,
    0x3F,
]
_SYSCALLS = [4090, 4045, 4120, 4246, 4003, 4004, 4055, 4020]

u32 = st.integers(0, 0xFFFFFFFF)
small = st.sampled_from([0, 1, 2, 3, 4, 5, 8, 0x10, 0x18, 31]) | st.integers(0, 31)


@st.composite
def instructions(draw: st.DrawFn) -> int:
    kind = draw(st.sampled_from(["special", "other", "random"]))
    rs, rt, rd, sa = draw(small), draw(small), draw(small), draw(small)
    if kind == "random":
        return draw(u32)
    if kind == "special":
        return (rs << 21) | (rt << 16) | (rd << 11) | (sa << 6) | draw(st.sampled_from(_SPECIAL))
    opcode = draw(st.sampled_from(_OPCODES))
    if opcode == 0x1C:
        return (
            (0x1C << 26)
            | (rs << 21)
            | (rt << 16)
            | (rd << 11)
            | draw(st.sampled_from([0, 1, 2, 4, 5, 0x20, 0x21, 3]))
        )
    if opcode == 0x1F:
        return (
            (0x1F << 26)
            | (rs << 21)
            | (rt << 16)
            | (rd << 11)
            | (sa << 6)
            | draw(st.sampled_from([0, 4, 0x20, 1]))
        )
    return (opcode << 26) | (rs << 21) | (rt << 16) | draw(st.integers(0, 0xFFFF))


@st.composite
def states(draw: st.DrawFn) -> State:
    insn = draw(instructions())
    registers = draw(st.lists(u32 | small, min_size=32, max_size=32))
    registers[0] = 0
    if insn == 0x0C or insn & 0xFC00003F == 0x0C:
        registers[2] = draw(st.sampled_from(_SYSCALLS))
        registers[4] = draw(st.integers(0, 7))
        if registers[2] == 4003 and registers[4] == 5:
            registers[4] = 3  # preimage reads need a loaded part: covered in test_mips_step
    delay = draw(st.booleans()) and draw(st.integers(0, 9)) == 0
    state = State(
        pc=CODE,
        next_pc=draw(u32) & ~3 if delay else CODE + 4,
        lo=draw(u32),
        hi=draw(u32),
        heap=0x20000000,
        registers=registers,
        preimage_key=draw(st.binary(min_size=32, max_size=32)),
        preimage_offset=draw(st.integers(0, 100)),
    )
    state.memory.set_word(CODE, insn)
    for _ in range(draw(st.integers(0, 3))):
        state.memory.set_word(draw(u32) & ~3, draw(u32))
    base = registers[(insn >> 21) & 0x1F]
    offset = ((insn & 0xFFFF) ^ 0x8000) - 0x8000
    state.memory.set_word((base + offset) & 0xFFFFFFFC, draw(u32))
    return state
