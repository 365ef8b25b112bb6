"""The fast path: the same program in unicorn's MIPS32 JIT, handed back to the reference VM.

Unicorn runs natively between system calls; only the ``syscall`` interrupt is hooked, and it
calls the very ``syscalls.syscall`` the reference step uses. Memory is mapped on first touch,
``MAP_CHUNK_PAGES`` aligned pages at a time (a mapped page that was never written reads as zero,
as untouched memory does in the reference), so the set of mapped pages is a superset of the
touched ones and reading the state back costs about the memory the program used. Mapping page
by page made a program with a large heap spend its time in ``mem_map`` (each call slower as
regions accumulate: a block whose derivation reads ~20,000 storage slots grew its heap a few
pages a second), and it miscounted: the program on an empty block took 4,009,628 steps there
against the reference's 4,009,627 (chunks of 4 pages or more give 4,009,627), so a fault on a
fresh page can count an instruction twice in some position not yet pinned down.

Step counting. ``emu_start(count=n)`` counts every instruction (delay slots included) in a
native counter inside unicorn. That counter is exact at a system call (a syscall is never in a
delay slot), so exits are exact; unicorn does not expose it, so ``_counter_offset`` finds it in
the engine's struct once, by calibration, and refuses to run if it cannot. A run bounded by a
step count is exact except that unicorn cannot stop between a branch and its delay slot: when
the last counted instruction is a branch it runs the delay slot too. ``run`` detects that by
re-running the segment from the start state with one more instruction (the states are
equal exactly when it overshot) and then stops one instruction early and lets the reference
VM take the last step; at a branch to itself (states repeat every two steps) the reference
decides. Anything unicorn would treat differently from the reference — a trap
(``teq``), an invalid instruction, an unaligned access — makes ``run`` replay the segment in
the reference VM from its start state, so results are the reference's for all code the
pinned compiler emits (docs/mips.md lists the encodings outside it where unicorn differs).
"""

from __future__ import annotations

import ctypes
import struct
from collections.abc import Callable
from functools import cache

from unicorn import (
    UC_ARCH_MIPS,
    UC_HOOK_INTR,
    UC_HOOK_MEM_UNMAPPED,
    UC_MODE_BIG_ENDIAN,
    UC_MODE_MIPS32,
    Uc,
    UcError,
)
from unicorn.mips_const import (
    UC_MIPS_REG_HI,
    UC_MIPS_REG_LO,
    UC_MIPS_REG_PC,
    UC_MIPS_REG_ZERO,
)

from rollup_node.faultproof.mips.memory import PAGE_ADDR_BITS, PAGE_SIZE, Memory
from rollup_node.faultproof.mips.state import State
from rollup_node.faultproof.mips.step import step as reference_step
from rollup_node.faultproof.mips.syscalls import HostIO, syscall

_EXCP_SYSCALL = 17
_UNBOUNDED = 1 << 62
_NEVER = 2  # an "until" address no aligned pc reaches
_REGS = [UC_MIPS_REG_ZERO + index for index in range(32)]
#: Pages mapped together on first touch (256 KiB).
MAP_CHUNK_PAGES = 64


class FastPathUnavailable(RuntimeError):
    """Unicorn's instruction counter could not be located: use the reference VM."""


class _Divergence(Exception):
    """Unicorn met something it would not execute as the reference does."""


@cache
def _counter_offset() -> int:
    """Offset of unicorn's executed-instruction counter in its engine struct (calibrated)."""
    uc = Uc(UC_ARCH_MIPS, UC_MODE_MIPS32 | UC_MODE_BIG_ENDIAN)
    uc.mem_map(0x100000, 0x40000)
    uc.mem_write(0x100000, b"\x24\x84\x00\x01" * 0x10000)  # addiu $a0, $a0, 1
    candidates: set[int] | None = None
    for count in (777, 12345, 54321):
        uc.emu_start(0x100000, _NEVER, count=count)
        raw = ctypes.string_at(uc._uch.value, 4096)
        hits = {
            offset
            for offset in range(0, len(raw) - 8, 8)
            if struct.unpack_from("<Q", raw, offset)[0] == count + 1
            and struct.unpack_from("<Q", raw, offset + 8)[0] == count
        }
        candidates = hits if candidates is None else candidates & hits
    if not candidates or len(candidates) != 1:
        raise FastPathUnavailable("cannot locate unicorn's instruction counter")
    return candidates.pop()


