"""Dispute game figures (SPEC §11, issue 12): one full game per block size.

For blocks of 1, 10 and 100 transfers (argument: the sizes), a devnet sequencer (embedded L1,
1 s blocks, max depth 41 so the challenger steps) posts one wrong root for the block holding the
transfers and defends it with a lying trace; a verifier with a challenger key in the same
process detects it, opens the game, bisects to max depth, steps and wins. Printed per game:

- detect → resolved, *excluding clock waits*: (detection → our last move) + the resolution
  calls; the wait for the clocks to run out before resolution is left out;
- the program's trace length, the claims, the L1 gas of the whole game (create, every move and
  step of both sides, preimage loads, resolution, credit claims) and the bonds it locked;
- the worst compute time behind one answer of either side (a solver pass; a step proof);
- the L1 gas of each kind of call (``create``, ``move``, ``step``, ``addLocalData``, the oracle's
  preimage loads, ``resolveClaim``, ``resolve``, ``claimCredit``): mean and count over the
  game's transactions, read back from L1. ``faultproof/game/costs.py`` keeps these figures for
  ``rollup-node dispute dry-run``'s estimates.

Last line: the worst per-move compute time over ``clock_extension`` (must stay < 0.5: an answer
made in the extension's last seconds still has time to land).

    python bench/dispute_game.py [1 10 100]
"""

from __future__ import annotations

import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import requests
from eth_account import Account
from eth_utils import function_abi_to_4byte_selector
from web3 import Web3

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rollup_node.chain.genesis import devnet_accounts  # noqa: E402
from rollup_node.contracts import load_artifact  # noqa: E402
from rollup_node.faults import Faults  # noqa: E402
from tests.e2e.rollup_helpers import follower, l1_send, sequencer, wait_for  # noqa: E402
from tests.node_harness import RunningNode  # noqa: E402

CHALLENGER_KEY = "0x" + devnet_accounts()[3][1].removeprefix("0x")
SENDER_KEY = "0x" + devnet_accounts()[5][1].removeprefix("0x")
DEPTH = 41
CLOCK_SECONDS = 120


def send_transfers(seq: RunningNode, count: int) -> int:
    """``count`` signed transfers in one JSON-RPC batch (so they land in one block); the L2
    block that holds the last one."""
    w3 = seq.w3
    sender = Account.from_key(SENDER_KEY)
    nonce = w3.eth.get_transaction_count(sender.address, "pending")
    batch = []
    for i in range(count):
        tx = {
            "to": "0x000000000000000000000000000000000000dEaD",
            "value": 1,
            "gas": 21_000,
            "maxFeePerGas": 10 * 10**9,
            "maxPriorityFeePerGas": 0,
            "nonce": nonce + i,
            "chainId": seq.config.rollup.l2_chain_id,
            "type": 2,
        }
        raw = "0x" + Account.sign_transaction(tx, SENDER_KEY).raw_transaction.hex()
        batch.append(
            {"jsonrpc": "2.0", "id": i, "method": "eth_sendRawTransaction", "params": [raw]}
        )
    session = requests.Session()
    session.trust_env = False
    with session:
        answers = session.post(seq.url, json=batch, timeout=60).json()
    last = max(answers, key=lambda a: a["id"])["result"]
    return w3.eth.wait_for_transaction_receipt(last, timeout=60)["blockNumber"]


def gas_per_call(l1: Web3, targets: dict[str, str], first_block: int) -> dict[str, list[int]]:
    """The gas of every transaction from ``first_block`` on sent to one of ``targets``
    (address -> contract artifact), grouped by the function it called."""
    names: dict[str, dict[bytes, str]] = {}
    for address, artifact in targets.items():
        functions = [f for f in load_artifact(artifact).abi if f.get("type") == "function"]
        names[address.lower()] = {function_abi_to_4byte_selector(f): f["name"] for f in functions}
    found: dict[str, list[int]] = {}
    for number in range(first_block, l1.eth.block_number + 1):
        for tx in l1.eth.get_block(number, full_transactions=True)["transactions"]:
            selectors = names.get((tx["to"] or "").lower())
            if selectors is None:
                continue
            name = selectors.get(bytes(tx["input"])[:4], "?")
            receipt = l1.eth.get_transaction_receipt(tx["hash"])
            if receipt["status"] != 1:
                name += " (reverted: another player's call landed first)"
            found.setdefault(name, []).append(receipt["gasUsed"])
    return found


