"""The program's host (host.py): L1 headers rebuilt from web3 hash to their block hash, hint
data checked for length, and fetched data checked against the hash the program asked for."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from eth_hash.auto import keccak
from web3 import Web3
from web3.providers import BaseProvider

from rollup_node.chain.chain import Chain
from rollup_node.chain.genesis import open_l2_chain
from rollup_node.chain.store import ChainStore
from rollup_node.config import RollupConfig
from rollup_node.faultproof.oracle.keys import keccak_key
from rollup_node.faultproof.program.host import (
    Dispute,
    HintDataError,
    ProgramHost,
    Web3ProgramL1Source,
    consensus_config_preimage,
)
from rollup_node.rpc.formatting import format_block


class _NodeProvider(BaseProvider):
    """web3 provider answering ``eth_getBlockByHash`` from a chain with the node's RPC
    formatting: the JSON a real endpoint returns, parsed by web3's own formatters."""

    def __init__(self, chain: Chain) -> None:
        super().__init__()
        self.chain = chain

    def make_request(self, method: str, params: Any) -> dict[str, Any]:
        assert method == "eth_getBlockByHash", method
        block = self.chain.block_by_hash(bytes.fromhex(params[0][2:]))
        return {"jsonrpc": "2.0", "id": 1, "result": format_block(block, False)}


def test_l1_header_reencodes_to_its_hash(tmp_path: Path) -> None:
    """A Cancun header served as JSON is rebuilt to the RLP that hashes to its block hash."""
    store = ChainStore(tmp_path / "chain")
    try:
        chain = open_l2_chain(store, RollupConfig(l2_genesis_timestamp=1234))
        reader = Web3ProgramL1Source(Web3(_NodeProvider(chain)), "0x" + "00" * 20)
        genesis = chain.block_by_number(0)
        assert reader.header_rlp(genesis.hash) == genesis.header_rlp
    finally:
        store.close()


def _host() -> ProgramHost:
    config = RollupConfig()
    return ProgramHost(Dispute(b"\1" * 32, b"\2" * 32, b"\3" * 32, 1, config), None, None)


def test_rollup_config_hint_serves_the_consensus_preimage() -> None:
    host = _host()
    config_hash = host.dispute.config.consensus_config_hash()
    host.handlers()["rollup-config"](config_hash)
    preimage = host.store.get_preimage(keccak_key(consensus_config_preimage(host.dispute.config)))
    assert keccak(preimage) == config_hash


def test_hint_with_wrong_hash_or_length_is_refused() -> None:
    host = _host()
    with pytest.raises(HintDataError):
        host.handlers()["rollup-config"](b"\0" * 32)  # not the config's hash
    with pytest.raises(HintDataError):
        host.handlers()["rollup-config"](b"\0" * 31)
