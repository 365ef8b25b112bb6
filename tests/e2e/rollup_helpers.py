"""Helpers for the end-to-end suites: a sequencer on the test's L1, followers, L1 deposits.

The L1 is the one ``tests/e2e/conftest.py`` binds for the test (``bind_l1``): the devnet's
embedded L1, or anvil (``tests/e2e/l1.py``). Outside the e2e suite it is the embedded one.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from eth_abi import encode as abi_encode
from eth_account import Account
from eth_hash.auto import keccak
from web3 import Web3

from rollup_node.chain.genesis import devnet_accounts
from rollup_node.config import Config, RollupConfig, load_config, write_rollup_config
from rollup_node.deploy import deploy_rollup
from rollup_node.faults import Faults
from rollup_node.l1.transactor import connect
from tests.e2e.l1 import L1
from tests.integration.helpers import account
from tests.node_harness import RunningNode

T = TypeVar("T")
ENQUEUE = keccak(b"enqueue(address,uint64,bool,bytes)")[:4]
FORCE_INCLUDE = keccak(b"forceInclude()")[:4]
ROLLUP_CONFIG_FILE = "rollup.toml"  # in the sequencer's data dir, as the devnet writes it

_bound: L1 | None = None  # the L1 of the running test (None: the embedded one)


def bind_l1(l1: L1 | None) -> None:
    """Make ``l1`` the L1 that ``sequencer`` starts rollups on (``None``: embedded)."""
    global _bound
    _bound = l1


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


def sequencer(
    path: Path, faults: Faults | None = None, node: dict[str, Any] | None = None, **rollup: Any
) -> RunningNode:
    """A sequencer (with batcher and proposer) on the test's L1, which has 1 s blocks, with
    node settings overridden by ``node`` (e.g. ``play_disputes``).

    Embedded: a devnet (its L1 in ``path``, contracts deployed at first start). anvil: the
    contracts are deployed on the test's anvil at the first start on ``path`` and the config
    is written to ``path/rollup.toml`` as the devnet does; a restart on ``path`` reuses it.
    Either way ``l1_url``/``l1_w3`` of the result reach the L1.
    """
    faults, node = faults or Faults(), node or {}
    if _bound is None:
        return RunningNode(path, faults=faults, rollup=rollup, **node)
    if _bound.kind == "embedded":
        return _bound.started(RunningNode(path, faults=faults, rollup=rollup, **node))
    params = RollupConfig.model_validate({"l2_block_time": 1, **rollup})
    anvil = _bound.anvil(params.l1_chain_id)
    key = "0x" + devnet_accounts()[0][1].removeprefix("0x")  # anvil's first funded account
    written = path / ROLLUP_CONFIG_FILE
    if not written.exists():
        path.mkdir(parents=True, exist_ok=True)
        deployed = asyncio.run(_deploy(anvil.url, key, params))
        write_rollup_config(Config(rollup=deployed), written)
    config = load_config(written, environ={}).rollup.model_dump(mode="json")
    running = RunningNode(
        path,
        mode="sequencer",
        l1_rpc=anvil.url,
        sequencer_key=key,
        faults=faults,
        rollup=config,
        **node,
    )
    running.l1_url, running.l1_w3 = anvil.url, anvil.w3
    return _bound.started(running)


async def _deploy(url: str, key: str, params: RollupConfig) -> RollupConfig:
    w3 = connect(url)
    try:
        return await deploy_rollup(w3, key, params)
    finally:
        await w3.provider.disconnect()


def follower(
    path: Path,
    seq: RunningNode,
    mode: str,
    node: dict[str, Any] | None = None,
    **operational: Any,
) -> RunningNode:
    """A verifier or replica on ``seq``'s L1, from the rollup config its sequencer wrote, with
    non-consensus rollup settings overridden by ``operational`` (e.g. ``confirmations``) and
    node settings by ``node`` (e.g. ``sequencer_ws``)."""
    written = load_config(Path(seq.config.node.data_dir) / ROLLUP_CONFIG_FILE, environ={})
    rollup = {**written.rollup.model_dump(mode="json"), **operational}
    return RunningNode(path, mode=mode, l1_rpc=seq.l1_url, rollup=rollup, **(node or {}))


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


__all__ = [
    "account",
    "bind_l1",
    "enqueue_deposit",
    "follower",
    "l1_send",
    "same_chain",
    "sequencer",
]
