"""The worst blocks we can build, in MIPS steps of the fault-proof program (SPEC §10).

SPEC §10 bounds every input so the program never needs more than 2^max_game_depth steps; this
measures the blocks that come closest, each run once on the MIPS fast path (``mips.fast``, the
trace a game bisects) with a dummy disputed root (the program does all its work, then exits 1):

- ``empty``: block 1 holding only the L1-info deposit (the baseline).
- ``malformed``: the last block of a maximal malformed batch. The batch has
  ``max_blocks_per_batch`` (1,000) blocks and consumes the most deposit gas the CTC accepts,
  ``numBlocks · (D − M)``, arranged so that every earlier block packs just over ``D − M`` (a
  5,000,000-gas deposit, 475 of 21,000 and one of 25,001: 15,000,001 gas, the next 5 M does not
  fit) and the last block gets the most that is left: a 5,000,000-gas deposit (a smaller first
  one would join the block before) and 476 of 21,000 gas, each from and to a fresh account.
  Deriving it runs the fallback packing's binary search over the queue's gas prefix for all
  1,000 blocks through CTC storage proofs (477,000 queue elements: 1.43 M storage slots in the
  L1 state the program proves against). The L2 parent is the synthetic one of
  ``differential.world`` (only the L1Block predeploy's slots), so the deposits' state reads are
  cheaper than on a chain with many accounts.
- ``keccak``: block 1 on the devnet genesis with one creation transaction of ~29.9 M gas (all
  the block has after the L1-info deposit) whose init code hashes 32 KiB of memory in a loop
  until it runs out of gas (~26 gas per keccak-f permutation, the cheapest EVM keccak).
- ``blake2f``: one transaction calling the BLAKE2 F precompile with as many rounds as its gas
  pays (1 gas per round; the program computes them itself).
- ``modexp``: one transaction whose init code calls MODEXP in a loop until out of gas, with the
  input that costs the program most steps per gas among those ``--calibrate`` compares (an 8-byte
  modulus: one gas buys three exponent bits).

Prints each block's steps, the gas the program reports, and the wall time. The last line is the
worst step count over 2^max_game_depth (the devnet's 40): it must stay below 1. Each run takes
seconds to minutes on the MIPS fast path; run it niced on a shared machine:

    nice -n 19 python bench/fpp_worst_case.py [CASE ...] [--calibrate]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import rlp  # noqa: E402
from eth_account import Account  # noqa: E402
from eth_hash.auto import keccak  # noqa: E402

from rollup_node.chain.genesis import devnet_accounts, open_l2_chain  # noqa: E402
from rollup_node.chain.outputs import output_at  # noqa: E402
from rollup_node.chain.store import ChainStore  # noqa: E402
from rollup_node.chain.witness import StoreL2Reader  # noqa: E402
from rollup_node.config import L1Addresses, RollupConfig  # noqa: E402
from rollup_node.faultproof.differential.world import Batch, QueueElement, World  # noqa: E402
from rollup_node.faultproof.mips.elf import load_elf  # noqa: E402
from rollup_node.faultproof.mips.fast import FastEmulator  # noqa: E402
from rollup_node.faultproof.mips.syscalls import HostIO, PreimageOracle  # noqa: E402
from rollup_node.faultproof.oracle.host import Oracle  # noqa: E402
from rollup_node.faultproof.program.build import binary_path, build  # noqa: E402
from rollup_node.faultproof.program.host import Dispute, ProgramHost  # noqa: E402

ANCHOR = 3
CTC = L1Addresses(canonical_transaction_chain="0xc7c7c7c7c7c7c7c7c7c7c7c7c7c7c7c7c7c7c7c7")
CONFIG = RollupConfig(l2_genesis_timestamp=10_000, force_inclusion_blocks=10, l1_addresses=CTC)
DUMMY_ROOT = b"\x11" * 32
#: A user transaction's gas: the block's gas limit less room for the L1-info deposit (~45,000).
TX_GAS = CONFIG.l2_gas_limit - 100_000


@dataclass(frozen=True)
class Run:
    """One MIPS run of the program."""

    steps: int
    seconds: float
    exit_code: int
    report: str

    def reported(self, name: str) -> int:
        """A number the program reported on stderr (``gas used``, ``keccak-f permutations``)."""
        for line in self.report.splitlines():
            if line.startswith(name + " "):
                return int(line.split()[-1])
        raise SystemExit(f"the program did not report {name!r}:\n{self.report}")


def run_mips(oracle: PreimageOracle) -> Run:
    """The program's MIPS build on the fast path, to its exit."""
    report: list[bytes] = []
    state = load_elf(binary_path("fpp", "mips").read_bytes())
    started = time.monotonic()
    state = FastEmulator(state, HostIO(oracle, stderr=report.append)).run()
    seconds = time.monotonic() - started
    text = b"".join(report).decode(errors="replace")
    if state.exit_code not in (0, 1):
        raise SystemExit(f"the program panicked (exit {state.exit_code}):\n{text}")
    return Run(state.step, seconds, state.exit_code, text)


