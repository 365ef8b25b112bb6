"""Helpers for the end-to-end suites: a devnet sequencer, followers on its L1, L1 deposits."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from eth_abi import encode as abi_encode
from eth_account import Account
from eth_hash.auto import keccak
from web3 import Web3

from rollup_node.config import load_config
from rollup_node.faults import Faults
from tests.integration.helpers import account
from tests.node_harness import RunningNode

T = TypeVar("T")
ENQUEUE = keccak(b"enqueue(address,uint64,bool,bytes)")[:4]
FORCE_INCLUDE = keccak(b"forceInclude()")[:4]


def wait_for(what: str, check: Callable[[], T], timeout: float = 60, every: float = 0.2) -> T:
    """Poll ``check`` until it returns something truthy; fail with ``what`` on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(every)


def sequencer(path: Path, faults: Faults | None = None, **rollup: Any) -> RunningNode:
    """A devnet (embedded L1, contracts, sequencer, batcher, proposer) with 1 s L1 blocks."""
    return RunningNode(path, faults=faults or Faults(), rollup=rollup)


def follower(path: Path, seq: RunningNode, mode: str, **operational: Any) -> RunningNode:
    """A verifier or replica on ``seq``'s L1, from the rollup config the devnet wrote, with
    non-consensus rollup settings overridden by ``operational`` (e.g. ``confirmations``)."""
    written = load_config(Path(seq.config.node.data_dir) / "rollup.toml", environ={})
    rollup = {**written.rollup.model_dump(mode="json"), **operational}
    return RunningNode(path, mode=mode, l1_rpc=seq.l1_url, rollup=rollup)


def l1_send(seq: RunningNode, key: str, to: str, data: bytes, value: int = 0) -> dict:
    """Send an L1 transaction from ``key`` and return its receipt."""
    w3 = seq.l1_w3
    assert w3 is not None
    sender = Account.from_key(key).address
    tx = {
        "to": Web3.to_checksum_address(to),
        "data": data,
        "value": value,
        "gas": 1_000_000,
        "maxFeePerGas": 10 * 10**9,
        "maxPriorityFeePerGas": 10**9,
        "nonce": w3.eth.get_transaction_count(sender, "pending"),
        "chainId": seq.config.rollup.l1_chain_id,
        "type": 2,
    }
    tx_hash = w3.eth.send_raw_transaction(Account.sign_transaction(tx, key).raw_transaction)
    return w3.eth.wait_for_transaction_receipt(tx_hash, timeout=30)


def enqueue_deposit(
    seq: RunningNode,
    key: str,
    to: str,
    mint_wei: int,
    gas: int = 100_000,
    data: bytes = b"",
    creation: bool = False,
) -> dict:
    """``CTC.enqueue(to, gas, creation, data)`` with ``mint_wei``; returns the L1 receipt."""
    ctc = seq.node.rollup.l1_addresses.canonical_transaction_chain
    args = abi_encode(["address", "uint64", "bool", "bytes"], [to, gas, creation, data])
    receipt = l1_send(seq, key, ctc, ENQUEUE + args, mint_wei)
    assert receipt["status"] == 1, "enqueue reverted"
    return receipt


def same_chain(a: RunningNode, b: RunningNode, upto: int) -> None:
    """Blocks 0..upto have the same hash and state root on both nodes."""
    for number in range(upto + 1):
        x = a.node.l2.block_by_number(number)
        y = b.node.l2.block_by_number(number)
        assert x is not None and y is not None, f"block {number} missing"
        assert (x.hash, x.state_root) == (y.hash, y.state_root), f"block {number} differs"


__all__ = ["account", "enqueue_deposit", "follower", "l1_send", "same_chain", "sequencer"]
