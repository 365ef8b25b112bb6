"""Where the MIPS fast path (unicorn) first leaves the reference VM on a saved block.

The block of a regression vector (tests/unit/faultproof/differential/vectors/*.json) is built
as the differential runner builds it. The reference VM then steps forward while the fast path,
started afresh each time, is stopped at checkpoints every ``--every`` steps and compared (pc,
registers, hi, lo, heap, oracle cursor, memory root). Within the first window where they differ
the reference records every step, and a bisection over the steps outside delay slots (where a
stop is exact on both) finds the last agreeing and the first differing step: printed with the
instruction there and the registers that differ. The reference VM runs ~0.1–0.8 M steps/s, so
an 11 M-step block takes minutes; run it niced.

    nice -n 19 python bench/mips_fast_path_divergence.py \\
        tests/unit/faultproof/differential/vectors/seed_8700_mips.json [--every 1000000]

Seed 8,700 (README, Conformance), with memory mapped page by page (before f8a1125): agree to
step 7,861,858 (``jal`` at pc 0x409c18), differ at 7,861,860, where the fast path is one
instruction ahead. With 64-page chunks: no divergence.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rollup_node.chain.outputs import output_at  # noqa: E402
from rollup_node.chain.witness import StoreL2Reader  # noqa: E402
from rollup_node.faultproof.differential.generator import batch_data  # noqa: E402
from rollup_node.faultproof.differential.runner import (  # noqa: E402
    ANCHOR,
    Differential,
    anchored_world,
)
from rollup_node.faultproof.differential.vectors import load_vector  # noqa: E402
from rollup_node.faultproof.mips.elf import load_elf  # noqa: E402
from rollup_node.faultproof.mips.fast import FastEmulator  # noqa: E402
from rollup_node.faultproof.mips.state import State  # noqa: E402
from rollup_node.faultproof.mips.step import step  # noqa: E402
from rollup_node.faultproof.mips.syscalls import HostIO  # noqa: E402
from rollup_node.faultproof.program.build import binary_path, build  # noqa: E402
from rollup_node.faultproof.program.host import Dispute, ProgramHost  # noqa: E402


def cpu(state: State) -> tuple:
    """What a step changes besides memory."""
    return (state.pc, state.next_pc, state.hi, state.lo, state.heap, tuple(state.registers),
            state.preimage_key, state.preimage_offset, state.exited)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("vector", type=Path)
    parser.add_argument("--every", type=int, default=1_000_000, help="checkpoint spacing")
    args = parser.parse_args()
    build("native", ("fpp", "derive"))
    build("mips", ("fpp",))
    block, note = load_vector(args.vector)
    print(f"{args.vector.name}: {note}")
    with tempfile.TemporaryDirectory(prefix="fastpath-") as tmp:
        runner = Differential(
            Path(tmp), binary_path("fpp", "native"), binary_path("derive", "native"),
            binary_path("fpp", "mips"),
        )  # fmt: skip
        try:
            verdict = runner.run(block, keep=True)
            print(f"native exit {verdict.native}")
            batch = batch_data(ANCHOR, len(block.queue), block.txs)
            world = anchored_world(batch, block.queue, len(block.queue), runner.config)
            root = output_at(runner.chain, 1).root
            dispute = Dispute(world.l1_hashes[-1], runner.pre_root, root, 1, runner.config)
            host = ProgramHost(dispute, None, StoreL2Reader(runner.chain))
            elf = binary_path("fpp", "mips").read_bytes()

            def io() -> HostIO:
                return HostIO(host.oracle(world.source), stderr=lambda _: None)

            def fast(steps: int) -> State:
                return FastEmulator(load_elf(elf), io()).run(steps)

            search(load_elf(elf), io(), fast, args.every, lambda: (load_elf(elf), io()))
        finally:
            runner.close()


def search(
    reference: State,
    reference_io: HostIO,
    fast: Callable[[int], State],
    every: int,
    restart: Callable[[], tuple[State, HostIO]],
) -> None:
    """The coarse pass, then the bisection inside the first differing window."""
    low, checkpoint = 0, every
    while True:
        while not reference.exited and reference.step < checkpoint:
            step(reference, reference_io)
        while not reference.exited and reference.next_pc != reference.pc + 4:
            step(reference, reference_io)  # out of a delay slot: a stop there is not exact
        other = fast(reference.step)
        same = cpu(other) == cpu(reference)
        same = same and other.memory.merkle_root() == reference.memory.merkle_root()
        print(f"step {reference.step:,}: {'same' if same else 'DIFFERENT'}", flush=True)
        if not same:
            high = reference.step
            break
        if reference.exited:
            print("no divergence: the fast path ends where the reference does")
            return
        low, checkpoint = reference.step, reference.step + every
    reference, reference_io = restart()
    while reference.step < low:
        step(reference, reference_io)
    recorded: dict[int, tuple] = {}
    words: dict[int, int] = {}
    while reference.step <= high and not reference.exited:
        recorded[reference.step] = cpu(reference)
        words[reference.step] = reference.memory.get_word(reference.pc)
        step(reference, reference_io)
    plain = sorted(n for n, c in recorded.items() if c[1] == c[0] + 4)  # next_pc == pc + 4
    i, j = 0, len(plain) - 1
    while j - i > 1:
        k = (i + j) // 2
        if cpu(fast(plain[k])) == recorded[plain[k]]:
            i = k
        else:
            j = k
    agree, differ = plain[i], plain[j]
    ours, theirs = recorded[differ], cpu(fast(differ))
    print(f"agree at step {agree:,}: pc {recorded[agree][0]:#x}, word {words[agree]:#010x}")
    for name, a, b in (("pc", ours[0], theirs[0]), ("next_pc", ours[1], theirs[1]),
                       ("hi", ours[2], theirs[2]), ("lo", ours[3], theirs[3])):  # fmt: skip
        if a != b:
            print(f"  {name}: reference {a:#x}, fast path {b:#x}")
    for index, (a, b) in enumerate(zip(ours[5], theirs[5], strict=True)):
        if a != b:
            print(f"  r{index}: reference {a:#x}, fast path {b:#x}")
    print(f"first different step {differ:,}")


if __name__ == "__main__":
    main()
