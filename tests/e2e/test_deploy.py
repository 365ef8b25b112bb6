"""``rollup-node deploy`` against an L1 over JSON-RPC, then a sequencer and a replica run on
that L1 with the config it wrote (the non-devnet path, SPEC §1, §2, §4)."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest
from eth_abi import decode
from eth_hash.auto import keccak
from web3 import Web3

from rollup_node.chain.genesis import genesis_output
from rollup_node.config import load_config
from rollup_node.deploy_cli import register
from tests.e2e.l1 import L1
from tests.e2e.rollup_helpers import same_chain, wait_for
from tests.integration.helpers import account
from tests.node_harness import RunningNode


def call(w3: Web3, to: str, signature: str) -> int:
    raw = w3.eth.call({"to": Web3.to_checksum_address(to), "data": keccak(signature.encode())[:4]})
    return decode(["uint256"], raw)[0]


def test_deploy_then_sequencer_and_replica(l1: L1, tmp_path: Path) -> None:
    nodes: list[RunningNode] = []
    with l1.bare(tmp_path / "l1") as (url, w3):
        try:
            deploy_then_run(tmp_path, url, w3, nodes)
        finally:
            for node in reversed(nodes):
                node.stop()


def deploy_then_run(tmp_path: Path, url: str, w3: Web3, nodes: list[RunningNode]) -> None:
    """Deploy with the CLI on the L1 at ``url``, check the contracts, then run a sequencer and
    a replica with the config it wrote (appending them to ``nodes``)."""
    operator, key = account(5)
    key = key if key.startswith("0x") else "0x" + key
    out = tmp_path / "rollup.toml"
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers())
    args = parser.parse_args(["deploy", "--l1-rpc", url, "--key", key, "--out", str(out)])
    assert args.func(args) == 0
    rollup = load_config(out, environ={}).rollup
    assert rollup.sequencer_address == operator.lower()
    addresses = rollup.l1_addresses
    for address in (addresses.canonical_transaction_chain, addresses.state_commitment_chain):
        assert w3.eth.get_code(Web3.to_checksum_address(address))
    assert call(w3, addresses.state_commitment_chain, "totalElements()") == 1
    for address in (
        addresses.l1_cross_domain_messenger,
        addresses.l1_standard_bridge,
        addresses.dispute_game_factory,
    ):
        assert w3.eth.get_code(Web3.to_checksum_address(address))
    ctc = addresses.canonical_transaction_chain
    finalizer = call(w3, ctc, "withdrawalFinalizer()")
    assert finalizer == int(addresses.l1_cross_domain_messenger, 16)
    factory = addresses.dispute_game_factory
    config_hash = call(w3, factory, "consensusConfigHash()")
    assert config_hash == int.from_bytes(rollup.consensus_config_hash(), "big")
    assert rollup.l2_genesis_timestamp >= rollup.genesis_l1.timestamp
    # SCC element 0 is the genesis output root of exactly this config
    logs = w3.eth.get_logs(
        {"address": Web3.to_checksum_address(addresses.state_commitment_chain), "fromBlock": 0}
    )
    roots = decode(["bytes32", "uint256", "uint256", "bytes", "bytes32[]"], logs[0]["data"])[4]
    assert roots == (genesis_output(rollup).root,)

    config = rollup.model_dump(mode="json")
    seq = RunningNode(
        tmp_path / "seq", mode="sequencer", l1_rpc=url, sequencer_key=key, rollup=config
    )
    nodes.append(seq)
    wait_for("a safe block", lambda: seq.node.l2.safe_number() >= 3)
    rep = RunningNode(tmp_path / "rep", mode="replica", l1_rpc=url, rollup=config)
    nodes.append(rep)
    target = seq.node.l2.safe_number()
    wait_for("the replica", lambda: rep.node.l2.safe_number() >= target)
    same_chain(seq, rep, target)
    wait_for("proposals", lambda: seq.node.proposer.proposed >= 3)


@pytest.mark.l1_independent
def test_deploy_reports_a_bad_endpoint(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers())
    _, key = account(5)
    out = tmp_path / "rollup.toml"
    args = parser.parse_args(
        ["deploy", "--l1-rpc", "http://127.0.0.1:9", "--key", key, "--out", str(out)]
    )
    assert args.func(args) == 1
    assert "rollup-node deploy:" in capsys.readouterr().err
    assert not out.exists()
