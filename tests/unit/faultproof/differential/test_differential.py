"""py-evm against the C fault-proof program on random blocks (issue 13).

The default suite runs 50 seeds natively and one block on the MIPS build (fast path); the
slow suite a fixed 1,000-seed range with every 100th block on MIPS, and the planted-difference
test: a copy of the program with one opcode's gas changed must be caught within 1,000 blocks
and shrunk to a block of at most 3 transactions, the diagnostic build naming the accounts
whose post-states differ. Saved regression vectors replay here.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from rollup_node.faultproof.differential.diagnostic import build_diagnostic
from rollup_node.faultproof.differential.generator import generate, materialize
from rollup_node.faultproof.differential.runner import ANCHOR, Differential, fuzz
from rollup_node.faultproof.differential.vectors import load_vector, save_vector
from rollup_node.faultproof.program.build import PROGRAM_DIR, binary_path, build

VECTORS = Path(__file__).parent / "vectors"
PLANTED = ("OP(0x02, op_mul, 2, 1, GAS_LOW),", "OP(0x02, op_mul, 2, 1, GAS_VERY_LOW),")
"""The planted difference: MUL charged 3 gas instead of 5, in src/evm/instructions.c."""


def test_fifty_random_blocks_agree(runner: Differential) -> None:
    mismatched = []
    result = fuzz(runner, range(50), on_mismatch=lambda seed, v: mismatched.append((seed, v)))
    assert result.blocks == 50
    assert not mismatched, [(s, v.differing_parts(), v.program) for s, v in mismatched]


@pytest.mark.mips
def test_a_random_block_on_the_mips_build_agrees(tmp_path: Path) -> None:
    build("native", ("fpp", "derive"))
    build("mips", ("fpp",))
    runner = Differential(
        tmp_path, binary_path("fpp", "native"), binary_path("derive", "native"),
        binary_path("fpp", "mips"),
    )  # fmt: skip
    try:
        block = materialize(generate(2, runner.config, ANCHOR), runner.config, ANCHOR)
        verdict = runner.run(block, mips=True)
    finally:
        runner.close()
    assert (verdict.native, verdict.mips) == (0, 0)
    assert verdict.mips_steps > 1_000_000


@pytest.mark.slow
@pytest.mark.timeout(3600)
def test_a_thousand_random_blocks_agree(tmp_path: Path) -> None:
    """Seeds 0..999 natively, every 100th also on the MIPS build."""
    build("native", ("fpp", "derive"))
    build("mips", ("fpp",))
    runner = Differential(
        tmp_path, binary_path("fpp", "native"), binary_path("derive", "native"),
        binary_path("fpp", "mips"),
    )  # fmt: skip
    try:
        result = fuzz(runner, range(1000), mips_every=100)
    finally:
        runner.close()
    assert (result.blocks, result.mips_blocks) == (1000, 10)
    assert result.mismatches == []


def _planted_build(tmp: Path) -> tuple[Path, Path]:
    """A copy of the program with the planted one-line change, built natively."""
    copy = tmp / "program"
    shutil.copytree(PROGRAM_DIR / "src", copy / "src")
    shutil.copy(PROGRAM_DIR / "Makefile", copy / "Makefile")
    source = copy / "src" / "evm" / "instructions.c"
    text = source.read_text()
    assert text.count(PLANTED[0]) == 1
    source.write_text(text.replace(*PLANTED))
    subprocess.run(
        ["make", "-C", str(copy), "-j2", "build/native/fpp", "build/native/derive"],
        check=True,
        capture_output=True,
    )
    return copy / "build" / "native" / "fpp", copy / "build" / "native" / "derive"


@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_a_planted_gas_difference_is_found_and_shrunk(tmp_path: Path, runner: Differential) -> None:
    fpp, derive = _planted_build(tmp_path)
    diagnostic = build_diagnostic(tmp_path / "program", tmp_path)
    planted = Differential(tmp_path / "planted", fpp, derive, diagnostic=diagnostic)
    try:
        found = fuzz(planted, range(1000), on_mismatch=lambda seed, v: _stop(seed))
    except _Found as stop:
        found = stop
    try:
        assert isinstance(found, _Found), "the planted difference went unnoticed"
        spec = generate(found.seed, planted.config, ANCHOR)
        divergence = planted.first_divergence(materialize(spec, planted.config, ANCHOR))
        assert divergence is not None and divergence.kind == "transaction"
        assert divergence.node_gas != divergence.program_gas  # MUL's 2 gas per execution
        # the gas shows in the sender's balance and the fee vault's: the diagnostic build names
        # those accounts, and only balances
        assert divergence.located and all(" balance: " in line for line in divergence.located)
        small = planted.shrink(spec)
        block = materialize(small, planted.config, ANCHOR)
        assert len(block.txs) <= 3
        assert planted.run(block).mismatch
        assert not runner.run(block).mismatch  # the real program agrees with the node
        save_vector(tmp_path / "planted.json", block, divergence.describe())
        replayed, _ = load_vector(tmp_path / "planted.json")
        assert planted.run(replayed).mismatch
    finally:
        planted.close()


class _Found(Exception):
    def __init__(self, seed: int) -> None:
        self.seed = seed


def _stop(seed: int) -> None:
    raise _Found(seed)


OPEN: dict[str, str] = {}
"""Vectors of mismatches not fixed yet (strict xfail: the test fails once they agree, so the
entry is removed with the fix)."""


def _vectors(pattern: str, still_open: dict[str, str]) -> list[Any]:
    """The saved vectors matching ``pattern``, those in ``still_open`` as strict xfails."""
    return [
        pytest.param(p, marks=pytest.mark.xfail(strict=True, reason=still_open[p.stem]))
        if p.stem in still_open
        else p
        for p in sorted(VECTORS.glob(pattern))
    ]


@pytest.mark.parametrize("path", _vectors("*.json", OPEN), ids=lambda p: p.stem)
def test_saved_vectors_agree(path: Path, runner: Differential) -> None:
    """Each saved regression vector (a shrunk block that once mismatched) now agrees."""
    block, note = load_vector(path)
    verdict = runner.run(block)
    assert not verdict.mismatch, f"{path.name} ({note}): differs in {verdict.differing_parts()}"


OPEN_ON_MIPS: dict[str, str] = {}
"""MIPS vectors whose fast-path mismatch is not fixed yet (strict xfail, as ``OPEN``)."""


@pytest.mark.slow
@pytest.mark.mips
@pytest.mark.parametrize("path", _vectors("*_mips.json", OPEN_ON_MIPS), ids=lambda p: p.stem)
def test_saved_mips_vectors_agree_on_the_fast_path(path: Path, tmp_path: Path) -> None:
    """Each saved block the MIPS build alone once disputed (the fuzzer's ``*_mips.json``,
    unshrunk) is accepted by it on the fast path, as by the native build."""
    build("native", ("fpp", "derive"))
    build("mips", ("fpp",))
    runner = Differential(
        tmp_path, binary_path("fpp", "native"), binary_path("derive", "native"),
        binary_path("fpp", "mips"),
    )  # fmt: skip
    try:
        block, note = load_vector(path)
        verdict = runner.run(block, mips=True)
    finally:
        runner.close()
    assert (verdict.native, verdict.mips) == (0, 0), f"{path.name} ({note})"
