"""Poll filters: blocks, pending transactions, logs, expiry and uninstall."""

from __future__ import annotations

from aiohttp.test_utils import TestClient, TestServer

from rollup_node.rpc.limits import RpcLimits
from rollup_node.rpc.server import build_app
from tests.unit.rpc.conftest import Call
from tests.unit.rpc.fake_backend import ALICE, LOGGER, PING_TOPIC, FakeChain, sign
from tests.unit.rpc.test_eth import error, hx, result


async def test_block_filter_collects_new_heads(call: Call, chain: FakeChain) -> None:
    filter_id = await result(call, "eth_newBlockFilter")
    assert await result(call, "eth_getFilterChanges", filter_id) == []
    first, second = chain.mine(), chain.mine()
    assert await result(call, "eth_getFilterChanges", filter_id) == [
        hx(first.hash),
        hx(second.hash),
    ]
    assert await result(call, "eth_getFilterChanges", filter_id) == []
    assert await result(call, "eth_uninstallFilter", filter_id) is True
    assert await result(call, "eth_uninstallFilter", filter_id) is False
    gone = await error(call, "eth_getFilterChanges", filter_id)
    assert gone == {"code": -32000, "message": "filter not found"}


async def test_pending_transaction_filter_sees_accepted_transactions(call: Call) -> None:
    filter_id = await result(call, "eth_newPendingTransactionFilter")
    tx_hash = await result(call, "eth_sendRawTransaction", hx(sign(ALICE, nonce=1)))
    assert await result(call, "eth_getFilterChanges", filter_id) == [tx_hash]


async def test_log_filter_matches_new_logs_only(call: Call, chain: FakeChain) -> None:
    filter_id = await result(
        call, "eth_newFilter", {"address": hx(LOGGER), "topics": [hx(PING_TOPIC)]}
    )
    other = await result(call, "eth_newFilter", {"topics": [hx(b"\x01" * 32)]})
    chain.send_raw_transaction(sign(ALICE, nonce=1, to=LOGGER, data=b"\x07", gas=22_000))
    block = chain.mine()
    changes = await result(call, "eth_getFilterChanges", filter_id)
    assert [c["blockHash"] for c in changes] == [hx(block.hash)]
    assert changes[0]["data"] == "0x07"
    assert await result(call, "eth_getFilterChanges", other) == []
    # getFilterLogs re-runs the criteria over its range ("latest" = the new head).
    assert await result(call, "eth_getFilterLogs", filter_id) == changes
    block_filter = await result(call, "eth_newBlockFilter")
    assert (await error(call, "eth_getFilterLogs", block_filter))["message"] == "filter not found"


async def test_log_filter_respects_its_block_range(call: Call, chain: FakeChain) -> None:
    filter_id = await result(call, "eth_newFilter", {"fromBlock": "0x1", "toBlock": "0x2"})
    for nonce in (1, 2):
        chain.send_raw_transaction(sign(ALICE, nonce=nonce, to=LOGGER, gas=22_000))
        chain.mine()
    changes = await result(call, "eth_getFilterChanges", filter_id)
    assert [c["blockNumber"] for c in changes] == ["0x2"]
    history = await result(call, "eth_getFilterLogs", filter_id)
    assert [c["blockNumber"] for c in history] == ["0x1", "0x2"]


async def test_filters_expire_when_idle(chain: FakeChain) -> None:
    app = build_app(chain, limits=RpcLimits(filter_timeout_seconds=0.0))
    async with TestClient(TestServer(app)) as client:
        body = {"jsonrpc": "2.0", "id": 1, "method": "eth_newBlockFilter"}
        filter_id = (await (await client.post("/", json=body)).json())["result"]
        poll = {"jsonrpc": "2.0", "id": 2, "method": "eth_getFilterChanges", "params": [filter_id]}
        answer = await (await client.post("/", json=poll)).json()
        assert answer["error"]["message"] == "filter not found"


async def test_filter_count_is_bounded(chain: FakeChain) -> None:
    app = build_app(chain, limits=RpcLimits(max_filters=1))
    async with TestClient(TestServer(app)) as client:
        body = {"jsonrpc": "2.0", "id": 1, "method": "eth_newBlockFilter"}
        assert "result" in await (await client.post("/", json=body)).json()
        answer = await (await client.post("/", json=body)).json()
        assert answer["error"]["code"] == -32005