def calibrate() -> None:
    """Locate unicorn's instruction counter now (once per process: ~0.5 s on the loaded 2-core
    machine) rather than in the first run that needs it, e.g. a challenger's root-claim run;
    ``FastPathUnavailable`` if it cannot be found."""
    _counter_offset()


def _sc_ahead(state: State) -> bool:
    """Whether an ``sc`` comes before any ``ll`` or control transfer from ``pc`` on.

    Unicorn cannot start inside a delay slot, and its ``sc`` fails unless its own ``ll`` ran
    (the reference's always succeeds): such states are stepped in the reference first.
    """
    for offset in range(0, 32, 4):
        insn = state.memory.get_word((state.pc + offset) & 0xFFFFFFFC)
        opcode = insn >> 26
        if opcode == 0x38:
            return True
        if opcode == 0x30 or 1 <= opcode <= 7 or (opcode == 0 and insn & 0x3E == 0x08):
            return False
    return False


class _Kernel:
    """The state fields system calls change, mirrored outside unicorn (``SyscallState``)."""

    def __init__(self, state: State) -> None:
        self.registers = [0] * 32
        self.heap = state.heap
        self.exited = state.exited
        self.exit_code = state.exit_code
        self.preimage_key = state.preimage_key
        self.preimage_offset = state.preimage_offset
        self.exit_pc = state.pc
        self.exit_next_pc = state.next_pc