def load_gas(seq: RunningNode, game: str, oracle: str) -> dict[str, int]:
    """The gas of the loads a step may need first, sent after the game (SPEC §11): a local
    input through the game's ``addLocalData``, and keccak preimage parts of 136 bytes and of
    1,000 bytes (an L1 header is ~600, a trie node at most 532) through the oracle."""
    w3 = seq.l1_w3
    assert w3 is not None
    calls = {"addLocalData": (game, "FaultDisputeGame", "addLocalData", [1, 0])}
    for size in (136, 1_000):
        preimage = (bytes(range(256)) * 4)[:size]
        calls[f"loadKeccak256PreimagePart {size:,} B"] = (
            oracle,
            "PreimageOracle",
            "loadKeccak256PreimagePart",
            [0, preimage],
        )
    gas = {}
    for name, (to, artifact, function, args) in calls.items():
        data = w3.eth.contract(abi=load_artifact(artifact).abi).encode_abi(function, args=args)
        receipt = l1_send(seq, CHALLENGER_KEY, to, bytes.fromhex(data[2:]))
        assert receipt["status"] == 1, name
        gas[name] = receipt["gasUsed"]
    return gas


def one_game(workdir: Path, transfers: int) -> dict[str, Any]:
    """Run one game; its figures."""
    seq = sequencer(
        workdir / "seq",
        Faults(lying_trace_from_step=1_000_000),
        max_clock_duration=CLOCK_SECONDS,
        max_game_depth=DEPTH,
    )
    ver = follower(workdir / "ver", seq, "verifier", node={"challenger_key": CHALLENGER_KEY})
    try:
        block = send_transfers(seq, transfers)
        proposer = seq.node.proposer
        # The wrong root goes to the block just filled (the proposer posts safe blocks only,
        # so it has not posted this one yet).
        proposer.settings = replace(proposer.settings, wrong_output_root_once=block)
        agent = ver.node.agent
        game = wait_for("the game", lambda: next(iter(agent.games.values()), None), 180)
        wait_for("the game to end", lambda: game.done, 900, 1)
        mismatch = next(m for m in ver.node.watcher.mismatches if m.element == block)
        (defender_game,) = seq.node.agent.games.values()
        active = (game.last_action_at or mismatch.detected_at) - mismatch.detected_at
        active += game.resolve_seconds
        l1 = seq.l1_w3
        assert l1 is not None
        factory = Web3.to_checksum_address(seq.node.rollup.l1_addresses.dispute_game_factory)
        factory_logs = l1.eth.get_logs({"address": factory, "fromBlock": 0})
        create_gas = l1.eth.get_transaction_receipt(factory_logs[0]["transactionHash"])["gasUsed"]
        oracle = (
            l1.eth.contract(address=factory, abi=load_artifact("DisputeGameFactory").abi)
            .functions.oracle()
            .call()
        )
        targets = {
            factory: "DisputeGameFactory",
            game.address: "FaultDisputeGame",
            oracle: "PreimageOracle",
        }
        calls = gas_per_call(l1, targets, factory_logs[0]["blockNumber"])
        loads = load_gas(seq, game.address, oracle)
        record = seq.node.l2.block_by_number(block)
        assert record is not None
        return {
            "txs": len(record.transactions) - 1,  # the L1-info deposit aside
            "block": block,
            "steps": getattr(game.trace, "steps", 0),
            "claims": len(game.claims),
            "status": game.status.name,
            "active_s": active,
            "gas": create_gas + game.gas_used + defender_game.gas_used,
            "bonds_eth": sum(c.bond_wei for c in game.claims) / 10**18,
            "worst_compute_s": max(game.worst_compute_seconds, defender_game.worst_compute_seconds),
            "clock_extension_s": seq.node.rollup.clock_extension,
            "calls": calls,
            "loads": loads,
        }
    finally:
        ver.stop()
        seq.stop()


def main(sizes: list[int]) -> None:
    """Run a game per block size and print the figures."""
    results = []
    for transfers in sizes:
        with tempfile.TemporaryDirectory(prefix="dispute-bench-") as workdir:
            started = time.monotonic()
            figures = one_game(Path(workdir), transfers)
            wall = time.monotonic() - started
        results.append(figures)
        print(
            f"block of {figures['txs']:>3} txs (sent {transfers}): trace "
            f"{figures['steps']:,} steps, {figures['claims']} claims, {figures['status']}; "
            "detect -> resolved "
            f"{figures['active_s']:.1f} s without clock waits ({wall:.0f} s wall); "
            f"L1 gas {figures['gas']:,}; bonds {figures['bonds_eth']:.2f} ETH; "
            f"worst compute per answer {figures['worst_compute_s']:.2f} s",
            flush=True,
        )
        per_call = ", ".join(
            f"{name} {sum(gas) // len(gas):,} (x{len(gas)}, max {max(gas):,})"
            for name, gas in sorted(figures["calls"].items())
        )
        print(f"  L1 gas per call, mean: {per_call}", flush=True)
        loads = ", ".join(f"{name} {gas:,}" for name, gas in figures["loads"].items())
        print(f"  L1 gas of the loads before a step (sent after the game): {loads}", flush=True)
    worst = max(r["worst_compute_s"] for r in results)
    extension = results[0]["clock_extension_s"]
    print(f"ratio worst per-move compute / clock_extension: {worst / extension:.3f}")


if __name__ == "__main__":
    main([int(arg) for arg in sys.argv[1:]] or [1, 10, 100])
