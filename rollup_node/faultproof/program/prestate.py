"""The absolute prestate: the state hash of the MIPS build of the program, loaded (SPEC §8, §10).

The dispute game fixes it as a constant, so the build must be reproducible and the hash recorded
in the project: ``prestate.json`` beside this file holds it with the ELF's sha256.

    python -m rollup_node.faultproof.program.prestate --check   # build, compare (CI)
    python -m rollup_node.faultproof.program.prestate --write   # build, record
    ... --committed    build the sources as committed (HEAD), not the working tree: what to
                       record while others have uncommitted changes in a shared checkout
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

from rollup_node.faultproof.mips.elf import load_elf
from rollup_node.faultproof.program.build import PROGRAM_DIR, binary_path, build

RECORD = PROGRAM_DIR / "prestate.json"
"""Where the recorded prestate lives."""


@dataclass(frozen=True)
class Prestate:
    """What the project records about the program's MIPS build."""

    elf_sha256: str
    absolute_prestate: str


def compute(elf: Path) -> Prestate:
    """The prestate of an ELF file: its sha256 and the hash of its initial VM state."""
    image = elf.read_bytes()
    return Prestate(
        elf_sha256=hashlib.sha256(image).hexdigest(),
        absolute_prestate="0x" + load_elf(image).hash().hex(),
    )


def build_and_compute() -> Prestate:
    """Build ``build/mips/fpp.elf`` and compute its prestate."""
    build("mips", ("fpp",))
    return compute(binary_path("fpp", "mips"))


def build_committed() -> Prestate:
    """Build ``fpp.elf`` from the committed sources (``git archive HEAD``) in a scratch
    directory — the build is reproducible across directories — and compute its prestate."""
    with tempfile.TemporaryDirectory(prefix="fpp-head-") as scratch:
        top = subprocess.run(
            ["git", "-C", str(PROGRAM_DIR), "rev-parse", "--show-toplevel"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        relative = PROGRAM_DIR.relative_to(top)
        archive = subprocess.run(
            ["git", "-C", top, "archive", "HEAD", f"{relative}/Makefile", f"{relative}/src"],
            capture_output=True,
            check=True,
        ).stdout
        subprocess.run(["tar", "-x", "-C", scratch], input=archive, check=True)
        program = Path(scratch) / relative
        subprocess.run(
            ["make", "-C", str(program), "-j2", "build/mips/fpp.elf"],
            capture_output=True,
            check=True,
        )
        return compute(program / "build" / "mips" / "fpp.elf")


def recorded() -> Prestate:
    """The prestate recorded in ``prestate.json``."""
    return Prestate(**json.loads(RECORD.read_text()))


def main(argv: list[str] | None = None) -> int:
    """Command line: ``--write`` records the current build, ``--check`` compares (exit 1)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write", action="store_true", help="record the current build")
    mode.add_argument("--check", action="store_true", help="fail unless the build matches")
    parser.add_argument("--committed", action="store_true", help="build HEAD, not the worktree")
    args = parser.parse_args(argv)
    current = build_committed() if args.committed else build_and_compute()
    if args.write:
        RECORD.write_text(json.dumps(asdict(current), indent=2) + "\n")
        print(f"recorded {current.absolute_prestate}")
        return 0
    if current != recorded():
        print(f"prestate mismatch: built {current}, recorded {recorded()}", file=sys.stderr)
        return 1
    print(f"prestate {current.absolute_prestate} matches")
    return 0


if __name__ == "__main__":
    sys.exit(main())
