"""The JSON-RPC envelope over HTTP: ids, batches, notifications and every error class."""

from __future__ import annotations

import json

from aiohttp.test_utils import TestClient, TestServer

from rollup_node.rpc.metrics import RpcMetrics
from rollup_node.rpc.server import build_app
from tests.unit.rpc.conftest import TEST_LIMITS, Call
from tests.unit.rpc.fake_backend import FakeChain


async def post(client: TestClient, body: object) -> object:
    text = body if isinstance(body, str) else json.dumps(body)
    response = await client.post("/", data=text)
    assert response.status == 200
    raw = await response.text()
    return json.loads(raw) if raw else None


def request(method: str, *params: object, request_id: object = 1) -> dict:
    return {"jsonrpc": "2.0", "id": request_id, "method": method, "params": list(params)}


async def test_id_is_echoed(client: TestClient) -> None:
    for request_id in ("abc", 7, None, 1.5):
        answer = await post(client, request("eth_chainId", request_id=request_id))
        assert answer == {"jsonrpc": "2.0", "id": request_id, "result": "0x385"}


async def test_parse_error(client: TestClient) -> None:
    answer = await post(client, '{"jsonrpc": "2.0", "method": ')
    assert answer == {
        "jsonrpc": "2.0",
        "id": None,
        "error": {"code": -32700, "message": "parse error"},
    }


async def test_invalid_requests(client: TestClient) -> None:
    for body in (
        {"jsonrpc": "1.0", "id": 1, "method": "eth_chainId"},
        {"jsonrpc": "2.0", "id": 1, "method": 5},
        {"jsonrpc": "2.0", "id": {"x": 1}, "method": "eth_chainId"},
        "42",
    ):
        answer = await post(client, body)
        assert answer["error"] == {"code": -32600, "message": "invalid request"}
    answer = await post(client, {"jsonrpc": "1.0", "method": "eth_chainId"})
    assert answer == {
        "jsonrpc": "2.0",
        "id": None,
        "error": {"code": -32600, "message": "invalid request"},
    }
    answer = await post(client, [])
    assert answer["error"] == {"code": -32600, "message": "empty batch"}


async def test_unknown_method(call: Call) -> None:
    answer = await call("eth_sendTransaction", {})
    assert answer["error"] == {
        "code": -32601,
        "message": "the method eth_sendTransaction does not exist/is not available",
    }


async def test_param_errors_name_the_argument(call: Call) -> None:
    answer = await call("eth_getBalance", "0x1234")
    assert answer["error"]["code"] == -32602
    assert answer["error"]["message"] == (
        "invalid argument 0 (address): hex string has length 4, want 40 for address"
    )
    answer = await call("eth_getBalance")
    assert answer["error"]["message"] == "missing value for required argument 0 (address)"
    answer = await call("eth_chainId", 1)
    assert answer["error"]["message"] == "too many arguments, want at most 0"


async def test_object_params_are_refused(client: TestClient) -> None:
    body = {"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": {"a": 1}}
    answer = await post(client, body)
    assert answer["error"] == {"code": -32602, "message": "non-array args"}


async def test_batch_answers_in_order_and_skips_notifications(client: TestClient) -> None:
    batch = [
        request("eth_chainId", request_id=1),
        {"jsonrpc": "2.0", "method": "eth_blockNumber"},
        request("nope", request_id=2),
        "junk",
        request("net_version", request_id=3),
    ]
    answer = await post(client, batch)
    assert [a["id"] for a in answer] == [1, 2, None, 3]
    assert answer[0]["result"] == "0x385"
    assert answer[1]["error"]["code"] == -32601
    assert answer[2]["error"]["code"] == -32600
    assert answer[3]["result"] == "901"


async def test_only_notifications_get_an_empty_body(client: TestClient) -> None:
    assert await post(client, {"jsonrpc": "2.0", "method": "eth_chainId"}) is None
    assert await post(client, [{"jsonrpc": "2.0", "method": "eth_chainId"}]) is None


async def test_batch_size_limit(client: TestClient) -> None:
    batch = [request("eth_chainId", request_id=i) for i in range(TEST_LIMITS.max_batch_size + 1)]
    answer = await post(client, batch)
    assert answer["error"]["code"] == -32005
    assert "batch too large" in answer["error"]["message"]


async def test_batches_of_requests_with_unhashable_method_names(client: TestClient) -> None:
    batch = [
        {"jsonrpc": "2.0", "id": 1, "method": ["eth_chainId"]},
        {"jsonrpc": "2.0", "id": 2, "method": {"a": 1}, "params": []},
        request("eth_chainId", request_id=3),
    ]
    answer = await post(client, batch)
    assert [item["id"] for item in answer] == [1, 2, 3]
    assert [item.get("error", {}).get("code") for item in answer] == [-32600, -32600, None]


class BrokenChain(FakeChain):
    """A chain whose balance read has a bug: the server must answer -32603 and live on."""

    def balance(self, address: bytes, block_number: int) -> int:
        raise KeyError("bug")


async def test_unexpected_exception_is_internal_error() -> None:
    metrics = RpcMetrics()
    app = build_app(BrokenChain(), metrics=metrics)
    async with TestClient(TestServer(app)) as client:
        answer = await post(client, request("eth_getBalance", "0x" + "00" * 20))
        assert answer["error"] == {"code": -32603, "message": "internal error"}
        answer = await post(client, request("eth_chainId"))
        assert answer["result"] == "0x385"
    counted = metrics.registry.get_sample_value(
        "rpc_internal_errors_total", {"method": "eth_getBalance"}
    )
    assert counted == 1.0
