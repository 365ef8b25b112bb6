"""Issue 3's long end-to-end run: a devnet carries 200+ L2 blocks of mixed traffic, then a
verifier and a replica started on empty data dirs rebuild the chain from L1 alone and agree
with the sequencer on every block (SPEC §1, §3, §6, §7).

Four L2 accounts send concurrently (tests/e2e/traffic.py): legacy, access-list and dynamic-fee
transactions; ETH transfers; contract creations, some reverting, some destroying themselves;
storage churn; logs; precompile calls; calls that revert or run out of gas; an ERC20 (the
compiled MintableERC20, minted by its deployer) with mints, transfers, approvals and failing
transfers and mints; withdrawals on the L2ToL1MessagePasser; and submissions the sequencer
must refuse. An L1 account enqueues deposits through the CTC meanwhile (mints, calldata, a
creation, a withdrawal, failing ones). Every block 0..head must then be identical on the three
nodes (as served by RPC, with full transactions), every receipt too, and balances, nonces,
storage and token balances at several heights; the proposer's roots are checked by the
verifier, which finds no dispute and, with ``check_with_program``, has the fault-proof
program accept every block it derived; and the blocks must really hold the intended mix.

The run takes real time: the sequencer builds block ``n`` at ``l2_genesis_timestamp + n·T``
and T ≥ 1 s, so 210 blocks take 210 s — running the sequencer ahead of its schedule would test
a node that does not exist. The whole test takes about 4 minutes per L1 kind (embedded, anvil)
on two cores, plus the program check's tail (231 blocks at 0.85 s each finished 141 s after
the last root, under a load of 11 on two cores); it is in the ``slow`` suite.
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from web3 import Web3

from rollup_node.protocol.predeploys import L1_FEE_VAULT, L1_INFO_DEPOSITOR, SEQUENCER_FEE_VAULT
from tests.e2e.rollup_helpers import account, follower, same_chain, sequencer, wait_for
from tests.e2e.traffic import (
    MESSAGE_PASSED_TOPIC,
    MESSAGE_PASSER,
    TRANSFER_TOPIC,
    DepositSent,
    Sender,
    rpc_batch,
    run_threads,
    send_deposits,
)
from tests.integration.helpers import wait_receipts
from tests.node_harness import RunningNode

pytestmark = pytest.mark.slow

SENDERS = (1, 2, 3, 4)
DEPOSITOR = 9  # sends nothing on L2 itself: deposits use its L2 nonce
TRAFFIC_BLOCKS = 210
PAUSE_SECONDS = (0.4, 1.6)  # between one sender's transactions
DEPOSIT_EVERY_SECONDS = 10
DEPOSIT_TX_TYPE = "0x7e"
L1_INFO_SENDER = "0x" + L1_INFO_DEPOSITOR.hex()


def blocks_of(node: RunningNode, upto: int) -> list[dict[str, Any]]:
    """Blocks 0..upto as ``eth_getBlockByNumber`` serves them, with full transactions."""
    return rpc_batch(node.url, [("eth_getBlockByNumber", [hex(n), True]) for n in range(upto + 1)])


def receipts_of(node: RunningNode, hashes: list[str]) -> dict[str, dict[str, Any]]:
    """``eth_getTransactionReceipt`` of each of ``hashes``."""
    answers = rpc_batch(node.url, [("eth_getTransactionReceipt", [h]) for h in hashes])
    return dict(zip(hashes, answers, strict=True))


def deposit_included(seq: RunningNode, sender: str, plan: DepositSent, since: int) -> bool:
    """Whether ``plan``'s deposit is in the sequencer's blocks after ``since``."""
    blocks = rpc_batch(
        seq.url,
        [("eth_getBlockByNumber", [hex(n), True]) for n in range(since, seq.w3.eth.block_number)],
    )
    return any(
        tx["type"] == DEPOSIT_TX_TYPE
        and tx["from"].lower() == sender.lower()
        and int(tx["mint"], 16) == plan.mint_wei
        for block in blocks
        for tx in block["transactions"]
    )


def traffic_mix(blocks: list[dict[str, Any]], receipts: dict[str, dict[str, Any]]) -> Counter:
    """What the blocks hold: transactions by type and outcome, logs of interest, deposits."""
    mix: Counter = Counter()
    names = {"0x0": "legacy", "0x1": "access_list_type", "0x2": "dynamic"}
    for block in blocks[1:]:
        users = [tx for tx in block["transactions"] if tx["type"] != DEPOSIT_TX_TYPE]
        mix["blocks_with_user_txs"] += bool(users)
        for tx in block["transactions"]:
            receipt = receipts[tx["hash"]]
            ok = int(receipt["status"], 16) == 1
            topics = [log["topics"][0] for log in receipt["logs"] if log["topics"]]
            if tx["type"] == DEPOSIT_TX_TYPE:
                if tx["from"].lower() == L1_INFO_SENDER:
                    continue
                mix["deposits"] += 1
                mix["deposits_with_data"] += tx["input"] != "0x"
                mix["failed_deposits"] += not ok
                mix["deposit_withdrawals"] += MESSAGE_PASSED_TOPIC in topics
                continue
            mix[names[tx["type"]]] += 1
            mix["with_access_list"] += bool(tx.get("accessList"))
            if tx["to"] is None:
                mix["created" if ok else "failed_creation"] += 1
            elif not ok:
                mix["failed_call"] += 1
            mix["erc20_transfer_logs"] += topics.count(TRANSFER_TOPIC)
            mix["withdrawals"] += MESSAGE_PASSED_TOPIC in topics
    return mix


def find_deposit(blocks: list[dict[str, Any]], sender: str, plan: DepositSent) -> dict[str, Any]:
    """The L2 transaction of ``plan`` (its mint is unique)."""
    found = [
        tx
        for block in blocks
        for tx in block["transactions"]
        if tx["type"] == DEPOSIT_TX_TYPE
        and tx["from"].lower() == sender.lower()
        and int(tx["mint"], 16) == plan.mint_wei
    ]
    assert len(found) == 1, f"deposit {plan.kind} (mint {plan.mint_wei}) found {len(found)} times"
    return found[0]


def state_probes(senders: list[Sender], extra: list[str]) -> list[tuple[str, list[Any]]]:
    """Balance, nonce, code and storage reads that must agree across nodes."""
    addresses = [s.address for s in senders] + extra
    addresses += [Web3.to_checksum_address(a) for a in (SEQUENCER_FEE_VAULT, L1_FEE_VAULT)]
    calls: list[tuple[str, list[Any]]] = []
    for address in addresses + [MESSAGE_PASSER]:
        calls.append(("eth_getBalance", [address]))
        calls.append(("eth_getTransactionCount", [address]))
    for sender in senders:
        contracts = sender.contracts
        assert contracts is not None
        calls.append(("eth_getCode", [contracts.token]))
        calls += [("eth_getStorageAt", [contracts.churn, hex(slot)]) for slot in range(8)]
        calls.append(("eth_getStorageAt", [contracts.logger, "0x0"]))
        calls += [
            ("eth_call", [{"to": contracts.token, "data": balance_of(holder.address)}])
            for holder in senders
        ]
    calls.append(("eth_getStorageAt", [MESSAGE_PASSER, "0x1"]))  # messageNonce
    return calls


def balance_of(holder: str) -> str:
    """``balanceOf(holder)`` calldata, hex."""
    return "0x70a08231" + "00" * 12 + holder[2:].lower()


@pytest.mark.timeout(1500)
@pytest.mark.filterwarnings("ignore:SELFDESTRUCT opcode:DeprecationWarning")  # py-evm's notice
def test_mixed_traffic_followers_agree_on_every_block(tmp_path: Path) -> None:
    seq = sequencer(tmp_path / "seq")
    followers: list[RunningNode] = []
    try:
        chain_id = seq.w3.eth.chain_id
        senders = [Sender(seq.url, chain_id, account(i)[1], seed=i) for i in SENDERS]
        for sender in senders:
            sender.peers = [peer for peer in senders if peer is not sender]
        run_threads([sender.deploy_contracts for sender in senders])
        wait_receipts(seq.w3, [s.tx_hash for sender in senders for s in sender.submitted])

        # --- traffic over 200+ blocks: four senders and a depositor at once ---------------
        first = seq.node.l2.head_number()
        end = first + TRAFFIC_BLOCKS

        def over() -> bool:
            return seq.node.l2.head_number() >= end

        depositor, depositor_key = account(DEPOSITOR)
        deposits: list[DepositSent] = []
        contracts = senders[0].contracts
        assert contracts is not None

        def deposit() -> None:
            deposits.extend(
                send_deposits(seq, depositor_key, contracts, over, DEPOSIT_EVERY_SECONDS, seed=9)
            )

        workers = [lambda s=sender: s.run(over, PAUSE_SECONDS) for sender in senders]
        run_threads([deposit, *workers])
        submitted = [s for sender in senders for s in sender.submitted]
        refused = [r for sender in senders for r in sender.refused]
        wait_receipts(seq.w3, [s.tx_hash for s in submitted], timeout=60)
        wait_for(
            "the last deposit on L2",
            lambda: deposit_included(seq, depositor, deposits[-1], since=first),
            timeout=60,
            every=1,
        )
        target = seq.node.l2.head_number()
        assert target >= 200

        # --- the sequencer's blocks are safe on L1, none replaced -----------------------
        wait_for(
            "the sequencer's blocks to be safe",
            lambda: seq.node.l2.safe_number() >= target,
            timeout=180,
        )
        assert seq.node.derivation.engine.replaced == 0

        # --- a verifier and a replica on empty data dirs ------------------------------
        # the verifier also judges every block with the fault-proof program
        checked = {"check_with_program": True}
        followers.append(follower(tmp_path / "verifier", seq, "verifier", node=checked))
        followers.append(follower(tmp_path / "replica", seq, "replica"))
        for node in followers:
            wait_for(
                f"the {node.config.node.mode} to derive block {target}",
                lambda n=node: n.node.l2.safe_number() >= target,
                timeout=600,
                every=1,
            )

        # --- the same chain everywhere: every block, every receipt, the state ------------
        started = time.monotonic()
        for node in followers:
            same_chain(seq, node, target)
        ours = blocks_of(seq, target)
        hashes = [tx["hash"] for block in ours[1:] for tx in block["transactions"]]
        receipts = receipts_of(seq, hashes)
        for node in followers:
            theirs = blocks_of(node, target)
            for number in range(target + 1):
                assert theirs[number] == ours[number], f"block {number} differs on {node.url}"
            assert receipts_of(node, hashes) == receipts, f"receipts differ on {node.url}"
        extra = [depositor] + [plan.to for plan in deposits if plan.to]
        extra += [r["contractAddress"] for r in receipts.values() if r["contractAddress"]][:20]
        probes = [
            (method, [*params, hex(number)])
            for number in (target // 3, 2 * target // 3, target)
            for method, params in state_probes(senders, extra)
        ]
        state = rpc_batch(seq.url, probes)
        for node in followers:
            assert rpc_batch(node.url, probes) == state, f"state differs on {node.url}"
        compare_seconds = time.monotonic() - started

        # --- the traffic landed as intended -------------------------------------------
        for sent in submitted:
            receipt = receipts[sent.tx_hash]
            assert int(receipt["status"], 16) == sent.expected_status, sent
        included_in = [int(receipts[s.tx_hash]["blockNumber"], 16) for s in submitted]
        assert max(included_in) - min(included_in) >= 200  # spread over 200+ blocks
        destroyed = [
            ("eth_getCode", [receipts[s.tx_hash]["contractAddress"], hex(target)])
            for s in submitted
            if s.action == "create_destroy"
        ]
        for node in (seq, *followers):  # created and removed in the same transaction
            assert rpc_batch(node.url, destroyed) == ["0x"] * len(destroyed)
        for refusal in refused:
            assert refusal.reason in refusal.message, refusal
        assert {r.action for r in refused} == {
            "nonce_too_low", "fee_too_low", "nonce_gap", "insufficient_funds", "intrinsic_gas"
        }  # fmt: skip
        lookups = [("eth_getTransactionByHash", [r.tx_hash]) for r in refused]
        for node in (seq, *followers):
            assert rpc_batch(node.url, lookups) == [None] * len(refused)
        actions = Counter(s.action for s in submitted)
        expected_actions = {name for name, _ in Sender.ACTIONS} - {"refused"}
        expected_actions = (expected_actions - {"token_approve_spend"}) | {
            "token_approve",
            "token_transfer_from",
            "deploy_token",
        }
        assert set(actions) >= expected_actions, actions

        balance_before = seq.w3.eth.get_balance(depositor, 0)
        failed_mints = 0
        for plan in deposits:
            tx = find_deposit(ours, depositor, plan)
            receipt = receipts[tx["hash"]]
            assert int(receipt["status"], 16) == plan.expected_status, plan
            if plan.expected_status == 0:
                failed_mints += plan.mint_wei  # the mint stays with the depositor
                assert int(receipt["gasUsed"], 16) == plan.gas
            if plan.creation:
                created = Web3.to_checksum_address(receipt["contractAddress"])
                assert seq.w3.eth.get_code(created, target)
        assert seq.w3.eth.get_balance(depositor, target) == balance_before + failed_mints
        assert {plan.kind for plan in deposits} == {
            "mint", "mint_data", "call", "withdraw", "create", "revert", "out_of_gas"
        }  # fmt: skip

        mix = traffic_mix(ours, receipts)
        print(f"\nblocks 0..{target}; compared in {compare_seconds:.1f} s; mix: {dict(mix)}")
        print(f"refused: {dict(Counter(r.action for r in refused))}")
        assert mix["legacy"] >= 50 and mix["access_list_type"] >= 50 and mix["dynamic"] >= 50
        assert mix["with_access_list"] >= 20
        assert mix["created"] >= 20 and mix["failed_creation"] >= 5
        assert mix["failed_call"] >= 20
        assert mix["erc20_transfer_logs"] >= 50 and mix["withdrawals"] >= 20
        assert mix["deposits"] == len(deposits) >= 14  # each kind twice
        assert mix["deposits_with_data"] >= 8 and mix["failed_deposits"] >= 4
        assert mix["deposit_withdrawals"] >= 2
        assert mix["blocks_with_user_txs"] >= 0.8 * TRAFFIC_BLOCKS

        # --- roots: the proposer posted them, the verifier checked them, no dispute ------
        proposer = seq.node.proposer
        wait_for(
            "the roots proposed",
            lambda: proposer.proposed >= target or proposer.halted,
            timeout=600,
            every=1,
        )
        assert proposer.halted is None
        watcher = followers[0].node.watcher
        assert watcher is not None
        wait_for(
            "the verifier to check every root",
            lambda: all(n in watcher.checked for n in range(1, target + 1)),
            timeout=120,
        )
        outputs = [("rollup_outputAtBlock", [hex(n)]) for n in range(1, target + 1)]
        roots = [o["outputRoot"] for o in rpc_batch(seq.url, outputs)]
        for node in followers:
            assert [o["outputRoot"] for o in rpc_batch(node.url, outputs)] == roots
        assert ["0x" + watcher.checked[n].hex() for n in range(1, target + 1)] == roots
        for node in (seq, *followers):
            assert rpc_batch(node.url, [("rollup_disputes", [])]) == [[]]
        registry = followers[0].node.registry
        assert registry.get_sample_value("verifier_output_root_mismatches_total") == 0
        started = time.monotonic()
        wait_for(
            "the program to check every block",
            lambda: (registry.get_sample_value("verifier_program_checked_block") or 0) >= target,
            timeout=600,
            every=1,
        )
        assert registry.get_sample_value("verifier_program_mismatches_total") == 0
        runs = registry.get_sample_value("verifier_program_check_seconds_count")
        spent = registry.get_sample_value("verifier_program_check_seconds_sum")
        print(f"program check: {runs:.0f} blocks, {spent / runs:.2f} s per block, "
              f"done {time.monotonic() - started:.0f} s after the roots")  # fmt: skip
        for node in followers:
            status = rpc_batch(node.url, [("rollup_syncStatus", [])])[0]
            assert int(status["safeL2"]["number"], 16) >= target
    finally:
        for node in followers:
            node.stop()
        seq.stop()
