"""JSON-RPC over WebSocket: calls, ``eth_subscribe`` (newHeads, logs) and ``eth_unsubscribe``."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
import websockets
from web3 import AsyncWeb3, WebSocketProvider

from tests.integration.helpers import (
    L2_CHAIN_ID,
    LOGGER_TOPIC,
    account,
    deploy,
    logger_code,
    rpc_error,
    send,
    wait_receipts,
)

TIMEOUT = 20


@pytest.fixture(scope="module")
def logger(devnet) -> str:  # noqa: ANN001
    return deploy(devnet.w3, account(1)[1], logger_code())


async def notifications(w3: AsyncWeb3, count: int) -> list[dict[str, Any]]:
    """The next ``count`` subscription messages (subscription id and result)."""
    out: list[dict[str, Any]] = []

    async def collect() -> None:
        async for message in w3.socket.process_subscriptions():
            out.append(message)
            if len(out) == count:
                return

    await asyncio.wait_for(collect(), TIMEOUT)
    return out


async def test_calls_and_new_heads(devnet) -> None:
    async with AsyncWeb3(WebSocketProvider(devnet.ws_url)) as w3:
        assert await w3.eth.chain_id == L2_CHAIN_ID
        assert await w3.net.version == str(L2_CHAIN_ID)
        subscription = await w3.eth.subscribe("newHeads")
        messages = await notifications(w3, 3)
        assert {m["subscription"] for m in messages} == {subscription}
        heads = [m["result"] for m in messages]
        numbers = [head["number"] for head in heads]
        assert numbers == list(range(numbers[0], numbers[0] + 3))
        for head in heads:
            block = devnet.w3.eth.get_block(head["number"])
            for field in ("hash", "parentHash", "stateRoot", "timestamp", "miner", "gasUsed"):
                assert head[field] == block[field], field
        assert heads[1]["parentHash"] == heads[0]["hash"]
        assert await w3.eth.unsubscribe(subscription) is True


async def test_logs_subscription_follows_its_filter(devnet, logger: str) -> None:
    http = devnet.w3
    _, key = account(2)
    async with AsyncWeb3(WebSocketProvider(devnet.ws_url)) as w3:
        matching = await w3.eth.subscribe("logs", {"address": logger, "topics": [LOGGER_TOPIC]})
        hashes = [send(http, key, to=logger, data=bytes([i]) * 32, gas=100_000) for i in (5, 6)]
        messages = await notifications(w3, 2)
        receipts = wait_receipts(http, hashes)
        assert {m["subscription"] for m in messages} == {matching}
        logs = [m["result"] for m in messages]
        expected = [r["logs"][0] for r in receipts]
        for got, want in zip(logs, expected, strict=True):
            for field in ("address", "data", "blockNumber", "blockHash", "transactionHash"):
                assert got[field] == want[field], field
            assert got["logIndex"] == want["logIndex"]
            assert got["removed"] is False
        assert await w3.eth.unsubscribe(matching) is True


async def test_unsubscribed_and_closed_subscriptions_stop(devnet, logger: str) -> None:
    """Raw frames: the notification envelope, and silence after ``eth_unsubscribe``."""
    async with websockets.connect(devnet.ws_url) as socket:

        async def call(method: str, params: list[Any], request_id: int) -> Any:
            await socket.send(
                json.dumps({"jsonrpc": "2.0", "id": request_id, "method": method, "params": params})
            )
            while True:
                message = json.loads(await asyncio.wait_for(socket.recv(), TIMEOUT))
                if message.get("id") == request_id:
                    return message

        heads = (await call("eth_subscribe", ["newHeads"], 1))["result"]
        other = (await call("eth_subscribe", ["logs", {"address": "0x" + "00" * 20}], 2))["result"]
        first = json.loads(await asyncio.wait_for(socket.recv(), TIMEOUT))
        assert first["jsonrpc"] == "2.0" and first["method"] == "eth_subscription"
        assert first["params"]["subscription"] == heads and "id" not in first
        assert (await call("eth_unsubscribe", [heads], 3))["result"] is True
        again = await call("eth_unsubscribe", [heads], 7)  # geth: an error, not false
        assert again["error"] == {"code": -32000, "message": "subscription not found"}
        unknown = await call("eth_subscribe", ["nonsense"], 4)
        assert unknown["error"]["code"] in (-32601, -32602)
        batch = [
            {"jsonrpc": "2.0", "id": 5, "method": "eth_chainId"},
            {"jsonrpc": "2.0", "id": 6, "method": "eth_blockNumber"},
        ]
        await socket.send(json.dumps(batch))
        answer = json.loads(await asyncio.wait_for(socket.recv(), TIMEOUT))
        assert [item["id"] for item in answer] == [5, 6]
        # Blocks keep coming, but nothing arrives for either subscription.
        head = devnet.w3.eth.block_number
        with pytest.raises(TimeoutError):
            message = await asyncio.wait_for(socket.recv(), 2.5)
            raise AssertionError(f"notification after unsubscribe: {message}")
        assert devnet.w3.eth.block_number > head
        assert other.startswith("0x")


def test_subscribe_needs_a_websocket(devnet) -> None:
    error = rpc_error(devnet.url, "eth_subscribe", ["newHeads"])
    assert error["code"] == -32601
