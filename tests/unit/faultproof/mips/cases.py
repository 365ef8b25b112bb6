"""Instruction and system-call cases shared by the reference, fast-path and contract tests.

Each case is a small machine state (one instruction at ``CODE``, a few registers, a data word)
and the register/memory values the reference step must produce. ``build`` returns a fresh state.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rollup_node.faultproof.mips.state import State

CODE = 0x00400000
DATA = 0x10000000
U32 = 0xFFFFFFFF


def r_type(
    funct: int, rs: int = 0, rt: int = 0, rd: int = 0, shamt: int = 0, opcode: int = 0
) -> int:
    """Encode an R-type instruction."""
    return (opcode << 26) | (rs << 21) | (rt << 16) | (rd << 11) | (shamt << 6) | funct


def i_type(opcode: int, rs: int, rt: int, imm: int) -> int:
    """Encode an I-type instruction (``imm`` is masked to 16 bits)."""
    return (opcode << 26) | (rs << 21) | (rt << 16) | (imm & 0xFFFF)


def j_type(opcode: int, target: int) -> int:
    """Encode a J-type instruction to absolute ``target`` (same 256 MiB region)."""
    return (opcode << 26) | ((target >> 2) & 0x03FFFFFF)


@dataclass(frozen=True)
class Case:
    """One instruction with its inputs and the expected effects."""

    name: str
    insn: int
    regs: dict[int, int] = field(default_factory=dict)
    hi: int = 0
    lo: int = 0
    data: int | None = None  # word at DATA
    expect_regs: dict[int, int] = field(default_factory=dict)
    expect_hi: int | None = None
    expect_lo: int | None = None
    expect_data: int | None = None
    expect_pc: tuple[int, int] | None = None  # (pc, nextPC)
    panic: bool = False
    next_pc: int | None = None  # to start inside a delay slot

    def build(self) -> State:
        """A fresh state positioned on this case's instruction."""
        state = State(pc=CODE, next_pc=self.next_pc if self.next_pc is not None else CODE + 4)
        state.memory.set_word(CODE, self.insn)
        state.memory.set_word(CODE + 4, 0)
        if self.data is not None:
            state.memory.set_word(DATA, self.data)
        for reg, value in self.regs.items():
            state.registers[reg] = value & U32
        state.hi, state.lo = self.hi, self.lo
        state.heap = 0x20000000
        return state


def _alu(name: str, insn: int, a: int, b: int, result: int) -> Case:
    return Case(name, insn, regs={8: a, 9: b}, expect_regs={10: result & U32})