def run_block_one(txs: list[bytes]) -> Run:
    """Block 1 on the devnet genesis holding ``txs`` (one single-block batch)."""
    batch = b"\x00" + rlp.encode([[ANCHOR, 0, txs]])
    world = World(CONFIG, 20, [], [Batch(batch, 1, 0, 0, 12)], ANCHOR, 0)
    world.anchor_genesis(ANCHOR)
    with tempfile.TemporaryDirectory(prefix="fpp-worst-") as scratch:
        store = ChainStore(Path(scratch) / "l2")
        try:
            chain = open_l2_chain(store, world.config)
            pre = output_at(chain, 0).root
            dispute = Dispute(world.l1_hashes[-1], pre, DUMMY_ROOT, 1, world.config)
            host = ProgramHost(dispute, None, StoreL2Reader(chain))
            return run_mips(host.oracle(world.source))
        finally:
            store.close()


def signed(data: bytes, to: bytes | None, gas: int = TX_GAS) -> bytes:
    """A type-2 transaction from the first devnet account (nonce 0)."""
    tx: dict = {
        "type": 2,
        "chainId": CONFIG.l2_chain_id,
        "nonce": 0,
        "value": 0,
        "data": data,
        "gas": gas,
        "maxFeePerGas": 2 * 10**9,
        "maxPriorityFeePerGas": 0,
    }
    if to is not None:
        tx["to"] = to
    return bytes(Account.sign_transaction(tx, devnet_accounts()[0][1]).raw_transaction)


