"""``eth_subscribe`` options per kind (rpc/subscriptions.py), over a WebSocket of the RPC app:
``newPendingTransactions`` takes geth's optional boolean (``true``: whole transactions),
``syncing`` is served, a kind given options it does not take is invalid params."""

from __future__ import annotations

from aiohttp.test_utils import TestClient
from eth_hash.auto import keccak

from tests.unit.rpc.fake_backend import ALICE, LOGGER, sign
from tests.unit.rpc.test_eth import hx
from tests.unit.rpc.test_websocket import ask


async def _pending_note(ws, raw: bytes) -> dict:  # noqa: ANN001 - aiohttp's client socket
    """Send ``raw`` and return the notification (it may arrive before or after the answer)."""
    first = await ask(ws, "eth_sendRawTransaction", hx(raw))
    second = await ws.receive_json(timeout=5)
    note, answer = (first, second) if "method" in first else (second, first)
    assert answer["result"] == hx(keccak(raw))
    return note["params"]


async def test_pending_transactions_with_false_notify_hashes(client: TestClient) -> None:
    async with client.ws_connect("/") as ws:
        subscription = (await ask(ws, "eth_subscribe", "newPendingTransactions", False))["result"]
        raw = sign(ALICE, nonce=1)
        assert await _pending_note(ws, raw) == {
            "subscription": subscription,
            "result": hx(keccak(raw)),
        }


async def test_pending_transactions_with_true_notify_whole_transactions(
    client: TestClient,
) -> None:
    async with client.ws_connect("/") as ws:
        subscription = (await ask(ws, "eth_subscribe", "newPendingTransactions", True))["result"]
        raw = sign(ALICE, nonce=1, to=LOGGER, value=5)
        params = await _pending_note(ws, raw)
        assert params["subscription"] == subscription
        transaction = params["result"]
        assert transaction["hash"] == hx(keccak(raw))
        assert transaction["to"] == hx(LOGGER) and transaction["value"] == "0x5"
        assert transaction["blockNumber"] is None  # queued, not yet in a block


async def test_syncing_is_served_and_options_are_checked_per_kind(client: TestClient) -> None:
    async with client.ws_connect("/") as ws:
        syncing = await ask(ws, "eth_subscribe", "syncing")
        assert syncing["result"].startswith("0x")
        assert (await ask(ws, "eth_unsubscribe", syncing["result"]))["result"] is True
        for kind, options, wanted in [
            ("newPendingTransactions", {"address": hx(LOGGER)}, "a boolean"),
            ("logs", True, "a filter object"),
            ("newHeads", False, "no options"),
            ("syncing", True, "no options"),
        ]:
            error = (await ask(ws, "eth_subscribe", kind, options))["error"]
            assert error == {
                "code": -32602,
                "message": f"invalid argument 1 (options): {kind} takes {wanted}",
            }
        odd = (await ask(ws, "eth_subscribe", "logs", "0x01"))["error"]
        assert odd["code"] == -32602
