"""Building the C fault-proof program and locating its binaries.

One Makefile builds every entry point two ways (README.md): ``native`` for fast tests and the
proposer's check, ``mips`` for the fault-proof VM. Python callers go through ``build`` so the
command lives in one place.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Literal

PROGRAM_DIR = Path(__file__).resolve().parent
"""The directory holding the Makefile and ``src/``."""

Target = Literal["native", "mips"]


class BuildError(RuntimeError):
    """``make`` failed; the message carries its output."""


def binary_path(name: str, target: Target) -> Path:
    """Path of entry point ``name`` (``fpp``, ``testdriver``, ...) built for ``target``."""
    if target == "native":
        return PROGRAM_DIR / "build" / "native" / name
    return PROGRAM_DIR / "build" / "mips" / f"{name}.elf"


def build(target: Target, names: tuple[str, ...] = ()) -> None:
    """Run ``make <target>`` (or only the given entry points) in the program directory.

    Raises BuildError with the compiler output when the build fails.
    """
    goals = [str(binary_path(n, target).relative_to(PROGRAM_DIR)) for n in names] or [target]
    proc = subprocess.run(
        ["make", "-C", str(PROGRAM_DIR), "-j2", *goals],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise BuildError(f"make {' '.join(goals)} failed:\n{proc.stdout}{proc.stderr}")
