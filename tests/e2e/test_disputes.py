"""Dispute games end to end (SPEC §1, §4, §11): a verifier challenges a wrong root and wins; the
SCC deletes the batch and every later one, the proposer's bond is slashed, the challenger is
paid, the proposer posts correct roots again and every node agrees on every block.

Clocks are shortened (``max_clock_duration``, a deployment parameter) so a game resolves in
about a minute instead of SPEC's 3.5 days.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from eth_account import Account
from eth_hash.auto import keccak
from web3 import Web3

from rollup_node.chain.genesis import devnet_accounts
from rollup_node.faults import Faults
from tests.e2e.rollup_helpers import follower, same_chain, sequencer, wait_for
from tests.node_harness import RunningNode

WRONG_BLOCK = 4
CLOCK_SECONDS = 40  # max_clock_duration of the games (SPEC devnet: 120)
CHALLENGER_KEY = "0x" + devnet_accounts()[3][1].removeprefix("0x")
BOND_SLASHED = keccak(b"BondSlashed(address,address,uint256,uint256)")
STATE_BATCH_DELETED = keccak(b"StateBatchDeleted(uint256,bytes32,address)")


def disputes(node: RunningNode, kind: str = "game") -> list[dict[str, Any]]:
    """``rollup_disputes`` of ``node``, entries of ``kind``."""
    entries = node.w3.provider.make_request("rollup_disputes", [])["result"]
    return [entry for entry in entries if entry["kind"] == kind]


def logs_of(w3: Web3, address: str, topic: bytes) -> list:
    return w3.eth.get_logs(
        {
            "address": Web3.to_checksum_address(address),
            "fromBlock": 0,
            "toBlock": "latest",
            "topics": ["0x" + topic.hex()],
        }
    )


def test_verifier_challenges_a_wrong_root_and_wins(tmp_path: Path) -> None:
    seq = sequencer(
        tmp_path / "seq",
        Faults(wrong_output_root_once=WRONG_BLOCK),
        max_clock_duration=CLOCK_SECONDS,
    )
    ver = follower(tmp_path / "ver", seq, "verifier", node={"challenger_key": CHALLENGER_KEY})
    try:
        l1 = seq.l1_w3
        assert l1 is not None
        addresses = seq.node.rollup.l1_addresses
        challenger = Account.from_key(CHALLENGER_KEY).address
        balance_before = l1.eth.get_balance(challenger)

        (game,) = wait_for("the verifier's game", lambda: disputes(ver), timeout=120)
        assert int(game["l2BlockNumber"], 16) == WRONG_BLOCK
        assert game["ourRole"] == "challenger" and game["challenger"] == challenger
        assert game["rootClaim"][:4] == "0x01"  # the program's verdict: invalid
        (mismatch,) = disputes(ver, "mismatch")
        posted_in = int(mismatch["l1BlockNumber"], 16)
        created_in = l1.eth.get_transaction_receipt(
            l1.eth.get_logs(
                {
                    "address": Web3.to_checksum_address(addresses.dispute_game_factory),
                    "fromBlock": posted_in,
                }
            )[0]["transactionHash"]
        )["blockNumber"]
        print(f"game created {created_in - posted_in} L1 blocks after the wrong root")

        # The sequencer's own trace agrees with the challenger's root claim: it does not
        # counter it (an honest node never counters a claim it agrees with).
        (seen,) = wait_for("the sequencer to see the game", lambda: disputes(seq))
        assert seen["ourRole"] == "defender" and seen["address"] == game["address"]

        def resolved() -> dict | None:
            (entry,) = disputes(ver)
            return entry if entry["nextAction"] == "done" else None

        final = wait_for("the game to resolve", resolved, timeout=CLOCK_SECONDS + 120)
        assert final["status"] == "challenger_wins" and len(final["claims"]) == 1
        scc = addresses.state_commitment_chain
        (deleted,) = logs_of(l1, scc, STATE_BATCH_DELETED)
        assert Web3.to_checksum_address(deleted["data"][-20:]) == game["address"]
        (slashed,) = logs_of(l1, addresses.bond_manager, BOND_SLASHED)
        bond = seq.node.rollup.required_bond
        assert int(final["creditClaimed"], 16) == bond + bond // 2  # bond back + half the slash
        assert l1.eth.get_balance(challenger) > balance_before + bond // 2 - 10**16

        # The proposer posts the correct root again; the verifier compares it and agrees.
        watcher = ver.node.watcher
        wait_for(
            "the correct root re-proposed",
            lambda: watcher.checked.get(WRONG_BLOCK) and watcher.earliest_wrong() is None,
            timeout=60,
        )
        assert seq.node.proposer.wrong_root_posted
        upto = min(seq.node.l2.safe_number(), ver.node.l2.safe_number())
        same_chain(seq, ver, upto)
    finally:
        ver.stop()
        seq.stop()