class FastEmulator:
    """Runs a VM state natively; ``run`` returns exact reference states."""

    def __init__(self, state: State, io: HostIO | None = None) -> None:
        self.io = io if io is not None else HostIO()
        self._offset = _counter_offset()
        self._load(state)

    def _load(self, state: State) -> None:
        """Copy ``state`` into a fresh unicorn instance."""
        state = state.copy()
        while not state.exited and (
            state.next_pc != (state.pc + 4) & 0xFFFFFFFF or _sc_ahead(state)
        ):
            reference_step(state, self.io)
        self.uc = Uc(UC_ARCH_MIPS, UC_MODE_MIPS32 | UC_MODE_BIG_ENDIAN)
        self.mapped: set[int] = set()
        for page_index, data in state.memory.page_items():
            if page_index not in self.mapped:
                self._map(page_index)
            self.uc.mem_write(page_index << PAGE_ADDR_BITS, data)
        for index in range(1, 32):
            self.uc.reg_write(_REGS[index], state.registers[index])
        self.uc.reg_write(UC_MIPS_REG_HI, state.hi)
        self.uc.reg_write(UC_MIPS_REG_LO, state.lo)
        self.uc.reg_write(UC_MIPS_REG_PC, state.pc)
        self.kernel = _Kernel(state)
        self.step = state.step
        self._base = 0
        self._run_io = HostIO()
        self._divergence: str | None = None
        self._used = False
        self.uc.hook_add(UC_HOOK_INTR, self._on_interrupt)
        self.uc.hook_add(UC_HOOK_MEM_UNMAPPED, self._on_unmapped)

    # -- hooks -------------------------------------------------------------------------------

    def _map(self, page_index: int) -> None:
        """Map the unmapped pages of the aligned chunk holding ``page_index``, one region per
        run of consecutive unmapped pages."""
        first = page_index - page_index % MAP_CHUNK_PAGES
        run_start = None
        for index in range(first, first + MAP_CHUNK_PAGES + 1):
            free = index < first + MAP_CHUNK_PAGES and index not in self.mapped
            if free and run_start is None:
                run_start = index
            elif not free and run_start is not None:
                size = (index - run_start) * PAGE_SIZE
                self.uc.mem_map(run_start << PAGE_ADDR_BITS, size)
                self.mapped.update(range(run_start, index))
                run_start = None

    def _on_unmapped(self, uc: Uc, access: int, address: int, size: int, value: int, _) -> bool:
        first = address >> PAGE_ADDR_BITS
        last = (address + max(size, 1) - 1) >> PAGE_ADDR_BITS
        for page_index in range(first, last + 1):
            if page_index not in self.mapped:
                self._map(page_index)
        return True

    def _counter(self) -> int:
        raw = ctypes.string_at(self.uc._uch.value + self._offset, 8)
        return struct.unpack("<Q", raw)[0]

    def _on_interrupt(self, uc: Uc, intno: int, _) -> None:
        if intno != _EXCP_SYSCALL:
            uc.emu_stop()
            self._divergence = f"unicorn exception {intno} at pc {uc.reg_read(UC_MIPS_REG_PC):#x}"
            return
        kernel = self.kernel
        for index in (2, 4, 5, 6, 7):
            kernel.registers[index] = uc.reg_read(_REGS[index])
        syscall(kernel, self._get_word, self._set_word, self._read, self._run_io)
        if kernel.exited:
            kernel.exit_pc = (uc.reg_read(UC_MIPS_REG_PC) - 4) & 0xFFFFFFFF
            kernel.exit_next_pc = (kernel.exit_pc + 4) & 0xFFFFFFFF
            self.step = self._base + self._counter()
            uc.emu_stop()
            return
        uc.reg_write(_REGS[2], kernel.registers[2])
        uc.reg_write(_REGS[7], kernel.registers[7])

    def _get_word(self, addr: int) -> int:
        if addr >> PAGE_ADDR_BITS not in self.mapped:
            return 0
        return int.from_bytes(self.uc.mem_read(addr, 4), "big")

    def _set_word(self, addr: int, value: int) -> None:
        if addr >> PAGE_ADDR_BITS not in self.mapped:
            self._map(addr >> PAGE_ADDR_BITS)
        self.uc.mem_write(addr, value.to_bytes(4, "big"))

    def _read(self, addr: int, length: int) -> bytes:
        out = bytearray()
        while length:
            chunk = min(length, PAGE_SIZE - (addr & (PAGE_SIZE - 1)))
            page_index = addr >> PAGE_ADDR_BITS
            if page_index in self.mapped:
                out += self.uc.mem_read(addr, chunk)
            else:
                out += bytes(chunk)
            addr = (addr + chunk) & 0xFFFFFFFF
            length -= chunk
        return bytes(out)

    # -- running -----------------------------------------------------------------------------

    def _segment(self, count: int, output: list[tuple[int, bytes]]) -> None:
        """Run ``count`` instructions (to exit if 0), buffering output in ``output``."""
        self._run_io = HostIO(
            self.io.oracle,
            lambda data: output.append((1, data)),
            lambda data: output.append((2, data)),
        )
        self._run_io.hint_buffer = bytearray(self.io.hint_buffer)
        self._divergence = None
        self._used = True
        self._base = self.step
        pc = self.uc.reg_read(UC_MIPS_REG_PC)
        try:
            self.uc.emu_start(pc, _NEVER, count=count or _UNBOUNDED)
        except UcError as error:
            pc = self.uc.reg_read(UC_MIPS_REG_PC)
            raise _Divergence(f"unicorn stopped at pc {pc:#x}: {error}") from error
        if self._divergence is not None:
            raise _Divergence(self._divergence)
        if not self.kernel.exited:
            self.step = self._base + (count or self._counter())

    def _fingerprint(self) -> tuple:
        """Everything a step can change, except memory (a step that changes only memory
        also moves pc)."""
        cpu = tuple(self.uc.reg_read(reg) for reg in (*_REGS[1:], UC_MIPS_REG_HI, UC_MIPS_REG_LO))
        kernel = self.kernel
        return (
            self.uc.reg_read(UC_MIPS_REG_PC),
            cpu,
            (kernel.heap, kernel.exited, kernel.preimage_key, kernel.preimage_offset),
        )

    def _spins(self) -> bool:
        """Whether the instruction at pc is a branch or jump whose target is pc."""
        pc = self.uc.reg_read(UC_MIPS_REG_PC)
        insn = self._get_word(pc)
        opcode = insn >> 26
        if 1 <= opcode <= 7 and opcode not in (2, 3):
            return insn & 0xFFFF == 0xFFFF
        if opcode in (2, 3):
            return ((pc + 4) & 0xF0000000) | ((insn & 0x03FFFFFF) << 2) == pc
        if opcode == 0 and insn & 0x3E == 0x08:
            return self.uc.reg_read(_REGS[(insn >> 21) & 0x1F]) == pc
        return False

    def run(self, max_steps: int | None = None) -> State:
        """Run to exit or to exactly ``max_steps`` steps; return the reference state there.

        Output reaches ``io`` once, in order, whatever re-runs the exact count needs.
        """
        if self.kernel.exited or (max_steps is not None and self.step >= max_steps):
            return self.state()
        start = self.state()
        if self._used:
            # An engine stopped by a count does not resume with the same counting (it is off
            # by one): every run starts on a fresh engine.
            self._load(start)
        state, reload = self._run_from(start, max_steps)
        if reload:
            self._load(state)
        return state

    def _run_from(self, start: State, max_steps: int | None) -> tuple[State, bool]:
        """The state at ``max_steps`` and whether the reference VM finished the run."""
        count = 0 if max_steps is None else max_steps - self.step
        output: list[tuple[int, bytes]] = []
        try:
            if count:
                # Reference point: one instruction further. Running ``count`` reaches the same
                # state exactly when unicorn overshot into the delay slot of a branch.
                self._segment(count + 1, [])
                further = None if self.kernel.exited else self._fingerprint()
                self._load(start)
            self._segment(count, output)
            if count and not self.kernel.exited and self._fingerprint() == further:
                if self._spins():
                    # A branch to itself with a delay slot that changes nothing repeats the
                    # state every two steps, so equal states prove nothing: use the reference.
                    raise _Divergence("two-step spin loop at the stop point")
                # Stop before the branch; the reference VM runs it below.
                self._load(start)
                output = []
                if count > 1:
                    self._segment(count - 1, output)
        except _Divergence:
            self._load(start)
            state = self.state()
            while not state.exited and (max_steps is None or state.step < max_steps):
                reference_step(state, self.io)
            return state, True
        self._commit(output)
        state = self.state()
        if max_steps is not None and not state.exited and state.step < max_steps:
            while state.step < max_steps and not state.exited:
                reference_step(state, self.io)
            return state, True
        return state, False

    def _commit(self, output: list[tuple[int, bytes]]) -> None:
        """Deliver a finished segment's output and keep its partial hint."""
        for fd, data in output:
            writer: Callable[[bytes], object] | None = self.io.stdout if fd == 1 else self.io.stderr
            if writer is not None:
                writer(data)
        self.io.hint_buffer = bytearray(self._run_io.hint_buffer)

    def state(self) -> State:
        """The current state as a reference ``State`` (memory read back from unicorn)."""
        memory = Memory()
        zero = bytes(PAGE_SIZE)
        for page_index in sorted(self.mapped):
            data = bytes(self.uc.mem_read(page_index << PAGE_ADDR_BITS, PAGE_SIZE))
            if data != zero:
                memory.write(page_index << PAGE_ADDR_BITS, data)
        registers = [0] + [self.uc.reg_read(reg) for reg in _REGS[1:]]
        if self.kernel.exited:
            pc, next_pc = self.kernel.exit_pc, self.kernel.exit_next_pc
        else:
            pc = self.uc.reg_read(UC_MIPS_REG_PC)
            next_pc = (pc + 4) & 0xFFFFFFFF
        return State(
            memory=memory,
            preimage_key=self.kernel.preimage_key,
            preimage_offset=self.kernel.preimage_offset,
            pc=pc,
            next_pc=next_pc,
            lo=self.uc.reg_read(UC_MIPS_REG_LO),
            hi=self.uc.reg_read(UC_MIPS_REG_HI),
            heap=self.kernel.heap,
            exit_code=self.kernel.exit_code,
            exited=self.kernel.exited,
            step=self.step,
            registers=registers,
        )
