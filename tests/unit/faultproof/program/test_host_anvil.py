"""The program host's L1 reader against anvil, a real L1 client: headers of its current fork
re-encode to their hashes, and ``eth_getProof`` storage keys go out as 32-byte hex (anvil
rejects a quantity such as ``0x5`` with "odd number of digits")."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from eth_account import Account
from eth_hash.auto import keccak

from rollup_node.faultproof.program.host import Web3ProgramL1Source
from tests.e2e.l1 import ANVIL, Anvil
from tests.integration.helpers import account

pytestmark = [
    pytest.mark.anvil,
    pytest.mark.skipif(ANVIL is None, reason="npm install --prefix tests/e2e/anvil"),
]


@pytest.fixture
def anvil(tmp_path: Path) -> Iterator[Anvil]:
    node = Anvil(tmp_path / "anvil.log", chain_id=900, block_time_seconds=None)
    yield node
    node.stop()


def test_header_and_storage_proof_from_anvil(anvil: Anvil) -> None:
    w3 = anvil.w3
    _, key = account(1)
    # init code: SSTORE(5, 1), then return no code
    tx = {
        "data": bytes.fromhex("600160055500"),
        "gas": 100_000,
        "gasPrice": 2 * 10**9,
        "nonce": 0,
        "chainId": 900,
    }
    tx_hash = w3.eth.send_raw_transaction(Account.sign_transaction(tx, key).raw_transaction)
    receipt = w3.eth.wait_for_transaction_receipt(tx_hash, timeout=10)
    block = w3.eth.get_block(receipt["blockNumber"])
    reader = Web3ProgramL1Source(w3, "0x" + "00" * 20)

    header = reader.header_rlp(bytes(block["hash"]))
    assert keccak(header) == bytes(block["hash"])

    contract = bytes.fromhex(receipt["contractAddress"][2:])
    nodes = reader.proof_nodes(bytes(block["hash"]), contract, [(5).to_bytes(32, "big")])
    hashes = {keccak(node) for node in nodes}
    assert bytes(block["stateRoot"]) in hashes  # the account proof's root node
    storage_root = bytes(
        w3.eth.get_proof(receipt["contractAddress"], [], block["number"])["storageHash"]
    )
    assert storage_root in hashes  # the storage proof's root node: slot 5 is set
