"""``--check-with-program`` on a verifier (verifier/program_check.py): the native fault-proof
program runs on every block the verifier derives as safe, and a disagreement is an alert.

A devnet carries a short burst of mixed traffic (two senders: transfers, contract creations,
storage churn, logs, reverts, out-of-gas calls, ERC20 calls, withdrawals, precompile calls;
an L1 deposit calling a contract). A verifier with the check follows it from an empty data
dir: every safe block is checked, the checked-block metric advances, and nothing is raised.
A second verifier gives the program a wrong root for one block (``Faults``, tests only): that
block, and only that one, is alerted on — in the metric and ``rollup_syncStatus``. About
20–30 s per L1 kind (a sequencer, two verifiers, ~1 s per program run on a loaded machine): in the
slow suite; tests/unit/verifier/test_program_check.py covers the checker in seconds.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from eth_abi import encode as abi_encode

from rollup_node.faults import Faults
from tests.e2e.rollup_helpers import (
    account,
    enqueue_deposit,
    follower,
    same_chain,
    sequencer,
    wait_for,
)
from tests.e2e.traffic import Sender
from tests.integration.helpers import wait_receipts
from tests.node_harness import RunningNode

pytestmark = pytest.mark.slow

STEPS = 8  # random actions per sender after its contracts


def metric(node: RunningNode, name: str) -> float:
    """One sample of the node's registry (0 when absent)."""
    return node.node.registry.get_sample_value(name) or 0.0


def checker_status(node: RunningNode) -> dict:
    """``programCheck`` of the node's ``rollup_syncStatus``."""
    status = node.w3.provider.make_request("rollup_syncStatus", [])["result"]
    return status["programCheck"]


@pytest.mark.filterwarnings("ignore:SELFDESTRUCT opcode:DeprecationWarning")  # py-evm's notice
def test_verifier_checks_every_block_with_the_program(tmp_path: Path) -> None:
    seq = sequencer(tmp_path / "seq")
    followers: list[RunningNode] = []
    try:
        chain_id = seq.w3.eth.chain_id
        senders = [Sender(seq.url, chain_id, account(i)[1], seed=i) for i in (1, 2)]
        senders[0].peers, senders[1].peers = [senders[1]], [senders[0]]
        for sender in senders:
            sender.deploy_contracts()
        for _ in range(STEPS):
            for sender in senders:
                sender.step()
            time.sleep(0.3)
        wait_receipts(seq.w3, [s.tx_hash for sender in senders for s in sender.submitted])
        churn = senders[0].contracts.churn  # type: ignore[union-attr]
        slot_value = abi_encode(["uint256", "uint256"], [3, 7])  # the churn contract: slot, value
        _, depositor_key = account(9)
        before = seq.w3.eth.get_storage_at(churn, 3)
        enqueue_deposit(seq, depositor_key, churn, 10**15, 100_000, slot_value)
        wait_for("the deposit on L2", lambda: seq.w3.eth.get_storage_at(churn, 3) != before)
        target = seq.node.l2.head_number()
        wait_for("the sequencer's blocks to be safe", lambda: seq.node.l2.safe_number() >= target)

        # the block with the most transactions gets the wrong root in the faulty verifier
        counts = {n: len(seq.node.l2.block_by_number(n).transactions) for n in range(1, target)}
        wrong_at = max(counts, key=lambda n: counts[n])
        checked = {"check_with_program": True}
        honest = follower(tmp_path / "honest", seq, "verifier", node=checked)
        followers.append(honest)
        faults = Faults(program_check_wrong_root_at=wrong_at)
        faulty = follower(tmp_path / "faulty", seq, "verifier", node={**checked, "faults": faults})
        followers.append(faulty)

        checker = honest.node.program_checker
        assert checker is not None
        wait_for(
            f"the program to check blocks 1..{target}",
            lambda: metric(honest, "verifier_program_checked_block") >= target,
            timeout=240,
            every=0.5,
        )
        same_chain(seq, honest, target)
        assert metric(honest, "verifier_program_mismatches_total") == 0
        assert metric(honest, "verifier_program_checked_blocks_total") >= target
        status = checker_status(honest)
        assert int(status["checkedL2"], 16) >= target and status["mismatches"] == []
        runs = metric(honest, "verifier_program_check_seconds_count")
        spent = metric(honest, "verifier_program_check_seconds_sum")
        print(f"\n{int(runs)} blocks checked, {spent / runs:.2f} s per block")

        wait_for(
            f"the faulty verifier to check block {wrong_at}",
            lambda: metric(faulty, "verifier_program_checked_block") >= wrong_at,
            timeout=240,
            every=0.5,
        )
        assert metric(faulty, "verifier_program_mismatches_total") == 1
        (alert,) = checker_status(faulty)["mismatches"]
        assert alert["l2BlockNumber"] == hex(wrong_at)
        assert alert["verdict"] == "invalid" and alert["exitCode"] == 1
        local = faulty.w3.provider.make_request("rollup_outputAtBlock", [hex(wrong_at)])
        assert alert["localOutputRoot"] == local["result"]["outputRoot"]
    finally:
        for node in followers:
            node.stop()
        seq.stop()
