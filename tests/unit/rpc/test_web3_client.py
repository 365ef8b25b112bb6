"""web3.py, unmodified, against the server on a real port: the wallet flows end to end."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
import requests
from web3 import AsyncWeb3, Web3
from web3.exceptions import ContractLogicError, Web3RPCError
from web3.middleware import SignAndSendRawMiddlewareBuilder
from web3.providers.persistent import WebSocketProvider

from rollup_node.rpc.limits import RpcLimits
from rollup_node.rpc.server import build_app
from tests.unit.rpc.fake_backend import (
    ALICE,
    BOB,
    ECHO,
    LOGGER,
    REVERTER,
    FakeChain,
    sign,
)
from tests.unit.rpc.live_server import LiveServer


@pytest.fixture
def live(chain: FakeChain) -> Iterator[LiveServer]:
    server = LiveServer(build_app(chain, limits=RpcLimits(max_body_bytes=256 * 1024)))
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def w3(live: LiveServer) -> Web3:
    return Web3(Web3.HTTPProvider(live.url))


def test_reads(w3: Web3, live: LiveServer, chain: FakeChain) -> None:
    assert w3.is_connected()
    assert w3.eth.chain_id == 901
    assert w3.net.version == "901"
    assert w3.eth.block_number == 1
    assert w3.eth.get_balance(ALICE.address) == chain.balance(bytes.fromhex(ALICE.address[2:]), 1)
    assert w3.eth.get_code(Web3.to_checksum_address(ECHO)) == b"\x60\x00"
    block = w3.eth.get_block("latest", full_transactions=True)
    assert block["number"] == 1
    assert [tx["type"] for tx in block["transactions"]] == [0x7E, 2, 0]
    assert block["transactions"][0]["sourceHash"]
    receipt = w3.eth.get_transaction_receipt(block["transactions"][1]["hash"])
    assert receipt["status"] == 1
    assert receipt["l1Fee"] == "0x4d2"  # web3 passes fields it does not know through
    logs = w3.eth.get_logs({"fromBlock": 0, "address": Web3.to_checksum_address(LOGGER)})
    assert len(logs) == 1 and logs[0]["logIndex"] == 0
    history = w3.eth.fee_history(2, "latest", [50])
    assert history["oldestBlock"] == 0 and len(history["baseFeePerGas"]) == 3
    assert w3.eth.gas_price > w3.eth.max_priority_fee > 0
    proof = w3.eth.get_proof(Web3.to_checksum_address(ECHO), [7], "latest")
    assert int.from_bytes(proof["storageProof"][0]["value"], "big") == 0xBEEF


def test_wallet_send_flow(w3: Web3, live: LiveServer, chain: FakeChain) -> None:
    w3.middleware_onion.inject(SignAndSendRawMiddlewareBuilder.build(ALICE), layer=0)
    tx_hash = w3.eth.send_transaction({"from": ALICE.address, "to": BOB.address, "value": 7})
    pending = w3.eth.get_transaction(tx_hash)
    assert pending["blockNumber"] is None
    assert w3.eth.get_transaction_count(ALICE.address, "pending") == 2
    live.on_loop(chain.mine)
    receipt = w3.eth.wait_for_transaction_receipt(tx_hash, timeout=10)
    assert receipt["blockNumber"] == 2 and receipt["status"] == 1


def test_errors_as_web3_raises_them(w3: Web3) -> None:
    with pytest.raises(ContractLogicError) as revert:
        w3.eth.call({"to": Web3.to_checksum_address(REVERTER), "data": b"boom".hex()})
    assert revert.value.message == "execution reverted: boom"
    assert revert.value.data.startswith("0x08c379a0")
    with pytest.raises(Web3RPCError, match="nonce too low"):
        w3.eth.send_raw_transaction(sign(ALICE, nonce=0))
    assert w3.eth.estimate_gas({"to": Web3.to_checksum_address(ECHO)}) == 21_000


def test_huge_body_is_refused_with_413(w3: Web3) -> None:
    with pytest.raises(requests.HTTPError, match="413"):
        w3.eth.call({"to": Web3.to_checksum_address(ECHO), "data": "0x" + "ab" * 300_000})


def test_block_filter(w3: Web3, live: LiveServer, chain: FakeChain) -> None:
    block_filter = w3.eth.filter("latest")
    block = live.on_loop(chain.mine)
    assert block_filter.get_new_entries() == [block.hash]


def test_websocket_subscription(live: LiveServer, chain: FakeChain) -> None:
    ws_url = live.url.replace("http://", "ws://")

    async def scenario() -> dict:
        async with AsyncWeb3(WebSocketProvider(ws_url)) as w3:
            assert await w3.eth.chain_id == 901
            subscription = await w3.eth.subscribe("newHeads")
            await asyncio.to_thread(live.on_loop, chain.mine)
            async for message in w3.socket.process_subscriptions():
                assert message["subscription"] == subscription
                return message["result"]
        raise AssertionError("no notification")

    head = asyncio.run(asyncio.wait_for(scenario(), timeout=20))
    assert head["number"] == 2
