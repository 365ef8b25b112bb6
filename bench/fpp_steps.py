"""MIPS steps of the fault-proof program for one L2 block, on the project's reference VM.

Builds a synthetic L1 (rollup_node/faultproof/differential/world.py) and the node's own L2 genesis,
then runs the MIPS build of the program (build/mips/fpp.elf) on block 1 twice: empty (only the
L1-info deposit) and holding ``--transfers`` signed transfers. Prints steps, wall time, VM speed,
and the keccak-f share; the last line is the ratio of the full block's steps to the empty
block's (the baseline, measured in the same run).

It also estimates, without running the VM, the derivation of a heavy block: the last block of
a malformed 1,000-block batch whose deposits must be packed (SPEC §6 rule 1), from the native
build's keccak-f permutation count times the steps per permutation measured above.

    python bench/fpp_steps.py [--transfers 20] [--heavy-deposits 2000]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import rlp  # noqa: E402
from eth_account import Account  # noqa: E402

from rollup_node.chain.genesis import devnet_accounts, open_l2_chain  # noqa: E402
from rollup_node.chain.outputs import output_at  # noqa: E402
from rollup_node.chain.store import ChainStore  # noqa: E402
from rollup_node.chain.witness import StoreL2Reader  # noqa: E402
from rollup_node.config import L1Addresses, RollupConfig  # noqa: E402
from rollup_node.faultproof.differential.world import Batch, QueueElement, World  # noqa: E402
from rollup_node.faultproof.mips.elf import load_elf  # noqa: E402
from rollup_node.faultproof.mips.step import step  # noqa: E402
from rollup_node.faultproof.mips.syscalls import HostIO  # noqa: E402
from rollup_node.faultproof.oracle.host import run_native  # noqa: E402
from rollup_node.faultproof.program.build import binary_path, build  # noqa: E402
from rollup_node.faultproof.program.host import Dispute, ProgramHost  # noqa: E402

ANCHOR = 3
CTC = L1Addresses(canonical_transaction_chain="0xc7c7c7c7c7c7c7c7c7c7c7c7c7c7c7c7c7c7c7c7")


def _world(txs: list[bytes]) -> World:
    base = RollupConfig(l2_genesis_timestamp=10_000, force_inclusion_blocks=10, l1_addresses=CTC)
    batch = b"\x00" + rlp.encode([[ANCHOR, 0, txs]])
    world = World(base, 20, [], [Batch(batch, 1, 0, 0, 12)], ANCHOR, 0)
    world.anchor_genesis(ANCHOR)
    return world


def _transfers(count: int, chain_id: int) -> list[bytes]:
    _, key = devnet_accounts()[0]
    to = devnet_accounts()[1][0]
    return [
        bytes(
            Account.sign_transaction(
                {
                    "type": 2,
                    "chainId": chain_id,
                    "nonce": nonce,
                    "to": to,
                    "value": 1,
                    "gas": 21_000,
                    "maxFeePerGas": 2 * 10**9,
                    "maxPriorityFeePerGas": 1,
                },
                key,
            ).raw_transaction
        )
        for nonce in range(count)
    ]


def _keccak_range(elf: Path) -> tuple[int, int]:
    names = subprocess.run(
        ["mips-linux-gnu-nm", "-n", str(elf)], capture_output=True, text=True, check=True
    ).stdout.split("\n")
    rows = (line.split() for line in names if line)
    addresses = [(int(a, 16), n) for a, t, n in rows if t in "tT"]
    starts = [a for a, _ in addresses]
    i = next(k for k, (_, n) in enumerate(addresses) if n == "absorb_block")
    return starts[i], starts[i + 1]


def measure(transfers: int) -> tuple[int, float, float, str]:
    """Steps, seconds and keccak share of one run over a block with ``transfers`` transfers."""
    world = _world(_transfers(transfers, 901))
    elf = binary_path("fpp", "mips")
    low, high = _keccak_range(elf)
    with tempfile.TemporaryDirectory() as tmp:
        store = ChainStore(Path(tmp) / "l2")
        try:
            chain = open_l2_chain(store, world.config)
            pre = output_at(chain, 0).root
            dispute = Dispute(world.l1_hashes[-1], pre, b"\0" * 32, 1, world.config)
            host = ProgramHost(dispute, None, StoreL2Reader(chain))
            report: list[bytes] = []
            io = HostIO(host.oracle(world.source), stderr=report.append)
            state = load_elf(elf.read_bytes())
            in_keccak = 0
            started = time.perf_counter()
            while not state.exited:
                in_keccak += low <= state.pc < high
                step(state, io)
            seconds = time.perf_counter() - started
        finally:
            store.close()
    verdict = {0: "valid", 1: "invalid"}.get(state.exit_code, "panic")
    text = b"".join(report).decode(errors="replace")
    if verdict == "panic":
        raise SystemExit(f"the program panicked:\n{text}")
    return state.step, seconds, in_keccak / state.step, verdict, _permutations(text)


def _permutations(report: str) -> int:
    for line in report.splitlines():
        if line.startswith("keccak-f permutations "):
            return int(line.split()[-1])
    raise SystemExit("the program did not report its keccak-f permutations")


def heavy_derivation_permutations(deposits: int) -> tuple[int, float]:
    """keccak-f permutations (and seconds) of the native derivation of block 1,000 of a
    malformed 1,000-block batch consuming ``deposits`` 21,000-gas deposits."""
    config = RollupConfig(l2_genesis_timestamp=10_000, force_inclusion_blocks=10, l1_addresses=CTC)
    sender = devnet_accounts()[0][0]
    queue = [QueueElement(sender, sender, 0, 21_000, False, b"", 2) for _ in range(deposits)]
    world = World(config, 20, queue, [Batch(b"\x00malformed", 1000, 0, deposits, 12)], 3, 0)
    source = world.build(1000)
    build("native", ("derive",))
    started = time.perf_counter()
    result = run_native([str(binary_path("derive", "native"))], source, timeout=600)
    seconds = time.perf_counter() - started
    if result.exit_code != 0:
        raise SystemExit(result.stderr.decode())
    return _permutations(result.stderr.decode()), seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transfers", type=int, default=20)
    parser.add_argument("--heavy-deposits", type=int, default=2000)
    args = parser.parse_args()
    build("mips", ("fpp",))
    results = {}
    per_permutation = 0.0
    for label, count in (("empty block", 0), (f"{args.transfers} transfers", args.transfers)):
        steps, seconds, share, verdict, permutations = measure(count)
        results[label] = steps
        per_permutation = steps / permutations
        print(
            f"{label}: {steps:,} steps in {seconds:.1f} s ({steps / seconds:,.0f} steps/s), "
            f"keccak-f {share:.0%} ({permutations:,} permutations, "
            f"{share * steps / permutations:,.0f} steps each), exit {verdict} "
            "(disputed root is a dummy)"
        )
    permutations, seconds = heavy_derivation_permutations(args.heavy_deposits)
    print(
        f"heavy derivation (block 1000 of a malformed batch, {args.heavy_deposits} deposits): "
        f"{permutations:,} permutations natively in {seconds:.1f} s, "
        f"about {permutations * per_permutation:,.0f} MIPS steps"
    )
    empty, full = results.values()
    print(f"ratio full/empty steps: {full / empty:.2f}")


if __name__ == "__main__":
    main()
