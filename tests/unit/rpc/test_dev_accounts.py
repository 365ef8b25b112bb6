"""Node-held signers (rpc/accounts.py, devnet/accounts.py) and ``txpool_`` (rpc/txpool.py) on the
real embedded L1 served by the node's RPC server, through web3.py: signatures recover to the
account that made them, ``eth_sendTransaction`` lands, the pool counts what waits for a block;
and outside the devnet no account is served and the signing methods do not exist.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account
from eth_account.messages import encode_defunct, encode_typed_data
from prometheus_client import CollectorRegistry
from web3 import Web3

from rollup_node.chain.genesis import devnet_accounts
from rollup_node.devnet.accounts import DevAccounts, wallet_accounts_for
from rollup_node.devnet.l1 import EmbeddedL1
from rollup_node.metrics import NodeMetrics
from rollup_node.rpc.server import build_app
from tests.unit.rpc.live_server import LiveServer

L1_CHAIN_ID = 900
MAIL: dict[str, Any] = {
    "types": {
        "EIP712Domain": [
            {"name": "name", "type": "string"},
            {"name": "chainId", "type": "uint256"},
        ],
        "Mail": [{"name": "to", "type": "address"}, {"name": "contents", "type": "string"}],
    },
    "primaryType": "Mail",
    "domain": {"name": "rollup-node test", "chainId": L1_CHAIN_ID},
    "message": {"to": "0x" + "ab" * 20, "contents": "hello"},
}


@pytest.fixture
def l1(tmp_path: Path) -> Iterator[tuple[EmbeddedL1, Web3]]:
    chain = EmbeddedL1(tmp_path, L1_CHAIN_ID, 0, NodeMetrics(CollectorRegistry(), chain="l1"))
    server = LiveServer(build_app(chain.chain, dev=chain, pool=chain.intake), (chain.run,))
    try:
        yield chain, Web3(Web3.HTTPProvider(server.url))
    finally:
        server.close()
        chain.close()


def call(w3: Web3, method: str, *params: Any) -> dict[str, Any]:
    return dict(w3.provider.make_request(method, list(params)))


def test_the_ten_mnemonic_accounts_are_listed(l1: tuple[EmbeddedL1, Web3]) -> None:
    _, w3 = l1
    expected = [Web3.to_checksum_address(address) for address, _ in devnet_accounts()]
    assert w3.eth.accounts == expected
    assert len(expected) == 10


def test_message_signatures_recover_to_the_signer(l1: tuple[EmbeddedL1, Web3]) -> None:
    _, w3 = l1
    signer = w3.eth.accounts[4]
    signature = w3.eth.sign(signer, text="gm")
    assert Account.recover_message(encode_defunct(text="gm"), signature=signature) == signer
    assert len(signature) == 65 and signature[64] in (27, 28)
    # personal_sign takes (data, address): the same signature as eth_sign(address, data).
    personal = call(w3, "personal_sign", "0x" + b"gm".hex(), signer)["result"]
    assert bytes.fromhex(personal[2:]) == bytes(signature)


def test_typed_data_as_object_or_text(l1: tuple[EmbeddedL1, Web3]) -> None:
    _, w3 = l1
    signer = w3.eth.accounts[5]
    as_text = call(w3, "eth_signTypedData_v4", signer, json.dumps(MAIL))["result"]
    as_object = call(w3, "eth_signTypedData_v4", signer, MAIL)["result"]
    assert as_text == as_object
    recovered = Account.recover_message(encode_typed_data(full_message=MAIL), signature=as_text)
    assert recovered == signer
    broken = call(w3, "eth_signTypedData_v4", signer, {"types": {}, "message": {}})
    assert broken["error"]["code"] == -32602


def test_an_account_that_is_not_unlocked_is_refused(l1: tuple[EmbeddedL1, Web3]) -> None:
    _, w3 = l1
    stranger = "0x" + "12" * 20
    for method, params in [
        ("eth_sign", [stranger, "0x00"]),
        ("personal_sign", ["0x00", stranger]),
        ("eth_signTypedData_v4", [stranger, MAIL]),
        ("eth_sendTransaction", [{"from": stranger, "to": stranger}]),
    ]:
        assert call(w3, method, *params)["error"] == {"code": -32000, "message": "unknown account"}


def test_txpool_counts_what_waits_for_a_block(l1: tuple[EmbeddedL1, Web3]) -> None:
    _, w3 = l1
    assert call(w3, "txpool_status")["result"] == {"pending": "0x0", "queued": "0x0"}
    assert call(w3, "evm_setAutomine", False)["result"] is None
    sender = w3.eth.accounts[6]
    hashes = [w3.eth.send_transaction({"from": sender, "to": sender, "value": v}) for v in (1, 2)]
    assert call(w3, "txpool_status")["result"] == {"pending": "0x2", "queued": "0x0"}
    content = call(w3, "txpool_content")["result"]
    assert content["queued"] == {}
    by_nonce = content["pending"][sender]
    assert sorted(by_nonce) == ["0", "1"]
    assert [by_nonce[n]["hash"] for n in ("0", "1")] == [h.to_0x_hex() for h in hashes]
    assert by_nonce["1"]["blockNumber"] is None
    call(w3, "evm_mine")
    assert call(w3, "txpool_status")["result"] == {"pending": "0x0", "queued": "0x0"}
    assert w3.eth.get_transaction_receipt(hashes[1])["status"] == 1


def test_only_the_devnet_serves_wallet_accounts(tmp_path: Path) -> None:
    assert isinstance(wallet_accounts_for("devnet"), DevAccounts)
    for mode in ("sequencer", "verifier", "replica"):
        assert wallet_accounts_for(mode) is None
    chain = EmbeddedL1(tmp_path, L1_CHAIN_ID, 0, NodeMetrics(CollectorRegistry(), chain="l1"))
    # The chain served as a sequencer, verifier or replica serves it: no signer, no dev part.
    server = LiveServer(build_app(chain.chain, signer=wallet_accounts_for("sequencer")))
    try:
        w3 = Web3(Web3.HTTPProvider(server.url))
        assert w3.eth.accounts == []
        for method in ("eth_sendTransaction", "eth_sign", "personal_sign", "eth_signTypedData_v4"):
            assert call(w3, method)["error"]["code"] == -32601
        # txpool_ answers without an intake: nothing queued.
        assert call(w3, "txpool_status")["result"] == {"pending": "0x0", "queued": "0x0"}
    finally:
        server.close()
        chain.close()
