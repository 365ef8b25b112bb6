"""Dispute games end to end (SPEC §1, §4, §11): a verifier challenges a wrong root and wins; the
SCC deletes the batch and every later one, the proposer's bond is slashed, the challenger is
paid, a withdrawal proven against a deleted root is refused, the proposer posts correct roots
again and sequencer, verifier and replica agree on every block. A dishonest challenger loses
to the sequencer, or to an independent verifier alone.

Clocks are shortened (``max_clock_duration``, a deployment parameter) so a game resolves in
about a minute instead of SPEC's 3.5 days.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account
from eth_hash.auto import keccak
from web3 import Web3

from rollup_node.chain.genesis import devnet_accounts
from rollup_node.config import load_config, write_rollup_config
from rollup_node.contracts import load_artifact
from rollup_node.faultproof.differential.generator import withdrawal_calldata
from rollup_node.faults import Faults
from rollup_node.l1.transactor import connect
from rollup_node.protocol.predeploys import L2_TO_L1_MESSAGE_PASSER
from rollup_node.withdrawals.relay import Relayer, WithdrawalError, WithdrawalProof
from tests.contracts.chain_helpers import deploy, reverts
from tests.e2e.rollup_helpers import follower, same_chain, sequencer, wait_for
from tests.integration.helpers import account, send, wait_receipts
from tests.node_harness import RunningNode

WRONG_BLOCK = 4
CLOCK_SECONDS = 40  # max_clock_duration of the games (SPEC devnet: 120)
FULL_CLOCK_SECONDS = 120  # a full bisection: ~21 moves per side plus the first trace run
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


def _send_withdrawal(seq: RunningNode) -> bytes:
    """Send a withdrawal on L2 (``initiateWithdrawal`` on the message passer); its tx hash."""
    _, key = account(5)
    tx_hash = send(
        seq.w3,
        key,
        to=Web3.to_checksum_address("0x" + L2_TO_L1_MESSAGE_PASSER.hex()),
        data=withdrawal_calldata(b"\x5e" * 20),
        gas=200_000,
    )
    (receipt,) = wait_receipts(seq.w3, [tx_hash])
    assert receipt["status"] == 1
    return bytes(tx_hash)


def _withdrawal_proof(seq: RunningNode, tx_hash: bytes) -> WithdrawalProof | None:
    """The relayer's proof of the withdrawal of ``tx_hash`` (``None`` while no SCC batch
    covers its block)."""

    async def prove() -> WithdrawalProof | None:
        assert seq.l1_url is not None
        relayer = Relayer(connect(seq.l1_url), connect(seq.url), seq.node.rollup)
        try:
            block, (withdrawal,) = await relayer.withdrawals_of(tx_hash)
            return await relayer.prove(withdrawal, block)
        except WithdrawalError:
            return None
        finally:
            await relayer.l1.provider.disconnect()
            await relayer.l2.provider.disconnect()

    return asyncio.run(prove())


@pytest.mark.slow_on_anvil  # ~1.5 min per L1: the default suite's whole game (embedded L1)
@pytest.mark.timeout(600)
def test_verifier_challenges_a_wrong_root_and_wins(tmp_path: Path) -> None:
    seq = sequencer(
        tmp_path / "seq",
        Faults(wrong_output_root_once=WRONG_BLOCK),
        max_clock_duration=CLOCK_SECONDS,
    )
    ver = follower(tmp_path / "ver", seq, "verifier", node={"challenger_key": CHALLENGER_KEY})
    rep = follower(tmp_path / "rep", seq, "replica")
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
        sent = _send_withdrawal(seq)

        # The sequencer's own trace agrees with the challenger's root claim: it does not
        # counter it (an honest node never counters a claim it agrees with).
        (seen,) = wait_for("the sequencer to see the game", lambda: disputes(seq))
        assert seen["ourRole"] == "defender" and seen["address"] == game["address"]

        # A withdrawal sent now is proven against a later batch than the wrong one: a batch
        # the game deletes with it. Before the deletion the proof is only not final yet.
        proof = wait_for("a withdrawal proof", lambda: _withdrawal_proof(seq, sent), 60, 1)
        assert proof.batch.batch_index > int(mismatch["sccBatchIndex"], 16)
        messenger = l1.eth.contract(
            address=Web3.to_checksum_address(addresses.l1_cross_domain_messenger),
            abi=list(load_artifact("L1CrossDomainMessenger").abi),
        )
        finalize = messenger.functions.finalizeWithdrawal(*proof.arguments())
        with reverts("OutputRootNotFinal(uint256)"):
            finalize.call({"gas": 5_000_000})

        def resolved() -> dict | None:
            (entry,) = disputes(ver)
            return entry if entry["nextAction"] == "done" else None

        final = wait_for("the game to resolve", resolved, timeout=CLOCK_SECONDS + 120)
        assert final["status"] == "challenger_wins" and len(final["claims"]) == 1
        # The sequencer left the resolution to the challenger: no race on resolveClaim.
        assert seq.node.agent is not None
        assert seq.node.agent.games[game["address"]].resolve_seconds == 0
        scc = addresses.state_commitment_chain
        (deleted,) = logs_of(l1, scc, STATE_BATCH_DELETED)
        assert Web3.to_checksum_address(deleted["data"][-20:]) == game["address"]
        with reverts("InvalidOutputRootProof()"):  # its root is deleted: refused for good
            finalize.call({"gas": 5_000_000})
        (slashed,) = logs_of(l1, addresses.bond_manager, BOND_SLASHED)
        bond = seq.node.rollup.required_bond
        assert int(final["creditClaimed"], 16) == bond + bond // 2  # bond back + half the slash
        assert l1.eth.get_balance(challenger) > balance_before + bond // 2 - 10**16

        # The proposer posts the correct root again; the verifier compares it and agrees.
        # The proposer first checks each safe block it has not posted yet with the program:
        # on a loaded machine it lags by tens of seconds by now.
        watcher = ver.node.watcher
        wait_for(
            "the correct root re-proposed",
            lambda: watcher.checked.get(WRONG_BLOCK) and watcher.earliest_wrong() is None,
            timeout=120,
        )
        assert seq.node.proposer.wrong_root_posted
        upto = min(node.node.l2.safe_number() for node in (seq, ver, rep))
        same_chain(seq, ver, upto)
        same_chain(seq, rep, upto)
    finally:
        rep.stop()
        ver.stop()
        seq.stop()


LIE_AFTER_STEPS = 1_234_567  # the dishonest defender's trace departs here (traces are ~4 M)
ODD_DEPTH = 41  # the challenger's claims sit at even depths: an odd max depth makes it step


def _claims_json(entry: dict[str, Any]) -> list[dict[str, Any]]:
    return entry["claims"]


@pytest.mark.slow  # ~4-6 min per L1
@pytest.mark.timeout(900)
def test_full_bisection_against_a_dishonest_defender(tmp_path: Path) -> None:
    """The sequencer posts one wrong root and defends it with a lying trace; the verifier
    bisects the real program trace to max depth, steps once on chain and wins; a replica
    agrees with both on every block."""
    seq = sequencer(
        tmp_path / "seq",
        Faults(wrong_output_root_once=WRONG_BLOCK, lying_trace_from_step=LIE_AFTER_STEPS),
        max_clock_duration=FULL_CLOCK_SECONDS,
        max_game_depth=ODD_DEPTH,
    )
    ver = follower(tmp_path / "ver", seq, "verifier", node={"challenger_key": CHALLENGER_KEY})
    rep = follower(tmp_path / "rep", seq, "replica")
    try:
        l1 = seq.l1_w3
        assert l1 is not None
        challenger = Account.from_key(CHALLENGER_KEY).address
        (game,) = wait_for("the verifier's game", lambda: disputes(ver), timeout=120)
        assert int(game["l2BlockNumber"], 16) == WRONG_BLOCK

        def deepest() -> int:
            (entry,) = disputes(ver)
            positions = [int(c["position"], 16) for c in _claims_json(entry)]
            return max((p.bit_length() - 1 for p in positions), default=-1)

        wait_for("the bisection to reach max depth", lambda: deepest() == ODD_DEPTH, 240, 1)

        def resolved() -> dict | None:
            (entry,) = disputes(ver)
            return entry if entry["nextAction"] == "done" else None

        final = wait_for("the game to resolve", resolved, timeout=FULL_CLOCK_SECONDS + 240)
        assert final["status"] == "challenger_wins"
        claims = _claims_json(final)
        depths = {int(c["position"], 16).bit_length() - 1 for c in claims}
        assert depths == set(range(ODD_DEPTH + 1))  # one claim per depth: a clean bisection
        leaf = [c for c in claims if int(c["position"], 16).bit_length() - 1 == ODD_DEPTH]
        assert [c["counteredBy"] for c in leaf] == [challenger]  # countered by one real step
        assert all(c["claimant"] == challenger for c in claims[::2])
        registry = ver.node.registry
        assert registry.get_sample_value("dispute_moves_total", {"kind": "step"}) == 1
        assert registry.get_sample_value("dispute_moves_total", {"kind": "move"}) == ODD_DEPTH // 2
        # The defender's bonds went to the challenger with the slashed proposer bond.
        assert int(final["creditClaimed"], 16) > seq.node.rollup.required_bond * 3 // 2
        deleted = logs_of(
            l1, seq.node.rollup.l1_addresses.state_commitment_chain, STATE_BATCH_DELETED
        )
        assert len(deleted) == 1
        watcher = ver.node.watcher
        wait_for(
            "the correct root re-proposed",
            lambda: watcher.checked.get(WRONG_BLOCK) and watcher.earliest_wrong() is None,
            timeout=60,
        )
        upto = min(node.node.l2.safe_number() for node in (seq, ver, rep))
        same_chain(seq, ver, upto)
        same_chain(seq, rep, upto)
    finally:
        rep.stop()
        ver.stop()
        seq.stop()


LIAR_CHALLENGES = 5  # the correct SCC element a dishonest challenger disputes
DEFENDER_KEY = "0x" + devnet_accounts()[4][1].removeprefix("0x")  # an independent verifier's


@pytest.mark.slow
@pytest.mark.timeout(900)
@pytest.mark.parametrize("defender", ["sequencer", "verifier"])
def test_dishonest_challenger_loses(tmp_path: Path, defender: str) -> None:
    """A verifier opens a game against a correct root with a lying trace; the honest defender
    bisects to max depth (40: the liar's claim sits there), steps once and wins; the batch
    stays and the challenger's bonds go to the defender. The defender is the sequencer's agent,
    or (``verifier``) only an independent verifier with a key of its own: the sequencer runs
    with ``play_disputes`` off, as an operator who leaves disputes to verifiers would."""
    seq = sequencer(tmp_path / "seq", node={"play_disputes": defender == "sequencer"})
    liar = Faults(lying_trace_from_step=LIE_AFTER_STEPS, challenge_correct_root_at=LIAR_CHALLENGES)
    ver = follower(
        tmp_path / "ver", seq, "verifier", node={"challenger_key": CHALLENGER_KEY, "faults": liar}
    )
    honest = seq
    if defender == "verifier":
        honest = follower(
            tmp_path / "honest", seq, "verifier", node={"challenger_key": DEFENDER_KEY}
        )
    try:
        l1 = seq.l1_w3
        assert l1 is not None
        (game,) = wait_for("the dishonest game", lambda: disputes(honest), timeout=180)
        assert int(game["l2BlockNumber"], 16) == LIAR_CHALLENGES
        assert game["ourRole"] == "defender"

        def resolved() -> dict | None:
            (entry,) = disputes(honest)
            return entry if entry["nextAction"] == "done" else None

        final = wait_for("the game to resolve", resolved, timeout=600, every=1)
        assert final["status"] == "defender_wins"
        claims = _claims_json(final)
        depths = {int(c["position"], 16).bit_length() - 1 for c in claims}
        assert depths == set(range(seq.node.rollup.max_game_depth + 1))
        assert honest.node.agent is not None and honest.node.agent.us is not None
        (leaf,) = [c for c in claims if int(c["position"], 16).bit_length() - 1 == 40]
        assert leaf["counteredBy"] == honest.node.agent.us  # one real step by the defender
        assert {c["claimant"] for c in claims[1::2]} == {honest.node.agent.us}
        registry = honest.node.registry
        assert registry.get_sample_value("dispute_moves_total", {"kind": "step"}) == 1
        if defender == "verifier":  # the sequencer followed no game and paid no bond
            assert seq.node.agent is None and disputes(seq) == []
            assert registry.get_sample_value("dispute_games_created_total") == 0
        # The challenger's bond and move bonds went to the defender; nothing was deleted.
        assert int(final["creditClaimed"], 16) > seq.node.rollup.required_bond
        scc = seq.node.rollup.l1_addresses.state_commitment_chain
        assert logs_of(l1, scc, STATE_BATCH_DELETED) == []
        assert ver.node.watcher.checked.get(LIAR_CHALLENGES)
        assert not ver.node.watcher.deletions
    finally:
        if honest is not seq:
            honest.stop()
        ver.stop()
        seq.stop()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _verifier_process(
    seq: RunningNode, data_dir: Path, port: int, log: Path
) -> subprocess.Popen[bytes]:
    config = Path(seq.config.node.data_dir) / "rollup.toml"
    assert seq.l1_url is not None
    cmd = [
        sys.executable, "-m", "rollup_node.cli", "verifier", "--config", str(config),
        "--l1-rpc", seq.l1_url, "--data-dir", str(data_dir), "--rpc-port", str(port),
        "--challenger-key", CHALLENGER_KEY,
    ]  # fmt: skip
    return subprocess.Popen(cmd, stdout=log.open("ab"), stderr=subprocess.STDOUT)


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_challenger_killed_mid_game_restarts_and_wins(tmp_path: Path) -> None:
    """kill -9 the challenging verifier (its own process) mid-bisection; restarted on the same
    data dir it finds its game on L1 and its trace on disk, and wins."""
    seq = sequencer(
        tmp_path / "seq",
        Faults(wrong_output_root_once=WRONG_BLOCK, lying_trace_from_step=LIE_AFTER_STEPS),
        max_clock_duration=FULL_CLOCK_SECONDS,
        max_game_depth=ODD_DEPTH,
    )
    port, log = _free_port(), tmp_path / "verifier.log"
    rpc = Web3(Web3.HTTPProvider(f"http://127.0.0.1:{port}", request_kwargs={"timeout": 10}))

    def games() -> list[dict[str, Any]]:
        try:
            entries = rpc.provider.make_request("rollup_disputes", [])["result"]
        except OSError:
            return []
        return [entry for entry in entries if entry["kind"] == "game"]

    def depth_reached() -> int:
        found = games()
        positions = [int(c["position"], 16) for g in found for c in g["claims"]]
        return max((p.bit_length() - 1 for p in positions), default=-1)

    proc = _verifier_process(seq, tmp_path / "ver", port, log)
    try:
        wait_for("the bisection to get going", lambda: depth_reached() >= 10, 240, 1)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
        proc = _verifier_process(seq, tmp_path / "ver", port, log)

        def resolved() -> dict | None:
            found = games()
            return found[0] if found and found[0]["nextAction"] == "done" else None

        final = wait_for("the game to resolve", resolved, timeout=600, every=1)
        assert final["status"] == "challenger_wins" and final["ourRole"] == "challenger"
        depths = {int(c["position"], 16).bit_length() - 1 for c in final["claims"]}
        assert depths == set(range(ODD_DEPTH + 1))
        # the restarted node reopened the stored trace instead of running the program again
        assert log.read_text().count("trace ready") == 2
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
        seq.stop()


def test_a_node_refuses_to_play_with_another_absolute_prestate(tmp_path: Path) -> None:
    """SPEC §11: a factory whose absolute prestate is not this program build's stops the node
    at start with one line and a non-zero exit."""
    seq = sequencer(tmp_path / "seq")
    try:
        l1 = seq.l1_w3
        assert l1 is not None and seq.l1_url is not None
        written = load_config(Path(seq.config.node.data_dir) / "rollup.toml", environ={})
        rollup = written.rollup
        a = rollup.l1_addresses
        scc, bonds = (
            Web3.to_checksum_address(x) for x in (a.state_commitment_chain, a.bond_manager)
        )
        other = b"\x03" + b"\x42" * 31
        factory = deploy(
            l1,
            "DisputeGameFactory",
            (
                scc, bonds, scc, scc, other, rollup.max_game_depth,
                rollup.max_clock_duration, rollup.clock_extension, 10**16,
                rollup.l2_chain_id, rollup.consensus_config_hash(),
            ),
        )  # fmt: skip
        moved = a.model_copy(update={"dispute_game_factory": factory.address.lower()})
        config = tmp_path / "other.toml"
        write_rollup_config(
            written.model_copy(
                update={"rollup": rollup.model_copy(update={"l1_addresses": moved})}
            ),
            config,
        )
        cmd = [
            sys.executable, "-m", "rollup_node.cli", "verifier", "--config", str(config),
            "--l1-rpc", seq.l1_url, "--data-dir", str(tmp_path / "ver"),
            "--rpc-port", str(_free_port()),
        ]  # fmt: skip
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        assert done.returncode == 2
        (line,) = [x for x in done.stderr.splitlines() if x.startswith("rollup-node:")]
        assert "refusing to play dispute games" in line and "0x03" + "42" * 31 in line
    finally:
        seq.stop()
