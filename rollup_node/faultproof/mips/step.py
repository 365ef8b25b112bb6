"""The reference step: one instruction, exactly as ``MIPS.sol`` executes it (SPEC §8).

Every instruction of the table in ``docs/mips.md`` is decoded here. A step on an exited state
changes nothing. Otherwise ``step`` grows by one and the instruction at ``pc`` runs; control
flow goes through ``nextPC`` so that the delay slot after a branch or jump runs before its
target. A *panic* — an unaligned ``pc``, a branch or jump in a delay slot, an instruction
outside the table, a division by zero or a taken ``teq`` trap — only sets ``exited = true`` and
``exitCode = 0xFF`` (besides the step count), in every implementation.

Word loads and stores ignore the low address bits below their natural alignment, as Cannon's
VM does; ``lwl``/``lwr``/``swl``/``swr`` give unaligned words.
"""

from __future__ import annotations

from collections.abc import Callable

from rollup_node.faultproof.mips.memory import PAGE_ADDR_BITS, PAGE_ADDR_MASK
from rollup_node.faultproof.mips.state import PANIC_EXIT_CODE, State
from rollup_node.faultproof.mips.syscalls import HostIO, syscall

U32 = 0xFFFFFFFF


class Panic(Exception):
    """Raised inside a step before any state change; the step then ends the program."""


def _sext16(value: int) -> int:
    return (value ^ 0x8000) - 0x8000


def _signed(value: int) -> int:
    return (value ^ 0x80000000) - 0x80000000


def step(
    state: State, io: HostIO | None = None, track: Callable[[int], None] | None = None
) -> None:
    """Advance ``state`` by one instruction.

    ``io`` receives output, hints and preimage requests (a fresh ``HostIO`` without an oracle
    if omitted). ``track`` is called with the aligned address of the data word the step reads
    or writes, before it is read, so a witness can prove it.
    """
    if state.exited:
        return
    state.step += 1
    try:
        _execute(state, io if io is not None else HostIO(), track)
    except Panic:
        state.exited = True
        state.exit_code = PANIC_EXIT_CODE


def run(state: State, io: HostIO | None = None, max_steps: int | None = None) -> None:
    """Step until the program exits or ``state.step`` reaches ``max_steps``."""
    io = io if io is not None else HostIO()
    while not state.exited and (max_steps is None or state.step < max_steps):
        step(state, io)


def _branch_taken(opcode: int, insn: int, rs: int, regs: list[int]) -> bool:
    if opcode == 4:  # beq
        return rs == regs[(insn >> 16) & 0x1F]
    if opcode == 5:  # bne
        return rs != regs[(insn >> 16) & 0x1F]
    if opcode == 6:  # blez
        return rs == 0 or rs & 0x80000000 != 0
    if opcode == 7:  # bgtz
        return rs != 0 and rs & 0x80000000 == 0
    regimm = (insn >> 16) & 0x1F  # opcode 1
    if regimm in (0x00, 0x10):  # bltz, bltzal
        return rs & 0x80000000 != 0
    if regimm in (0x01, 0x11):  # bgez, bgezal
        return rs & 0x80000000 == 0
    raise Panic


