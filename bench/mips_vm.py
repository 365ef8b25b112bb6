"""Benchmark of the MIPS fault-proof VM (one run prints every figure).

Figures: reference steps/s, fast-path steps/s, Merkle root time for 64 MiB of touched memory,
proof generation time at step 10^8 of the test program, on-chain gas per step. The last line is
the fast path's speed as a ratio of the reference's, both measured here.

    python bench/mips_vm.py [--proof-step 100000000]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rollup_node.faultproof.mips.elf import load_elf  # noqa: E402
from rollup_node.faultproof.mips.fast import FastEmulator  # noqa: E402
from rollup_node.faultproof.mips.memory import Memory  # noqa: E402
from rollup_node.faultproof.mips.step import run  # noqa: E402
from rollup_node.faultproof.mips.witness import prove_step  # noqa: E402

PROGRAM_DIR = ROOT / "tests" / "programs" / "mips"
STEPS_PER_ROUND = 170  # roughly, for sizing runs of the test program


def build(out: Path) -> bytes:
    subprocess.run(["make", "-s", "-C", str(PROGRAM_DIR), f"OUT={out}"], check=True)
    return (out / "program.elf").read_bytes()


def reference_speed(image: bytes, steps: int) -> float:
    state = load_elf(image, [b"program", b"100000"])
    started = time.perf_counter()
    run(state, max_steps=steps)
    return state.step / (time.perf_counter() - started)


def fast_speed(image: bytes, rounds: int) -> tuple[float, int]:
    state = load_elf(image, [b"program", str(rounds).encode()])
    emulator = FastEmulator(state)
    started = time.perf_counter()
    final = emulator.run()
    return final.step / (time.perf_counter() - started), final.step


def merkle_time(mebibytes: int) -> tuple[float, float]:
    memory = Memory()
    chunk = bytes(range(256)) * 4096  # 1 MiB
    for index in range(mebibytes):
        memory.write(0x10000000 + index * len(chunk), chunk)
    started = time.perf_counter()
    memory.merkle_root()
    full = time.perf_counter() - started
    memory.set_word(0x10000000 + 12345 * 4, 7)
    started = time.perf_counter()
    memory.merkle_root()
    return full, time.perf_counter() - started


def proof_at(image: bytes, target: int) -> tuple[float, float]:
    rounds = target // STEPS_PER_ROUND * 2
    started = time.perf_counter()
    state = FastEmulator(load_elf(image, [b"program", str(rounds).encode()])).run(target)
    reached = time.perf_counter() - started
    assert state.step == target and not state.exited, "program too short for the proof step"
    started = time.perf_counter()
    prove_step(state)
    return reached, time.perf_counter() - started


def gas_per_step(image: bytes, steps: int) -> list[int]:
    from tests.contracts.chain_helpers import deploy
    from tests.l1_harness import ServedL1

    with tempfile.TemporaryDirectory() as tmp:
        served = ServedL1(Path(tmp) / "l1")
        try:
            w3 = served.w3
            oracle = deploy(w3, "PreimageOracle")
            mips = deploy(w3, "MIPS", oracle.address)
            state = load_elf(image, [b"program", b"10"])
            run(state, max_steps=20_000)
            gas = []
            for _ in range(steps):
                witness = prove_step(state)
                call = mips.functions.step(witness.state, witness.proof, bytes(32))
                assert bytes(call.call()) == witness.post_state_hash
                gas.append(call.estimate_gas({"from": w3.eth.accounts[0]}))
        finally:
            served.close()
    return gas


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--proof-step", type=int, default=100_000_000)
    parser.add_argument("--merkle-mib", type=int, default=64)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        image = build(Path(tmp))
    reference = reference_speed(image, 300_000)
    print(f"reference VM: {reference:,.0f} steps/s")
    fast, fast_steps = fast_speed(image, 200_000)
    print(f"fast path (unicorn): {fast:,.0f} steps/s over {fast_steps:,} steps to exit")
    full, incremental = merkle_time(args.merkle_mib)
    print(
        f"Merkle root of {args.merkle_mib} MiB touched memory: {full:.2f} s; "
        f"after one write: {incremental * 1e6:.0f} us"
    )
    reached, proving = proof_at(image, args.proof_step)
    print(
        f"proof at step {args.proof_step:,}: fast-forward {reached:.2f} s, "
        f"witness + proofs {proving:.2f} s"
    )
    gas = gas_per_step(image, 60)
    print(
        f"on-chain MIPS.step gas: mean {statistics.mean(gas):,.0f}, max {max(gas):,} "
        f"(60 steps of the test program)"
    )
    print(f"fast path / reference speed: {fast / reference:.1f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
