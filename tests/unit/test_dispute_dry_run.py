"""``rollup-node dispute dry-run`` on the embedded devnet L1: a block the proposer posted is
replayed on the MIPS fast path from L1 and the node's store; the posted (correct) root is valid,
a wrong root invalid, and the figures come from the deployed factory."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import tomli_w

from rollup_node.chain.witness import StoreL2Reader
from rollup_node.dispute_dry_run import dry_run, report_lines
from rollup_node.faultproof.game.costs import depth_needed, move_bond_wei
from rollup_node.faultproof.mips.state import Status
from tests.e2e.rollup_helpers import sequencer, wait_for

# the program's MIPS build; a devnet and two runs of the program take 20-30 s
pytestmark = [pytest.mark.mips, pytest.mark.slow]


def test_dry_run_a_posted_block_and_a_wrong_root(tmp_path: Path) -> None:
    seq = sequencer(tmp_path / "seq")
    try:
        block = 2
        wait_for("element 2 posted", lambda: seq.node.proposer.proposed >= block, 60)
        rollup = seq.node.rollup
        assert seq.l1_url is not None

        wrong = dry_run(rollup, seq.l1_url, StoreL2Reader(seq.node.l2), block, b"\x01" * 32)
        assert wrong.status == Status.INVALID
        assert wrong.setup.root != wrong.setup.posted_root
        estimate, factory = wrong.estimate, wrong.setup.factory
        assert estimate.steps > 1_000_000 and estimate.fits
        assert estimate.depth_needed == depth_needed(estimate.steps) < factory.max_game_depth
        assert estimate.challenger_moves + estimate.defender_moves == factory.max_game_depth
        assert estimate.defender_bonds_wei == sum(
            move_bond_wei(d, factory.base_move_bond_wei)
            for d in range(1, factory.max_game_depth + 1, 2)
        )
        shown = "\n".join(report_lines(wrong))
        assert "verdict      invalid" in shown and "not the posted root" in shown

        # the posted root, through the command line as an operator runs it next to the node
        config = tmp_path / "dry-run.toml"
        node = {"data_dir": str(seq.config.node.data_dir), "l1_rpc": seq.l1_url}
        config.write_text(tomli_w.dumps({"node": node, "rollup": rollup.model_dump(mode="json")}))
        argv = ["dispute", "dry-run", "--config", str(config), "--block", str(block)]
        # its own process: LMDB opens the node's store once per process
        done = subprocess.run(
            [sys.executable, "-m", "rollup_node.cli", *argv],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        assert "verdict      valid" in done.stdout and "(the posted root)" in done.stdout
        assert "measured by bench/dispute_game.py" in done.stdout
        assert f"deployed maxGameDepth {factory.max_game_depth}: fits" in done.stdout
    finally:
        seq.stop()