def intrinsic_gas(data: bytes, creation: bool = False) -> int:
    """Cancun's intrinsic gas of a transaction with ``data`` and no access list."""
    gas = 21_000 + sum(4 if byte == 0 else 16 for byte in data)
    if creation:
        gas += 32_000 + 2 * ((len(data) + 31) // 32)
    return gas


# -- the blocks --------------------------------------------------------------------------------


def keccak_loop(size: int = 32 * 1024) -> bytes:
    """Init code: ``while true: keccak256(memory[0:size])`` (until out of gas)."""
    # JUMPDEST, PUSH2 size, PUSH0, SHA3, POP, PUSH0, JUMP
    return b"\x5b\x61" + size.to_bytes(2, "big") + b"\x5f\x20\x50\x5f\x56"


#: The F function's input after the rounds: state h, message m, offsets t, final-block flag.
BLAKE2F_BODY = keccak(b"h") * 2 + keccak(b"m") * 4 + (1).to_bytes(8, "little") + bytes(8) + b"\x01"


def blake2f_input(gas: int) -> bytes:
    """The F function's input with the most rounds a call with ``gas`` (all of the
    transaction's) pays for after the intrinsic gas."""
    body = BLAKE2F_BODY
    rounds = gas - intrinsic_gas(b"\xff" * 4 + body)
    data = rounds.to_bytes(4, "big") + body
    rounds = gas - intrinsic_gas(data)  # the rounds' own zero bytes cost less: settle on it
    return rounds.to_bytes(4, "big") + body


def modexp_input(modulus_bytes: int, exponent_bytes: int) -> bytes:
    """Base and modulus of ``modulus_bytes`` random bytes (odd modulus, top byte set), exponent
    all ones (a multiplication for every bit)."""
    base = keccak(b"base") * (modulus_bytes // 32 + 1)
    modulus = bytearray((keccak(b"mod") * (modulus_bytes // 32 + 1))[:modulus_bytes])
    modulus[0] |= 0x80
    modulus[-1] |= 1
    size = modulus_bytes.to_bytes(32, "big")
    return (
        size + exponent_bytes.to_bytes(32, "big") + size
        + base[:modulus_bytes] + b"\xff" * exponent_bytes + bytes(modulus)
    )  # fmt: skip


def modexp_gas(modulus_bytes: int, exponent_bytes: int) -> int:
    """MODEXP's gas (Berlin's formula) for ``modexp_input``'s input."""
    words = (modulus_bytes + 7) // 8
    long_exponent = 8 * (exponent_bytes - 32) + 255  # all ones: the head's bit length is 256
    iterations = exponent_bytes * 8 - 1 if exponent_bytes <= 32 else long_exponent
    return max(200, words * words * max(iterations, 1) // 3)


def modexp_loop(call_input: bytes) -> bytes:
    """Init code: copy ``call_input`` (its own tail) to memory, then call MODEXP with it in a
    loop until out of gas (each call gets all but 1/64 of what is left)."""
    length = len(call_input).to_bytes(2, "big")
    modulus = int.from_bytes(call_input[64:96], "big").to_bytes(2, "big")
    header_length, loop_start = 27, 8
    head = b"\x61" + length + b"\x61" + header_length.to_bytes(2, "big") + b"\x5f\x39"
    # JUMPDEST; STATICCALL(GAS, 5, 0, length, length, modulus); POP; JUMP loop
    loop = b"\x5b\x61" + modulus + b"\x61" + length + b"\x61" + length + b"\x5f\x60\x05\x5a\xfa"
    loop += b"\x50\x60" + bytes([loop_start]) + b"\x56"
    code = head + loop
    assert len(head) == loop_start and len(code) == header_length
    return code + call_input


def malformed_world(blocks: int = CONFIG.max_blocks_per_batch) -> tuple[World, int, int]:
    """The maximal malformed batch of ``blocks`` blocks (module docstring), its last block's
    number and the deposits that block takes."""
    cfg = CONFIG
    d, m = cfg.deposit_gas_per_block, cfg.max_deposit_gas
    sender = devnet_accounts()[0][0]
    big = QueueElement(sender, sender, 0, m, False, b"", 2)
    small = QueueElement(sender, sender, 0, 21_000, False, b"", 2)
    pad = (d - m) - m - 475 * 21_000 + 1  # 25,001: the block packs D - M + 1
    filler = QueueElement(sender, sender, 0, pad, False, b"", 2)
    per_block = [big] + [small] * 475 + [filler]
    assert sum(q.gas_limit for q in per_block) == d - m + 1
    queue = per_block * (blocks - 1)
    left = blocks * (d - m) - sum(q.gas_limit for q in queue)
    # The last block starts with a deposit the block before cannot take (any smaller one would
    # join it), then as many 21,000-gas ones as the bound leaves.
    gas = [m] + [21_000] * ((min(left, d) - m) // 21_000)
    last = [
        QueueElement(keccak(b"from%d" % i)[:20], keccak(b"to%d" % i)[:20], 10**15, g, False,
                     b"", 2)
        for i, g in enumerate(gas)
    ]  # fmt: skip
    queue += last
    batch = Batch(b"\x00malformed", blocks, 0, len(queue), 12)
    return World(cfg, 20, queue, [batch], ANCHOR, 0), blocks, len(last)


def run_malformed(blocks: int = CONFIG.max_blocks_per_batch) -> tuple[Run, str]:
    """The last block of the maximal malformed batch, on the world's synthetic L2 parent."""
    started = time.monotonic()
    world, n, last = malformed_world(blocks)
    source = world.build(n, DUMMY_ROOT)
    built = time.monotonic() - started
    run = run_mips(Oracle(source))
    return run, (
        f"block {n} of a {n}-block malformed batch with {len(world.queue):,} deposits "
        f"({last} in the block; L1 world built in {built:.0f} s)"
    )


CASES = ("empty", "malformed", "keccak", "blake2f", "modexp")
#: (modulus bytes, exponent bytes) compared by --calibrate; the first is the one ``modexp`` runs
MODEXP_SHAPES = [(8, 4096), (32, 1024), (64, 256), (256, 64)]


def run_case(case: str, tx_gas: int = TX_GAS) -> tuple[Run, str]:
    """One case's run and its description (``tx_gas``: the transaction's gas in the
    ``keccak``, ``blake2f`` and ``modexp`` blocks)."""
    if case == "empty":
        return run_block_one([]), "block 1, only the L1-info deposit"
    if case == "malformed":
        return run_malformed()
    if case == "keccak":
        tx = signed(keccak_loop(), None, tx_gas)
        return run_block_one([tx]), f"one {tx_gas:,}-gas creation hashing 32 KiB in a loop"
    if case == "blake2f":
        data = blake2f_input(tx_gas)
        rounds = int.from_bytes(data[:4], "big")
        tx = signed(data, (9).to_bytes(20, "big"), tx_gas)
        return run_block_one([tx]), f"one call of BLAKE2 F with {rounds:,} rounds"
    if case == "modexp":
        modulus, exponent = MODEXP_SHAPES[0]
        tx = signed(modexp_loop(modexp_input(modulus, exponent)), None, tx_gas)
        gas = modexp_gas(modulus, exponent)
        return run_block_one([tx]), (
            f"one {tx_gas:,}-gas creation calling MODEXP in a loop ({modulus}-byte modulus, "
            f"{exponent:,}-byte exponent of ones, {gas:,} gas a call)"
        )
    raise SystemExit(f"unknown case {case!r}; cases: {', '.join(CASES)}")


def calibrate() -> None:
    """Steps per gas of MODEXP shapes, BLAKE2 F and keccak, one small call each over the
    empty block."""
    empty = run_block_one([])
    print(f"empty block: {empty.steps:,} steps", flush=True)
    samples = [
        (f"MODEXP {m}-byte modulus, {e}-byte exponent", modexp_input(m, e), 5)
        for m, e in MODEXP_SHAPES
    ]
    samples.append(("BLAKE2 F, 100,000 rounds", (100_000).to_bytes(4, "big") + BLAKE2F_BODY, 9))
    for label, data, address in samples:
        tx = signed(data, address.to_bytes(20, "big"), gas=1_000_000)
        run = run_block_one([tx])
        gas = run.reported("gas used") - empty.reported("gas used") - intrinsic_gas(data)
        extra = run.steps - empty.steps
        print(f"{label}: {extra:,} steps for {gas:,} gas = {extra / gas:,.0f} steps/gas")
    tx = signed(keccak_loop(), None, gas=1_000_000)
    run = run_block_one([tx])
    gas = 1_000_000 - intrinsic_gas(keccak_loop(), creation=True)
    extra = run.steps - empty.steps
    print(f"keccak loop, 32 KiB: {extra:,} steps for {gas:,} gas = {extra / gas:,.0f} steps/gas")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cases", nargs="*", default=list(CASES), help=", ".join(CASES))
    parser.add_argument("--calibrate", action="store_true", help="steps per gas, small calls")
    parser.add_argument(
        "--tx-gas", type=int, default=TX_GAS, help=f"the heavy transaction's gas ({TX_GAS:,})"
    )
    args = parser.parse_args()
    build("mips", ("fpp",))
    if args.calibrate:
        calibrate()
        return
    worst = 0
    for case in args.cases:
        run, what = run_case(case, args.tx_gas)
        worst = max(worst, run.steps)
        print(
            f"{case}: {run.steps:,} steps (2^{run.steps.bit_length() - 1}.."
            f"2^{run.steps.bit_length()}), {what}; gas used {run.reported('gas used'):,}; "
            f"{run.seconds:.0f} s on the fast path, exit {run.exit_code}",
            flush=True,
        )
    depth = CONFIG.max_game_depth
    print(f"ratio worst steps / 2^max_game_depth (2^{depth}): {worst / 2**depth:.6f}")


if __name__ == "__main__":
    main()