def _execute(state: State, io: HostIO, track: Callable[[int], None] | None) -> None:
    pc = state.pc
    if pc & 3:
        raise Panic
    memory = state.memory
    page = memory.pages.get(pc >> PAGE_ADDR_BITS)
    if page is None:
        insn = 0  # sll $0, $0, 0 (a no-op), as unmapped memory reads as zero
    else:
        offset = pc & PAGE_ADDR_MASK
        insn = int.from_bytes(page.data[offset : offset + 4], "big")
    regs = state.registers
    opcode = insn >> 26
    next_pc = state.next_pc
    in_delay_slot = next_pc != ((pc + 4) & U32)

    # -- jumps and branches --------------------------------------------------------------
    if opcode == 2 or opcode == 3:  # j, jal
        if in_delay_slot:
            raise Panic
        if opcode == 3:
            regs[31] = (pc + 8) & U32
        state.pc = next_pc
        state.next_pc = (next_pc & 0xF0000000) | ((insn & 0x03FFFFFF) << 2)
        return
    rs = regs[(insn >> 21) & 0x1F]
    if 1 <= opcode <= 7:  # regimm branches, beq, bne, blez, bgtz
        if in_delay_slot:
            raise Panic
        taken = _branch_taken(opcode, insn, rs, regs)
        if opcode == 1 and (insn >> 16) & 0x10:  # bltzal, bgezal link unconditionally
            regs[31] = (pc + 8) & U32
        state.pc = next_pc
        if taken:
            state.next_pc = (pc + 4 + (_sext16(insn & 0xFFFF) << 2)) & U32
        else:
            state.next_pc = (next_pc + 4) & U32
        return

    rt_reg = (insn >> 16) & 0x1F
    rt = regs[rt_reg]
    dest = rt_reg  # I-type instructions write rt, R-type write rd
    value = 0

    # -- SPECIAL -------------------------------------------------------------------------
    if opcode == 0:
        funct = insn & 0x3F
        dest = (insn >> 11) & 0x1F
        shamt = (insn >> 6) & 0x1F
        if funct == 0x00:  # sll
            value = (rt << shamt) & U32
        elif funct == 0x02:
            rs_field = (insn >> 21) & 0x1F
            if rs_field == 0:  # srl
                value = rt >> shamt
            elif rs_field == 1:  # rotr
                value = ((rt >> shamt) | (rt << (32 - shamt))) & U32
            else:
                raise Panic
        elif funct == 0x03:  # sra
            value = (_signed(rt) >> shamt) & U32
        elif funct == 0x04:  # sllv
            value = (rt << (rs & 0x1F)) & U32
        elif funct == 0x06:
            amount = rs & 0x1F
            if shamt == 0:  # srlv
                value = rt >> amount
            elif shamt == 1:  # rotrv
                value = ((rt >> amount) | (rt << (32 - amount))) & U32
            else:
                raise Panic
        elif funct == 0x07:  # srav
            value = (_signed(rt) >> (rs & 0x1F)) & U32
        elif funct == 0x08 or funct == 0x09:  # jr, jalr
            if in_delay_slot:
                raise Panic
            if funct == 0x09 and dest:
                regs[dest] = (pc + 8) & U32
            state.pc = next_pc
            state.next_pc = rs
            return
        elif funct == 0x0A or funct == 0x0B:  # movz, movn
            if (rt == 0) == (funct == 0x0A) and dest:
                regs[dest] = rs
            state.pc = next_pc
            state.next_pc = (next_pc + 4) & U32
            return
        elif funct == 0x0C:  # syscall
            syscall(state, memory.get_word, memory.set_word, memory.read, io, track)
            if state.exited:
                return  # exit_group leaves pc on the syscall
            state.pc = next_pc
            state.next_pc = (next_pc + 4) & U32
            return
        elif funct == 0x0F:  # sync
            dest = 0
        elif 0x10 <= funct <= 0x13 or 0x18 <= funct <= 0x1B:
            _hi_lo(state, funct, rs, rt, dest)
            state.pc = next_pc
            state.next_pc = (next_pc + 4) & U32
            return
        elif funct == 0x20 or funct == 0x21:  # add, addu (no overflow trap)
            value = (rs + rt) & U32
        elif funct == 0x22 or funct == 0x23:  # sub, subu (no overflow trap)
            value = (rs - rt) & U32
        elif funct == 0x24:  # and
            value = rs & rt
        elif funct == 0x25:  # or
            value = rs | rt
        elif funct == 0x26:  # xor
            value = rs ^ rt
        elif funct == 0x27:  # nor
            value = ~(rs | rt) & U32
        elif funct == 0x2A:  # slt
            value = 1 if _signed(rs) < _signed(rt) else 0
        elif funct == 0x2B:  # sltu
            value = 1 if rs < rt else 0
        elif funct == 0x34:  # teq
            if rs == rt:
                raise Panic
            dest = 0
        else:
            raise Panic

    # -- immediate arithmetic ------------------------------------------------------------
    elif opcode < 0x10:
        imm = insn & 0xFFFF
        if opcode == 0x08 or opcode == 0x09:  # addi, addiu (no overflow trap)
            value = (rs + _sext16(imm)) & U32
        elif opcode == 0x0A:  # slti
            value = 1 if _signed(rs) < _sext16(imm) else 0
        elif opcode == 0x0B:  # sltiu (compares with the sign-extended immediate, unsigned)
            value = 1 if rs < (_sext16(imm) & U32) else 0
        elif opcode == 0x0C:  # andi
            value = rs & imm
        elif opcode == 0x0D:  # ori
            value = rs | imm
        elif opcode == 0x0E:  # xori
            value = rs ^ imm
        else:  # 0x0F lui
            value = imm << 16

    # -- SPECIAL2 ------------------------------------------------------------------------
    elif opcode == 0x1C:
        funct = insn & 0x3F
        if funct == 0x02:  # mul
            value = (_signed(rs) * _signed(rt)) & U32
            dest = (insn >> 11) & 0x1F
        elif funct in (0x00, 0x01, 0x04, 0x05):  # madd, maddu, msub, msubu
            product = rs * rt if funct & 1 else _signed(rs) * _signed(rt)
            acc = (state.hi << 32) | state.lo
            acc = (acc + product if funct < 4 else acc - product) & 0xFFFFFFFFFFFFFFFF
            state.hi = acc >> 32
            state.lo = acc & U32
            dest = 0
        elif funct == 0x20 or funct == 0x21:  # clz, clo
            operand = rs if funct == 0x20 else rs ^ U32
            value = 32 - operand.bit_length()
            dest = (insn >> 11) & 0x1F
        else:
            raise Panic

    # -- SPECIAL3 ------------------------------------------------------------------------
    elif opcode == 0x1F:
        funct = insn & 0x3F
        rd_field = (insn >> 11) & 0x1F
        sa = (insn >> 6) & 0x1F
        if funct == 0x00:  # ext rt, rs, pos=sa, size=rd+1
            if sa + rd_field > 31:
                raise Panic
            value = (rs >> sa) & ((1 << (rd_field + 1)) - 1)
        elif funct == 0x04:  # ins rt, rs, pos=sa, size=rd-sa+1
            if rd_field < sa:
                raise Panic
            mask = ((1 << (rd_field - sa + 1)) - 1) << sa
            value = (rt & ~mask) | ((rs << sa) & mask)
        elif funct == 0x20:
            dest = rd_field
            if sa == 0x02:  # wsbh
                value = ((rt & 0x00FF00FF) << 8) | ((rt >> 8) & 0x00FF00FF)
            elif sa == 0x10:  # seb
                value = ((rt & 0xFF) ^ 0x80) - 0x80 & U32
            elif sa == 0x18:  # seh
                value = ((rt & 0xFFFF) ^ 0x8000) - 0x8000 & U32
            else:
                raise Panic
        else:
            raise Panic

    # -- loads and stores ----------------------------------------------------------------
    elif 0x20 <= opcode <= 0x2E or opcode == 0x30 or opcode == 0x38:
        if opcode in (0x27, 0x2C, 0x2D):
            raise Panic
        addr = (rs + _sext16(insn & 0xFFFF)) & U32
        word_addr = addr & 0xFFFFFFFC
        if track is not None:
            track(word_addr)
        page = memory.pages.get(word_addr >> PAGE_ADDR_BITS)
        if page is None:
            mem = 0
        else:
            offset = word_addr & PAGE_ADDR_MASK
            mem = int.from_bytes(page.data[offset : offset + 4], "big")
        byte_shift = (addr & 3) * 8
        if opcode >= 0x28 and opcode != 0x30:
            if opcode == 0x28:  # sb
                shift = 24 - byte_shift
                mem = (mem & ~(0xFF << shift) & U32) | ((rt & 0xFF) << shift)
            elif opcode == 0x29:  # sh
                shift = 16 - (addr & 2) * 8
                mem = (mem & ~(0xFFFF << shift) & U32) | ((rt & 0xFFFF) << shift)
            elif opcode == 0x2A:  # swl
                mask = U32 >> byte_shift
                mem = (mem & ~mask & U32) | (rt >> byte_shift)
            elif opcode == 0x2B:  # sw
                mem = rt
            elif opcode == 0x2E:  # swr
                shift = 24 - byte_shift
                mask = (U32 << shift) & U32
                mem = (mem & ~mask & U32) | ((rt << shift) & U32)
            elif opcode == 0x38:  # sc always succeeds (one thread)
                mem = rt
            else:
                raise Panic
            memory.set_word(word_addr, mem)
            dest = rt_reg if opcode == 0x38 else 0
            value = 1
        elif opcode == 0x20:  # lb
            value = (((mem >> (24 - byte_shift)) & 0xFF) ^ 0x80) - 0x80 & U32
        elif opcode == 0x21:  # lh
            value = (((mem >> (16 - (addr & 2) * 8)) & 0xFFFF) ^ 0x8000) - 0x8000 & U32
        elif opcode == 0x22:  # lwl
            mask = (U32 << byte_shift) & U32
            value = (rt & ~mask & U32) | ((mem << byte_shift) & U32)
        elif opcode == 0x23 or opcode == 0x30:  # lw, ll
            value = mem
        elif opcode == 0x24:  # lbu
            value = (mem >> (24 - byte_shift)) & 0xFF
        elif opcode == 0x25:  # lhu
            value = (mem >> (16 - (addr & 2) * 8)) & 0xFFFF
        else:  # 0x26 lwr
            shift = 24 - byte_shift
            mask = U32 >> shift
            value = (rt & ~mask & U32) | (mem >> shift)
    else:
        raise Panic

    if dest:
        regs[dest] = value
    state.pc = next_pc
    state.next_pc = (next_pc + 4) & U32


def _hi_lo(state: State, funct: int, rs: int, rt: int, dest: int) -> None:
    """mfhi, mthi, mflo, mtlo, mult, multu, div, divu (division by zero panics)."""
    if funct == 0x10:  # mfhi
        if dest:
            state.registers[dest] = state.hi
    elif funct == 0x11:  # mthi
        state.hi = rs
    elif funct == 0x12:  # mflo
        if dest:
            state.registers[dest] = state.lo
    elif funct == 0x13:  # mtlo
        state.lo = rs
    elif funct == 0x18 or funct == 0x19:  # mult, multu
        product = _signed(rs) * _signed(rt) if funct == 0x18 else rs * rt
        product &= 0xFFFFFFFFFFFFFFFF
        state.hi = product >> 32
        state.lo = product & U32
    else:  # div, divu: quotient rounds toward zero, remainder takes the dividend's sign
        if rt == 0:
            raise Panic
        if funct == 0x1A:
            a, b = _signed(rs), _signed(rt)
            quotient = abs(a) // abs(b)
            if (a < 0) != (b < 0):
                quotient = -quotient
            remainder = a - quotient * b
        else:
            quotient, remainder = divmod(rs, rt)
        state.lo = quotient & U32
        state.hi = remainder & U32
