"""Builds the VM test program (tests/programs/mips) once per session, for mips-marked tests."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

PROGRAM_DIR = Path(__file__).resolve().parents[4] / "tests" / "programs" / "mips"


def build_test_program(out_dir: Path) -> bytes:
    """Compile the test program with its Makefile (pinned flags) and return the ELF image."""
    if shutil.which("mips-linux-gnu-gcc") is None:
        raise RuntimeError("mips-linux-gnu-gcc is not installed")
    subprocess.run(
        ["make", "-s", "-C", str(PROGRAM_DIR), f"OUT={out_dir}"],
        check=True,
        capture_output=True,
    )
    return (out_dir / "program.elf").read_bytes()
