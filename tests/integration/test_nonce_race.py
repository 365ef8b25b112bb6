"""A nonce race on the operator's L1 key is logged as one, and the operator carries on.

The README warns that a wallet sharing the batcher/proposer key races the node for nonces
(issue 15 saw it logged as "L1 unavailable"). Here a devnet's batcher and proposer run while
the test, a second holder of the same key, spends the nonces behind their back on the embedded
L1: the node logs "nonce race on L1", never "L1 unavailable", re-reads the nonce and keeps
posting batches and output roots. The transactor's refusals are tested on both L1 kinds in
tests/unit/l1/test_transactor_refusals.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from eth_account import Account
from web3 import Web3

from tests.e2e.rollup_helpers import sequencer, wait_for

RECIPIENT = "0x00000000000000000000000000000000000000AA"


def spend_a_nonce(w3: Web3, key: str, chain_id: int) -> None:
    """Send a transfer from ``key`` with its next nonce and wait for it (1 s L1 blocks)."""
    sender = Account.from_key(key).address
    tx = {
        "to": RECIPIENT, "value": 1, "gas": 21_000, "chainId": chain_id, "type": 2,
        "nonce": w3.eth.get_transaction_count(sender, "pending"),
        "maxFeePerGas": 50 * 10**9, "maxPriorityFeePerGas": 2 * 10**9,
    }  # fmt: skip
    try:
        sent = w3.eth.send_raw_transaction(Account.sign_transaction(tx, key).raw_transaction)
    except ValueError:
        return  # the node took that nonce first this time: the race goes both ways
    w3.eth.wait_for_transaction_receipt(sent, timeout=30)


def test_a_nonce_race_on_the_operator_key_is_logged_as_one(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    seq = sequencer(tmp_path / "seq")
    try:
        batcher, proposer = seq.node.batcher, seq.node.proposer
        assert batcher is not None and proposer is not None and seq.l1_w3 is not None
        wait_for("a first batch", lambda: batcher.posted >= 1)
        capfd.readouterr()  # the start-up lines
        logged: list[str] = []

        def raced() -> bool:
            logged.extend(capfd.readouterr().out.splitlines())
            if any("nonce race on L1" in line for line in logged):
                return True
            spend_a_nonce(seq.l1_w3, seq.node.sequencer_key, seq.node.rollup.l1_chain_id)
            return False

        wait_for("the node to meet a nonce race", raced, timeout=60)
        posted, proposed = batcher.posted, proposer.proposed
        wait_for("the batcher to post again", lambda: batcher.posted > posted)
        wait_for("the proposer to propose again", lambda: proposer.proposed > proposed)
        logged.extend(capfd.readouterr().out.splitlines())
        assert not [line for line in logged if "L1 unavailable" in line], logged
    finally:
        seq.stop()
