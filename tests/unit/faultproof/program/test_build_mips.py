"""The MIPS build (SPEC §8): a static big-endian MIPS32 ELF, reproducible across checkouts."""

from __future__ import annotations

import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from rollup_node.faultproof.program.build import PROGRAM_DIR, binary_path, build

pytestmark = pytest.mark.mips


def _elf_header(image: bytes) -> dict[str, int]:
    ident = image[:16]
    e_type, e_machine, _, e_entry, e_phoff = struct.unpack(">HHIII", image[16:32])
    e_phentsize, e_phnum = struct.unpack(">HH", image[42:46])
    program_types = [
        struct.unpack(">I", image[e_phoff + i * e_phentsize : e_phoff + i * e_phentsize + 4])[0]
        for i in range(e_phnum)
    ]
    return {
        "magic_ok": int(ident[:4] == b"\x7fELF"),
        "class": ident[4],
        "data": ident[5],
        "type": e_type,
        "machine": e_machine,
        "entry": e_entry,
        "dynamic": int(any(t in (2, 3) for t in program_types)),
    }


def _symbol(elf: Path, name: str) -> int:
    out = subprocess.run(
        ["mips-linux-gnu-nm", str(elf)], capture_output=True, text=True, check=True
    ).stdout
    for line in out.splitlines():
        addr, _, sym = line.split()
        if sym == name:
            return int(addr, 16)
    raise AssertionError(f"{name} not in {elf}")


def test_mips_build_is_static_big_endian_mips32() -> None:
    """The driver is ET_EXEC, ELFCLASS32, big-endian, EM_MIPS, without interpreter, entry _start."""
    build("mips", ("testdriver",))
    elf = binary_path("testdriver", "mips")
    header = _elf_header(elf.read_bytes())
    assert header == {
        "magic_ok": 1,
        "class": 1,
        "data": 2,
        "type": 2,
        "machine": 8,
        "entry": _symbol(elf, "_start"),
        "dynamic": 0,
    }


def test_mips_build_is_reproducible_in_another_directory(tmp_path: Path) -> None:
    """The program (foundation and EVM) built in another directory is byte-identical."""
    build("mips", ("fpp",))
    copy = tmp_path / "program"
    copy.mkdir()
    shutil.copy(PROGRAM_DIR / "Makefile", copy / "Makefile")
    shutil.copytree(PROGRAM_DIR / "src", copy / "src")
    subprocess.run(
        ["make", "-C", str(copy), "-j2", "build/mips/fpp.elf"],
        check=True,
        capture_output=True,
    )
    assert (copy / "build/mips/fpp.elf").read_bytes() == binary_path("fpp", "mips").read_bytes()
