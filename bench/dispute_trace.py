"""Trace provider latency: what one dispute-game position costs to answer (SPEC §11).

For block 1 holding 1 and 10 signed transfers (built by the node's chain on a synthetic L1,
tests/unit/faultproof/game/block_game.py), builds the game's trace once (fast MIPS path,
checkpoints every ``--interval`` steps, every preimage stored), then answers ``state_hash`` and
``step_proof`` at random positions and at the worst ones (just before a checkpoint, and at the
last step) from a second trace opened on the same directory with no preimage source (a
restarted node). A sweep over checkpoint intervals on the 10-transfer block shows the choice of
the default. Every answer must fit well inside the devnet's ``clock_extension`` (10 s): the
last line is the worst per-position latency over it.

    python bench/dispute_trace.py [--samples 20] [--interval 1048576]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rollup_node.faultproof.game.trace import (  # noqa: E402
    DEFAULT_CHECKPOINT_INTERVAL,
    open_trace,
    program_elf,
)
from tests.unit.faultproof.game.block_game import transfer_block  # noqa: E402

CLOCK_EXTENSION_SECONDS = 10.0  # the devnet's (configs, SPEC §11)


def _timed(call, *args) -> float:
    started = time.perf_counter()
    call(*args)
    return time.perf_counter() - started


def _disk_bytes(directory: Path) -> int:
    return sum(path.stat().st_size for path in directory.rglob("*") if path.is_file())


def measure(transfers: int, interval: int, samples: int, quiet: bool = False) -> float:
    """Build one trace and time its answers; return the worst per-position latency (s)."""
    with tempfile.TemporaryDirectory() as tmp:
        block = transfer_block(Path(tmp), transfers)
        try:
            directory = Path(tmp) / "game"
            inputs = block.inputs(block.correct_root)
            started = time.perf_counter()
            trace = open_trace(
                directory, inputs, block.source(block.correct_root), checkpoint_interval=interval
            )
            first_run = time.perf_counter() - started
        finally:
            block.close()
        steps = trace.steps
        restarted = open_trace(directory, inputs)  # no source: the stored directory alone
        rng = random.Random(transfers)
        worst_indices = [min(interval, steps) - 2, steps - 2]
        positions = worst_indices + [rng.randrange(steps) for _ in range(samples)]
        hashes = [_timed(restarted.state_hash, index) for index in positions]
        # step proofs on a fresh trace, so their own state_hash check is not a cache hit
        proving = open_trace(directory, inputs)
        proofs = [_timed(proving.step_proof, index) for index in positions]
        # as in a game: the solver has asked the step's post-state (the max-depth claim) first
        warm = [_timed(restarted.step_proof, index) for index in positions]
        worst = max(max(hashes), max(proofs))
        if not quiet:
            print(
                f"{transfers} transfer(s): first run {steps:,} steps in {first_run:.2f} s "
                f"({steps / first_run / 1e6:.1f} M steps/s with checkpoints), "
                f"{len(trace.record.checkpoints)} checkpoints every {interval:,} steps, "
                f"{len(trace.preimages)} preimages, {_disk_bytes(directory) / 1e6:.2f} MB on disk, "
                f"final status {trace.final_status.name}"
            )
            print(
                f"  state_hash: median {statistics.median(hashes) * 1e3:.0f} ms, "
                f"worst {max(hashes) * 1e3:.0f} ms; step_proof: median "
                f"{statistics.median(proofs) * 1e3:.0f} ms, worst {max(proofs) * 1e3:.0f} ms cold, "
                f"median {statistics.median(warm) * 1e3:.0f} ms, worst {max(warm) * 1e3:.0f} ms "
                f"after the solver's state_hash ({len(positions)} positions, "
                f"{len(worst_indices)} of them just before a checkpoint or the end)"
            )
        else:
            print(
                f"  interval {interval:>9,}: {len(trace.record.checkpoints)} checkpoints, "
                f"{_disk_bytes(directory) / 1e6:.2f} MB, first run {first_run:.2f} s, "
                f"worst position {worst * 1e3:.0f} ms"
            )
        return worst


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=20, help="random positions per block")
    parser.add_argument("--interval", type=int, default=DEFAULT_CHECKPOINT_INTERVAL)
    args = parser.parse_args()
    program_elf()  # build once, outside the timings
    worst = max(measure(count, args.interval, args.samples) for count in (1, 10))
    print("checkpoint interval sweep (10 transfers):")
    for interval in (1 << 18, 1 << 20, 1 << 22):
        measure(10, interval, args.samples // 2, quiet=True)
    print(
        f"worst per-position latency / clock_extension: {worst:.2f} s / "
        f"{CLOCK_EXTENSION_SECONDS:.0f} s = {worst / CLOCK_EXTENSION_SECONDS:.3f}"
    )


if __name__ == "__main__":
    main()
