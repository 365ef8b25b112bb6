"""The loader: a static big-endian MIPS32 ELF to the VM's initial state (SPEC §8).

One loader fixes everything the absolute prestate depends on:

- every ``PT_LOAD`` segment is copied to its virtual address (``p_filesz`` bytes, the rest of
  ``p_memsz`` zero); segments must lie below ``HEAP_START``;
- ``pc = e_entry``, ``nextPC = pc + 4``, all registers zero except ``sp``;
- ``heap = HEAP_START`` (0x20000000), where ``mmap`` bump allocation begins;
- the stack top is ``STACK_TOP`` (0x7FFFF000); argument strings are stored just below it, and
  ``sp`` points at the System V start block: ``argc``, ``argv[0..argc-1]``, ``NULL``, an empty
  environment (``NULL``), the auxiliary vector ``AT_PAGESZ = 4096``, ``AT_NULL``. ``sp`` is
  16-byte aligned.

Refused with ``ElfError``: anything not ELF, not 32-bit, not big-endian, not MIPS, not an
executable, or dynamically linked (``PT_INTERP`` or ``PT_DYNAMIC``).
"""

from __future__ import annotations

import struct
from collections.abc import Sequence

from rollup_node.faultproof.mips.memory import Memory
from rollup_node.faultproof.mips.state import State

HEAP_START = 0x20000000
STACK_TOP = 0x7FFFF000
AT_NULL = 0
AT_PAGESZ = 6

_PT_LOAD = 1
_PT_DYNAMIC = 2
_PT_INTERP = 3
_ET_EXEC = 2
_EM_MIPS = 8


class ElfError(ValueError):
    """The file is not a static big-endian MIPS32 executable the VM can run."""


def load_elf(image: bytes, args: Sequence[bytes] = ()) -> State:
    """The initial VM state for the ELF ``image``; ``args`` is the whole ``argv`` (may be empty)."""
    entry, segments = parse_elf(image)
    memory = Memory()
    for vaddr, data, mem_size in segments:
        memory.write(vaddr, data + bytes(mem_size - len(data)))
    state = State(memory=memory, pc=entry, next_pc=(entry + 4) & 0xFFFFFFFF, heap=HEAP_START)
    state.registers[29] = _write_start_block(memory, args)
    return state


def parse_elf(image: bytes) -> tuple[int, list[tuple[int, bytes, int]]]:
    """Validate ``image`` and return ``(entry, [(vaddr, file bytes, memory size)])``."""
    if len(image) < 52 or image[:4] != b"\x7fELF":
        raise ElfError("not an ELF file")
    if image[4] != 1:
        raise ElfError("not a 32-bit ELF (EI_CLASS must be ELFCLASS32)")
    if image[5] != 2:
        raise ElfError("not a big-endian ELF (EI_DATA must be ELFDATA2MSB)")
    e_type, e_machine = struct.unpack_from(">HH", image, 16)
    if e_machine != _EM_MIPS:
        raise ElfError(f"not a MIPS ELF (e_machine {e_machine}, expected {_EM_MIPS})")
    if e_type != _ET_EXEC:
        raise ElfError(f"not a static executable (e_type {e_type}, expected ET_EXEC)")
    entry, phoff = struct.unpack_from(">II", image, 24)
    phentsize, phnum = struct.unpack_from(">HH", image, 42)
    if phentsize < 32 or phoff + phnum * phentsize > len(image):
        raise ElfError("truncated program header table")
    segments = []
    for index in range(phnum):
        p_type, p_offset, p_vaddr, _, p_filesz, p_memsz = struct.unpack_from(
            ">IIIIII", image, phoff + index * phentsize
        )
        if p_type in (_PT_INTERP, _PT_DYNAMIC):
            raise ElfError("dynamically linked ELF: the VM runs static executables only")
        if p_type != _PT_LOAD or p_memsz == 0:
            continue
        if p_filesz > p_memsz or p_offset + p_filesz > len(image):
            raise ElfError(f"segment {index} is truncated or larger in the file than in memory")
        if p_vaddr + p_memsz > HEAP_START:
            raise ElfError(f"segment {index} reaches past the heap start {HEAP_START:#x}")
        segments.append((p_vaddr, image[p_offset : p_offset + p_filesz], p_memsz))
    if not segments:
        raise ElfError("no loadable segment")
    if entry & 3:
        raise ElfError(f"unaligned entry point {entry:#x}")
    return entry, segments


def _write_start_block(memory: Memory, argv: Sequence[bytes]) -> int:
    """Store the argument strings and the start block below ``STACK_TOP``; return ``sp``."""
    pointers = []
    cursor = STACK_TOP
    for arg in argv:
        cursor -= len(arg) + 1
        memory.write(cursor, arg + b"\0")
        pointers.append(cursor)
    words = [len(argv), *pointers, 0, 0, AT_PAGESZ, 4096, AT_NULL, 0]
    sp = (cursor - 4 * len(words)) & ~15
    memory.write(sp, b"".join(word.to_bytes(4, "big") for word in words))
    return sp
