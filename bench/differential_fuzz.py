"""Random-block differential fuzzing: py-evm against the C fault-proof program.

Each seed gives one random L2 block (rollup_node/faultproof/differential/generator.py) on the
synthetic L1; py-evm (the node's builder) executes it and the program's native build judges the
node's output root; every ``--mips-every``-th block is also judged by the MIPS build on the
unicorn fast path. Prints blocks/s per implementation (each one's own time), the seed range,
and on the last line the count of mismatches. A mismatch is located (first diverging
transaction), shrunk and saved under ``--vectors`` (default tests/unit/faultproof/differential/
vectors/) when ``--shrink`` is given.

    python bench/differential_fuzz.py --blocks 200 [--seed 0] [--mips-every 25] [--shrink]
    python bench/differential_fuzz.py --minutes 15 --seed 100000
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rollup_node.faultproof.differential.diagnostic import (  # noqa: E402
    DiagnosticUnavailable,
    build_diagnostic,
)
from rollup_node.faultproof.differential.generator import generate, materialize  # noqa: E402
from rollup_node.faultproof.differential.runner import (  # noqa: E402
    ANCHOR,
    Differential,
    Verdict,
    fuzz,
)
from rollup_node.faultproof.differential.vectors import save_vector  # noqa: E402
from rollup_node.faultproof.program.build import PROGRAM_DIR, binary_path, build  # noqa: E402

VECTORS = ROOT / "tests" / "unit" / "faultproof" / "differential" / "vectors"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    amount = parser.add_mutually_exclusive_group()
    amount.add_argument("--blocks", type=int, default=50)
    amount.add_argument("--minutes", type=float)
    parser.add_argument("--seed", type=int, default=0, help="first seed")
    parser.add_argument("--mips-every", type=int, default=25, help="0: no MIPS runs")
    parser.add_argument("--shrink", action="store_true", help="shrink and save mismatches")
    parser.add_argument("--vectors", type=Path, default=VECTORS)
    args = parser.parse_args()

    build("native", ("fpp", "derive"))
    if args.mips_every:
        build("mips", ("fpp",))
    mips_elf = binary_path("fpp", "mips") if args.mips_every else None
    with tempfile.TemporaryDirectory(prefix="fuzz-") as tmp:
        runner = Differential(
            Path(tmp), binary_path("fpp", "native"), binary_path("derive", "native"), mips_elf
        )

        def report(seed: int, verdict: Verdict) -> None:
            # the diagnostic build (to name accounts and slots) is made at the first mismatch
            print(f"MISMATCH seed {seed}: native exit {verdict.native}, mips {verdict.mips}, "
                  f"differing {verdict.differing_parts()}", flush=True)  # fmt: skip
            if not args.shrink:
                return
            if verdict.native == 0:
                # The native build agrees with py-evm: the MIPS build (fast path) is the odd one
                # out. Locating and shrinking compare py-evm with the native build, so they do
                # not apply; the whole block is saved for a MIPS replay.
                block = materialize(generate(seed, runner.config, ANCHOR), runner.config, ANCHOR)
                path = args.vectors / f"seed_{seed}_mips.json"
                note = (f"seed {seed}; MIPS build on the fast path exits {verdict.mips}, the "
                        "native build accepts the node's root")  # fmt: skip
                save_vector(path, block, note)
                print(f"  MIPS only: saved {path} unshrunk ({len(block.queue)} deposits, "
                      f"{len(block.txs)} txs)")  # fmt: skip
                return
            if runner.diagnostic is None:
                try:
                    runner.diagnostic = build_diagnostic(PROGRAM_DIR, Path(tmp))
                except DiagnosticUnavailable as error:
                    print(f"  {error}")
            spec = generate(seed, runner.config, ANCHOR)
            divergence = runner.first_divergence(materialize(spec, runner.config, ANCHOR))
            print(f"  {divergence.describe() if divergence else 'not reproducible'}")
            small = runner.shrink(spec, log=lambda line: print("  " + line, flush=True))
            block = materialize(small, runner.config, ANCHOR)
            path = args.vectors / f"seed_{seed}.json"
            note = f"seed {seed}; {divergence.describe() if divergence else ''}"
            save_vector(path, block, note)
            print(f"  saved {path} ({len(block.queue)} deposits, {len(block.txs)} txs)")

        started = time.monotonic()
        seeds: range | object
        if args.minutes is None:
            seeds = range(args.seed, args.seed + args.blocks)
        else:
            deadline = started + 60 * args.minutes
            counter = iter(range(args.seed, 2**63))

            def seeds() -> int | None:
                return next(counter) if time.monotonic() < deadline else None

        try:
            result = fuzz(runner, seeds, args.mips_every, report)
        finally:
            runner.close()
    wall = time.monotonic() - started
    last = args.seed + result.blocks - 1
    print(f"seeds {args.seed}..{last}: {result.blocks} blocks in {wall:.0f} s "
          f"({result.blocks / wall:.2f} blocks/s overall)")  # fmt: skip
    print(f"transactions: {result.transactions:,} sequenced ({result.dropped:,} dropped as "
          f"invalid) and {result.deposits:,} deposits")  # fmt: skip
    print(f"py-evm: {result.rate('py-evm'):.1f} blocks/s")
    print(f"native program: {result.rate('native'):.1f} blocks/s")
    if result.mips_blocks:
        print(f"MIPS program (fast path): {result.rate('mips'):.2f} blocks/s over "
              f"{result.mips_blocks} blocks, {result.mips_steps / result.mips_blocks:,.0f} "
              "steps/block")  # fmt: skip
    print(f"mismatches: {len(result.mismatches)}" + (f" (seeds {result.mismatches})"
                                                    if result.mismatches else ""))  # fmt: skip


if __name__ == "__main__":
    main()