CASES: list[Case] = [
    _alu("addu", r_type(0x21, 8, 9, 10), 0xFFFFFFFF, 2, 1),
    _alu("add wraps (no trap)", r_type(0x20, 8, 9, 10), 0x7FFFFFFF, 1, 0x80000000),
    _alu("subu", r_type(0x23, 8, 9, 10), 1, 2, 0xFFFFFFFF),
    _alu("sub", r_type(0x22, 8, 9, 10), 5, 7, -2),
    _alu("and", r_type(0x24, 8, 9, 10), 0xF0F0, 0xFF00, 0xF000),
    _alu("or", r_type(0x25, 8, 9, 10), 0xF0F0, 0xFF00, 0xFFF0),
    _alu("xor", r_type(0x26, 8, 9, 10), 0xF0F0, 0xFF00, 0x0FF0),
    _alu("nor", r_type(0x27, 8, 9, 10), 0xF0F0, 0xFF00, ~0xFFF0),
    _alu("slt true", r_type(0x2A, 8, 9, 10), -1, 1, 1),
    _alu("slt false", r_type(0x2A, 8, 9, 10), 1, -1, 0),
    _alu("sltu", r_type(0x2B, 8, 9, 10), 1, -1, 1),
    _alu("sll", r_type(0x00, 0, 9, 10, 4), 0, 0x8000000F, 0xF0),
    _alu("srl", r_type(0x02, 0, 9, 10, 4), 0, 0x800000F0, 0x0800000F),
    _alu("rotr", r_type(0x02, 1, 9, 10, 4), 0, 0x800000F1, 0x1800000F),
    _alu("sra", r_type(0x03, 0, 9, 10, 4), 0, 0x800000F0, 0xF800000F),
    _alu("sllv", r_type(0x04, 8, 9, 10), 36, 0x8000000F, 0xF0),
    _alu("srlv", r_type(0x06, 8, 9, 10), 4, 0x800000F0, 0x0800000F),
    _alu("rotrv", r_type(0x06, 8, 9, 10, 1), 8, 0x12345678, 0x78123456),
    _alu("srav", r_type(0x07, 8, 9, 10), 4, 0x800000F0, 0xF800000F),
    Case("movz moves", r_type(0x0A, 8, 9, 10), regs={8: 7, 9: 0, 10: 1}, expect_regs={10: 7}),
    Case("movz keeps", r_type(0x0A, 8, 9, 10), regs={8: 7, 9: 1, 10: 1}, expect_regs={10: 1}),
    Case("movn moves", r_type(0x0B, 8, 9, 10), regs={8: 7, 9: 1, 10: 1}, expect_regs={10: 7}),
    Case("movn keeps", r_type(0x0B, 8, 9, 10), regs={8: 7, 9: 0, 10: 1}, expect_regs={10: 1}),
    Case("sync", r_type(0x0F), expect_pc=(CODE + 4, CODE + 8)),
    Case("mfhi", r_type(0x10, rd=10), hi=0x55, expect_regs={10: 0x55}),
    Case("mthi", r_type(0x11, 8), regs={8: 0x66}, expect_hi=0x66),
    Case("mflo", r_type(0x12, rd=10), lo=0x77, expect_regs={10: 0x77}),
    Case("mtlo", r_type(0x13, 8), regs={8: 0x88}, expect_lo=0x88),
    Case("mult", r_type(0x18, 8, 9), regs={8: -3, 9: 5}, expect_hi=U32, expect_lo=-15 & U32),
    Case("multu", r_type(0x19, 8, 9), regs={8: U32, 9: 2}, expect_hi=1, expect_lo=0xFFFFFFFE),
    Case("div", r_type(0x1A, 8, 9), regs={8: -7, 9: 2}, expect_lo=-3 & U32, expect_hi=U32),
    Case("divu", r_type(0x1B, 8, 9), regs={8: 7, 9: 2}, expect_lo=3, expect_hi=1),
    Case("div by zero panics", r_type(0x1A, 8, 9), regs={8: 7, 9: 0}, panic=True),
    Case("divu by zero panics", r_type(0x1B, 8, 9), regs={8: 7, 9: 0}, panic=True),
    Case("teq taken panics", r_type(0x34, 8, 9) | (7 << 6), regs={8: 0, 9: 0}, panic=True),
    Case(
        "teq not taken",
        r_type(0x34, 8, 9) | (7 << 6),
        regs={8: 1, 9: 0},
        expect_pc=(CODE + 4, CODE + 8),
    ),
    Case("jr", r_type(0x08, 8), regs={8: 0x00401000}, expect_pc=(CODE + 4, 0x00401000)),
    Case(
        "jalr",
        r_type(0x09, 8, rd=31),
        regs={8: 0x00401000},
        expect_regs={31: CODE + 8},
        expect_pc=(CODE + 4, 0x00401000),
    ),
    Case("j", j_type(2, 0x00402000), expect_pc=(CODE + 4, 0x00402000)),
    Case(
        "jal", j_type(3, 0x00402000), expect_regs={31: CODE + 8}, expect_pc=(CODE + 4, 0x00402000)
    ),
    Case("beq taken", i_type(4, 8, 9, 3), regs={8: 1, 9: 1}, expect_pc=(CODE + 4, CODE + 16)),
    Case("beq not taken", i_type(4, 8, 9, 3), regs={8: 1, 9: 2}, expect_pc=(CODE + 4, CODE + 8)),
    Case("bne backwards", i_type(5, 8, 9, -2), regs={8: 1, 9: 2}, expect_pc=(CODE + 4, CODE - 4)),
    Case("blez", i_type(6, 8, 0, 3), regs={8: 0}, expect_pc=(CODE + 4, CODE + 16)),
    Case("bgtz not taken", i_type(7, 8, 0, 3), regs={8: -1}, expect_pc=(CODE + 4, CODE + 8)),
    Case("bltz", i_type(1, 8, 0, 3), regs={8: -1}, expect_pc=(CODE + 4, CODE + 16)),
    Case("bgez", i_type(1, 8, 1, 3), regs={8: 0}, expect_pc=(CODE + 4, CODE + 16)),
    Case(
        "bltzal not taken links",
        i_type(1, 8, 0x10, 3),
        regs={8: 1},
        expect_regs={31: CODE + 8},
        expect_pc=(CODE + 4, CODE + 8),
    ),
    Case("bal", i_type(1, 0, 0x11, 3), expect_regs={31: CODE + 8}, expect_pc=(CODE + 4, CODE + 16)),
    Case("branch in delay slot panics", i_type(4, 0, 0, 3), next_pc=0x00408000, panic=True),
    Case("jump in delay slot panics", j_type(2, 0x00402000), next_pc=0x00408000, panic=True),
    Case("addiu", i_type(9, 8, 10, -1), regs={8: 0}, expect_regs={10: U32}),
    Case("addi", i_type(8, 8, 10, 5), regs={8: 0x7FFFFFFF}, expect_regs={10: 0x80000004}),
    Case("slti", i_type(0x0A, 8, 10, -1), regs={8: -2}, expect_regs={10: 1}),
    Case("sltiu", i_type(0x0B, 8, 10, -1), regs={8: 5}, expect_regs={10: 1}),
    Case("andi zero-extends", i_type(0x0C, 8, 10, 0x8001), regs={8: U32}, expect_regs={10: 0x8001}),
    Case("ori", i_type(0x0D, 8, 10, 0x8001), regs={8: 0x10000}, expect_regs={10: 0x18001}),
    Case("xori", i_type(0x0E, 8, 10, 0xFFFF), regs={8: 0x0F0F}, expect_regs={10: 0xF0F0}),
    Case("lui", i_type(0x0F, 0, 10, 0x8001), expect_regs={10: 0x80010000}),
    Case(
        "mul", r_type(0x02, 8, 9, 10, opcode=0x1C), regs={8: -3, 9: 7}, expect_regs={10: -21 & U32}
    ),
    Case(
        "madd",
        r_type(0x00, 8, 9, opcode=0x1C),
        regs={8: -1, 9: 1},
        hi=0,
        lo=0,
        expect_hi=U32,
        expect_lo=U32,
    ),
    Case(
        "maddu",
        r_type(0x01, 8, 9, opcode=0x1C),
        regs={8: U32, 9: 2},
        hi=0,
        lo=2,
        expect_hi=2,
        expect_lo=0,
    ),
    Case(
        "msub",
        r_type(0x04, 8, 9, opcode=0x1C),
        regs={8: 1, 9: 1},
        hi=0,
        lo=0,
        expect_hi=U32,
        expect_lo=U32,
    ),
    Case(
        "msubu",
        r_type(0x05, 8, 9, opcode=0x1C),
        regs={8: 1, 9: 3},
        hi=1,
        lo=0,
        expect_hi=0,
        expect_lo=0xFFFFFFFD,
    ),
    Case("clz", r_type(0x20, 8, 0, 10, opcode=0x1C), regs={8: 0x00010000}, expect_regs={10: 15}),
    Case("clz zero", r_type(0x20, 8, 0, 10, opcode=0x1C), regs={8: 0}, expect_regs={10: 32}),
    Case("clo", r_type(0x21, 8, 0, 10, opcode=0x1C), regs={8: 0xFF000000}, expect_regs={10: 8}),
    Case(
        "ext", r_type(0x00, 8, 10, 7, 4, opcode=0x1F), regs={8: 0x12345678}, expect_regs={10: 0x67}
    ),
    Case(
        "ins",
        r_type(0x04, 8, 10, 11, 4, opcode=0x1F),
        regs={8: 0xAB, 10: 0xFFFFFFFF},
        expect_regs={10: 0xFFFFFABF},
    ),
    Case(
        "wsbh",
        r_type(0x20, 0, 9, 10, 0x02, opcode=0x1F),
        regs={9: 0x11223344},
        expect_regs={10: 0x22114433},
    ),
    Case(
        "seb",
        r_type(0x20, 0, 9, 10, 0x10, opcode=0x1F),
        regs={9: 0x180},
        expect_regs={10: 0xFFFFFF80},
    ),
    Case(
        "seh",
        r_type(0x20, 0, 9, 10, 0x18, opcode=0x1F),
        regs={9: 0x18000},
        expect_regs={10: 0xFFFF8000},
    ),
    Case(
        "lb", i_type(0x20, 8, 10, 1), regs={8: DATA}, data=0x1280FF44, expect_regs={10: 0xFFFFFF80}
    ),
    Case("lbu", i_type(0x24, 8, 10, 2), regs={8: DATA}, data=0x1280FF44, expect_regs={10: 0xFF}),
    Case(
        "lh", i_type(0x21, 8, 10, 2), regs={8: DATA}, data=0x1280FF44, expect_regs={10: 0xFFFFFF44}
    ),
    Case("lhu", i_type(0x25, 8, 10, 0), regs={8: DATA}, data=0x1280FF44, expect_regs={10: 0x1280}),
    Case(
        "lw",
        i_type(0x23, 8, 10, 4),
        regs={8: DATA - 4},
        data=0xDEADBEEF,
        expect_regs={10: 0xDEADBEEF},
    ),
    Case(
        "ll", i_type(0x30, 8, 10, 0), regs={8: DATA}, data=0xDEADBEEF, expect_regs={10: 0xDEADBEEF}
    ),
    Case(
        "lwl",
        i_type(0x22, 8, 10, 1),
        regs={8: DATA, 10: 0x11223344},
        data=0xAABBCCDD,
        expect_regs={10: 0xBBCCDD44},
    ),
    Case(
        "lwr",
        i_type(0x26, 8, 10, 1),
        regs={8: DATA, 10: 0x11223344},
        data=0xAABBCCDD,
        expect_regs={10: 0x1122AABB},
    ),
    Case(
        "sb",
        i_type(0x28, 8, 9, 2),
        regs={8: DATA, 9: 0x1FF},
        data=0x11223344,
        expect_data=0x1122FF44,
    ),
    Case(
        "sh",
        i_type(0x29, 8, 9, 2),
        regs={8: DATA, 9: 0x1ABCD},
        data=0x11223344,
        expect_data=0x1122ABCD,
    ),
    Case(
        "sw", i_type(0x2B, 8, 9, 0), regs={8: DATA, 9: 0xCAFEBABE}, data=0, expect_data=0xCAFEBABE
    ),
    Case(
        "swl",
        i_type(0x2A, 8, 9, 1),
        regs={8: DATA, 9: 0xAABBCCDD},
        data=0x11223344,
        expect_data=0x11AABBCC,
    ),
    Case(
        "swr",
        i_type(0x2E, 8, 9, 1),
        regs={8: DATA, 9: 0xAABBCCDD},
        data=0x11223344,
        expect_data=0xCCDD3344,
    ),
    Case(
        "sc",
        i_type(0x38, 8, 9, 0),
        regs={8: DATA, 9: 0x5},
        data=0,
        expect_data=5,
        expect_regs={9: 1},
    ),
    Case("write to $zero is dropped", r_type(0x21, 8, 9, 0), regs={8: 1, 9: 2}, expect_regs={0: 0}),
    Case("unknown opcode panics", 0xFC000000, panic=True),
    Case("unknown special panics", r_type(0x3F), panic=True),
    Case("break panics", r_type(0x0D), panic=True),
]

