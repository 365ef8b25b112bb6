"""The loader: accepted layout and refused inputs."""

from __future__ import annotations

import struct

import pytest

from rollup_node.faultproof.mips.elf import HEAP_START, STACK_TOP, ElfError, load_elf


def make_elf(
    *,
    ei_class: int = 1,
    ei_data: int = 2,
    e_type: int = 2,
    machine: int = 8,
    segments: tuple[tuple[int, int, bytes, int], ...] = ((1, 0x400000, b"\x24\x02\x00\x07", 8),),
) -> bytes:
    """A minimal ELF32 with program headers ``(p_type, vaddr, data, memsz)``."""
    header_size, ph_size = 52, 32
    data_offset = header_size + ph_size * len(segments)
    ident = b"\x7fELF" + bytes([ei_class, ei_data, 1]) + bytes(9)
    header = ident + struct.pack(
        ">HHIIIIIHHHHHH",
        e_type,
        machine,
        1,
        0x400000,
        header_size,
        0,
        0,
        header_size,
        ph_size,
        len(segments),
        40,
        0,
        0,
    )
    tables, blobs, offset = b"", b"", data_offset
    for p_type, vaddr, data, memsz in segments:
        tables += struct.pack(">IIIIIIII", p_type, offset, vaddr, vaddr, len(data), memsz, 7, 4)
        blobs += data
        offset += len(data)
    return header + tables + blobs


def test_loads_segments_stack_and_args() -> None:
    state = load_elf(make_elf(), [b"prog", b"42"])
    assert state.pc == 0x400000 and state.next_pc == 0x400004 and state.heap == HEAP_START
    assert state.memory.get_word(0x400000) == 0x24020007 and state.memory.get_word(0x400004) == 0
    sp = state.registers[29]
    assert sp % 16 == 0 and sp < STACK_TOP
    assert state.memory.get_word(sp) == 2
    argv1 = state.memory.get_word(sp + 8)
    assert state.memory.read(argv1, 3) == b"42\0"
    assert state.memory.get_word(sp + 12) == 0  # argv terminator
    assert state.hash() == load_elf(make_elf(), [b"prog", b"42"]).hash()  # reproducible


@pytest.mark.parametrize(
    ("image", "message"),
    [
        (b"not an elf at all" * 4, "not an ELF"),
        (make_elf(ei_class=2), "32-bit"),
        (make_elf(ei_data=1), "big-endian"),
        (make_elf(machine=62), "not a MIPS"),
        (make_elf(e_type=3), "static executable"),
        (
            make_elf(segments=((3, 0, b"/lib/ld.so\0", 11), (1, 0x400000, b"\0" * 4, 4))),
            "dynamically",
        ),
        (make_elf(segments=((1, HEAP_START - 4, b"\0" * 8, 8),)), "heap start"),
    ],
)
def test_refuses_bad_input(image: bytes, message: str) -> None:
    with pytest.raises(ElfError, match=message):
        load_elf(image)
