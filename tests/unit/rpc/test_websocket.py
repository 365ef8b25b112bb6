"""JSON-RPC over WebSocket and ``eth_subscribe`` notifications."""

from __future__ import annotations

from typing import Any

from aiohttp import ClientWebSocketResponse, WSMsgType
from aiohttp.test_utils import TestClient
from eth_hash.auto import keccak

from tests.unit.rpc.conftest import Call
from tests.unit.rpc.fake_backend import ALICE, ALICE_ADDRESS, LOGGER, PING_TOPIC, FakeChain, sign
from tests.unit.rpc.test_eth import hx


async def ask(ws: ClientWebSocketResponse, method: str, *params: Any) -> dict[str, Any]:
    await ws.send_json({"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)})
    return await ws.receive_json(timeout=5)


async def test_requests_and_batches_over_websocket(client: TestClient) -> None:
    async with client.ws_connect("/") as ws:
        assert (await ask(ws, "eth_chainId"))["result"] == "0x385"
        await ws.send_json(
            [
                {"jsonrpc": "2.0", "id": 1, "method": "eth_blockNumber"},
                {"jsonrpc": "2.0", "id": 2, "method": "net_version"},
            ]
        )
        answers = await ws.receive_json(timeout=5)
        assert [a["result"] for a in answers] == ["0x1", "901"]
        await ws.send_str("{not json")
        assert (await ws.receive_json(timeout=5))["error"]["code"] == -32700


async def test_new_heads_subscription(client: TestClient, chain: FakeChain) -> None:
    async with client.ws_connect("/") as ws:
        subscription = (await ask(ws, "eth_subscribe", "newHeads"))["result"]
        block = chain.mine()
        note = await ws.receive_json(timeout=5)
        assert note["method"] == "eth_subscription"
        assert note["params"]["subscription"] == subscription
        head = note["params"]["result"]
        assert head["hash"] == hx(block.hash) and head["number"] == "0x2"
        assert "transactions" not in head
        assert (await ask(ws, "eth_unsubscribe", subscription))["result"] is True
        again = await ask(ws, "eth_unsubscribe", subscription)
        assert again["error"] == {"code": -32000, "message": "subscription not found"}
        chain.mine()
        assert (await ask(ws, "eth_chainId"))["result"] == "0x385"  # no notification queued


async def test_logs_subscription_filters_by_topic(client: TestClient, chain: FakeChain) -> None:
    async with client.ws_connect("/") as ws:
        wanted = {"address": hx(LOGGER), "topics": [hx(PING_TOPIC), hx(b"\0" * 12 + ALICE_ADDRESS)]}
        subscription = (await ask(ws, "eth_subscribe", "logs", wanted))["result"]
        unrelated = (await ask(ws, "eth_subscribe", "logs", {"topics": [hx(b"\x05" * 32)]}))[
            "result"
        ]
        chain.send_raw_transaction(sign(ALICE, nonce=1, to=LOGGER, data=b"\x09", gas=22_000))
        chain.mine()
        note = await ws.receive_json(timeout=5)
        assert note["params"]["subscription"] == subscription != unrelated
        assert note["params"]["result"]["data"] == "0x09"


async def test_pending_transactions_subscription(client: TestClient) -> None:
    async with client.ws_connect("/") as ws:
        subscription = (await ask(ws, "eth_subscribe", "newPendingTransactions"))["result"]
        raw = sign(ALICE, nonce=1)
        first = await ask(ws, "eth_sendRawTransaction", hx(raw))
        second = await ws.receive_json(timeout=5)
        # The notification is queued while the call runs, so it may come first.
        note, answer = (first, second) if "method" in first else (second, first)
        assert answer["result"] == hx(keccak(raw))
        assert note["params"] == {"subscription": subscription, "result": hx(keccak(raw))}


async def test_subscription_errors(client: TestClient, call: Call) -> None:
    over_http = await call("eth_subscribe", "newHeads")
    assert over_http["error"] == {"code": -32601, "message": "notifications not supported"}
    async with client.ws_connect("/") as ws:
        unknown = await ask(ws, "eth_subscribe", "newBlocks")
        assert unknown["error"]["message"] == 'no "newBlocks" subscription in eth namespace'
        options = await ask(ws, "eth_subscribe", "newHeads", {"address": hx(LOGGER)})
        assert options["error"]["code"] == -32602


async def test_closing_drops_subscriptions(client: TestClient, chain: FakeChain) -> None:
    async with client.ws_connect("/") as ws:
        await ask(ws, "eth_subscribe", "newHeads")
    async with client.ws_connect("/") as ws:
        chain.mine()  # the closed connection's subscription must not break delivery
        subscription = (await ask(ws, "eth_subscribe", "newHeads"))["result"]
        chain.mine()
        note = await ws.receive_json(timeout=5)
        assert note["params"]["subscription"] == subscription


async def test_oversized_websocket_message_closes_the_connection(client: TestClient) -> None:
    async with client.ws_connect("/") as ws:
        await ws.send_str("[" + " " * (64 * 1024 + 1) + "]")
        message = await ws.receive(timeout=5)
        assert message.type in (WSMsgType.CLOSE, WSMsgType.CLOSED, WSMsgType.CLOSING)
        assert ws.close_code == 1009  # message too big
