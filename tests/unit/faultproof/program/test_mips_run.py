"""The MIPS build runs on the project's reference VM and agrees with the native build.

The derivation driver (src/derive_main.c) exercises keccak, RLP, the MPT over L1 proofs and the
oracle protocol (4-byte preimage reads, hints) — the program's whole foundation — in a few
million steps.
"""

from __future__ import annotations

import pytest

from rollup_node.faultproof.mips.elf import load_elf
from rollup_node.faultproof.mips.step import run
from rollup_node.faultproof.mips.syscalls import HostIO
from rollup_node.faultproof.oracle.host import Oracle, run_native
from rollup_node.faultproof.program.build import binary_path, build

from .test_derive import QUEUE, TX_A, _batch, _world
from .world import Batch

pytestmark = pytest.mark.mips

MAX_STEPS = 50_000_000


def test_derivation_on_the_vm_matches_native() -> None:
    """Same stdout and exit code from the reference VM and the native binary."""
    build("native", ("derive",))
    build("mips", ("derive",))
    world = _world([Batch(_batch((3, 1, [TX_A])), 1, 0, 1, 12)], QUEUE)
    source = world.build(1)

    native = run_native([str(binary_path("derive", "native"))], source, timeout=60)

    stdout: list[bytes] = []
    state = load_elf(binary_path("derive", "mips").read_bytes())
    run(state, HostIO(Oracle(source), stdout=stdout.append), max_steps=MAX_STEPS)
    assert state.exited, f"not finished after {state.step} steps"
    assert (state.exit_code, b"".join(stdout)) == (native.exit_code, native.stdout)
    assert b"deposit 7e" in native.stdout
