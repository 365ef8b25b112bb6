"""Foundry's cast and ethers, unmodified, on what issue 15 adds (rpc/access_list.py,
rpc/accounts.py): ``cast access-list`` and ``cast send --access-list`` (which builds its list
with ``eth_createAccessList``), and ethers' node-held signer (``getSigner``, ``signMessage``,
``signTypedData``) against the real embedded L1 served by the node's RPC server.

The clients are the npm packages of ``tests/unit/rpc/clients`` (see test_wallet_clients.py);
without them these tests are skipped.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry
from web3 import Web3

from rollup_node.devnet.l1 import EmbeddedL1
from rollup_node.metrics import NodeMetrics
from rollup_node.rpc.server import build_app
from tests.unit.rpc.live_server import LiveServer
from tests.unit.rpc.test_access_list import STORE_RUNTIME, deploy, reader_runtime
from tests.unit.rpc.test_wallet_clients import CAST, key, pytestmark, run

__all__ = ["pytestmark"]  # skipped, as test_wallet_clients, when the clients are not installed

L1_CHAIN_ID = 900


@pytest.fixture
def l1(tmp_path: Path) -> Iterator[tuple[str, Web3]]:
    chain = EmbeddedL1(tmp_path, L1_CHAIN_ID, 0, NodeMetrics(CollectorRegistry(), chain="l1"))
    server = LiveServer(build_app(chain.chain, dev=chain), (chain.run,))
    try:
        yield server.url, Web3(Web3.HTTPProvider(server.url))
    finally:
        server.close()
        chain.close()


def test_cast_access_list_and_send_with_it(l1: tuple[str, Web3]) -> None:
    url, w3 = l1
    cast = str(CAST)
    store = deploy(w3, STORE_RUNTIME)
    reader = deploy(w3, reader_runtime(bytes.fromhex(store[2:])))
    sender = w3.eth.accounts[3]
    listed = json.loads(run(cast, "access-list", reader, "--from", sender, "-r", url, "--json"))
    ours = w3.eth.create_access_list({"from": sender, "to": reader})
    assert int(listed["gasUsed"], 16) == ours["gasUsed"]
    assert _by_address(listed["accessList"]) == _by_address(ours["accessList"])
    assert {e["address"].lower() for e in listed["accessList"]} >= {store.lower(), reader.lower()}
    sent = json.loads(
        run(cast, "send", "--json", "--access-list", "--private-key", key(3), reader, "-r", url)
    )
    assert sent["status"] == "0x1"
    tx = w3.eth.get_transaction(sent["transactionHash"])
    assert {e["address"].lower() for e in tx["accessList"]} == {
        e["address"].lower() for e in listed["accessList"]
    }
    assert int(sent["gasUsed"], 16) == ours["gasUsed"]


def _by_address(entries: list) -> dict[str, list[str]]:
    """An access list as {address: slots}, slots as hex text (web3.py gives bytes)."""
    return {
        entry["address"].lower(): [
            key if isinstance(key, str) else key.to_0x_hex() for key in entry["storageKeys"]
        ]
        for entry in entries
    }


def test_ethers_node_held_signer(l1: tuple[str, Web3]) -> None:
    url, _ = l1
    assert run("node", "check_ethers_signer.mjs", url) == "ethers signer ok"