_SYSCALL = r_type(0x0C)


def _sys(name: str, number: int, a0: int = 0, a1: int = 0, a2: int = 0, **expect) -> Case:
    return Case(
        name, _SYSCALL, regs={2: number, 4: a0, 5: a1, 6: a2, 7: 0x99}, data=0x11223344, **expect
    )


SYSCALL_CASES: list[Case] = [
    _sys("mmap from heap", 4090, 0, 5000, expect_regs={2: 0x20000000, 7: 0}),
    _sys("mmap fixed", 4090, 0x30000000, 4096, expect_regs={2: 0x30000000, 7: 0}),
    _sys("brk", 4045, expect_regs={2: 0x40000000, 7: 0}),
    _sys("clone", 4120, expect_regs={2: 1, 7: 0}),
    _sys("other is a no-op", 4020, expect_regs={2: 0, 7: 0}),
    _sys("read stdin", 4003, 0, DATA, 4, expect_regs={2: 0, 7: 0}, expect_data=0x11223344),
    _sys("read hint ack", 4003, 3, DATA, 1, expect_regs={2: 1, 7: 0}, expect_data=0x11223344),
    _sys("read bad fd", 4003, 9, DATA, 4, expect_regs={2: U32, 7: 9}),
    _sys("write stdout", 4004, 1, DATA, 3, expect_regs={2: 3, 7: 0}),
    _sys("write stderr", 4004, 2, DATA, 3, expect_regs={2: 3, 7: 0}),
    _sys("write hint", 4004, 4, DATA, 4, expect_regs={2: 4, 7: 0}),
    _sys("write preimage key", 4004, 6, DATA + 1, 4, expect_regs={2: 3, 7: 0}),
    _sys("write bad fd", 4004, 7, DATA, 4, expect_regs={2: U32, 7: 9}),
    _sys("fcntl getfl read fd", 4055, 5, 3, expect_regs={2: 0, 7: 0}),
    _sys("fcntl getfl write fd", 4055, 6, 3, expect_regs={2: 1, 7: 0}),
    _sys("fcntl getfd", 4055, 1, 1, expect_regs={2: 0, 7: 0}),
    _sys("fcntl bad fd", 4055, 9, 3, expect_regs={2: U32, 7: 9}),
    _sys("fcntl bad cmd", 4055, 1, 4, expect_regs={2: U32, 7: 22}),
]
