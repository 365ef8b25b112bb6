"""Malformed and oversized input over raw HTTP: the right error code, and nothing broken after.

This module's node runs with small RPC limits (batch size, body size, getLogs range) so that
going over each one is cheap; every test ends by checking that a normal request still works.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator

import pytest
import requests
import websockets

from tests.integration.helpers import L2_CHAIN_ID, wait_block
from tests.node_harness import RunningNode

MAX_BATCH = 10
MAX_BODY = 64 * 1024
MAX_LOG_RANGE = 3


@pytest.fixture(scope="module")
def devnet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningNode]:
    node = RunningNode(
        tmp_path_factory.mktemp("devnet"),
        rollup_services=False,
        rpc_max_batch=MAX_BATCH,
        rpc_max_body_bytes=MAX_BODY,
        rpc_max_log_range=MAX_LOG_RANGE,
    )
    yield node
    node.stop()


def post(url: str, body: bytes | str, **kwargs) -> requests.Response:  # noqa: ANN003
    headers = {"Content-Type": "application/json"}
    return requests.post(url, data=body, headers=headers, timeout=30, **kwargs)


def request(method: str, params: object = None, request_id: object = 1) -> dict:
    body: dict = {"jsonrpc": "2.0", "id": request_id, "method": method}
    if params is not None:
        body["params"] = params
    return body


def assert_still_serving(url: str) -> None:
    answer = post(url, json.dumps(request("eth_chainId", []))).json()
    assert answer == {"jsonrpc": "2.0", "id": 1, "result": hex(L2_CHAIN_ID)}


@pytest.mark.parametrize(
    "body",
    [b"{", b"not json", b'{"jsonrpc": "2.0", "method": "eth_chainId", "id": 1', b"\xff\xfe", b""],
)
def test_bad_json_is_a_parse_error(devnet, body: bytes) -> None:
    response = post(devnet.url, body)
    assert response.status_code == 200
    answer = response.json()
    assert answer["id"] is None
    assert answer["error"]["code"] == -32700
    # Syntax errors say "parse error"; a body that is not UTF-8 says so after it.
    assert answer["error"]["message"] in ("parse error", "parse error: the body is not UTF-8")
    assert_still_serving(devnet.url)


@pytest.mark.parametrize(
    "payload",
    [
        42,
        "eth_chainId",
        [],
        {"jsonrpc": "1.0", "id": 1, "method": "eth_chainId"},
        {"id": 1, "method": "eth_chainId"},
        {"jsonrpc": "2.0", "id": 1, "method": 7},
        {"jsonrpc": "2.0", "id": [1], "method": "eth_chainId"},
    ],
)
def test_invalid_request(devnet, payload: object) -> None:
    answer = post(devnet.url, json.dumps(payload)).json()
    assert answer["error"]["code"] == -32600
    assert answer["jsonrpc"] == "2.0"
    assert_still_serving(devnet.url)


def test_unknown_method(devnet) -> None:
    for method in ("eth_doesNotExist", "debug_setHead", "", "admin_addPeer"):
        answer = post(devnet.url, json.dumps(request(method, []))).json()
        assert answer["id"] == 1
        assert answer["error"]["code"] == -32601
        assert method in answer["error"]["message"]
    assert_still_serving(devnet.url)


@pytest.mark.parametrize(
    ("method", "params", "names"),
    [
        ("eth_getBalance", ["0x1234", "latest"], "argument 0"),
        ("eth_getBalance", [], "missing value for required argument 0"),
        ("eth_getBalance", ["0x" + "11" * 20, "latest", 3], "too many arguments"),
        ("eth_getBalance", ["0x" + "11" * 20, "0x01"], "leading zero"),
        ("eth_getBalance", ["0x" + "11" * 20, "newest"], "argument 1"),
        ("eth_getBlockByNumber", ["0x1", "yes"], "argument 1"),
        ("eth_getTransactionByHash", ["0x1234"], "argument 0"),
        ("eth_sendRawTransaction", ["zz"], "argument 0"),
        ("eth_call", [{"to": "0x12"}, "latest"], "argument 0"),
        ("eth_getLogs", [{"topics": ["0x12"]}], "argument 0"),
        ("eth_feeHistory", ["0x2", "latest", [90, 10]], "argument 2"),
        ("eth_chainId", {"not": "a list"}, "non-array args"),
    ],
)
def test_wrong_params_are_invalid_params(devnet, method: str, params: object, names: str) -> None:
    answer = post(devnet.url, json.dumps(request(method, params))).json()
    assert answer["error"]["code"] == -32602, answer
    assert names in answer["error"]["message"]
    assert_still_serving(devnet.url)


def test_batch_answers_each_request_in_order(devnet) -> None:
    batch = [
        request("eth_chainId", [], 1),
        request("eth_nope", [], "two"),
        request("eth_getBalance", ["0x12"], 3),
        {"jsonrpc": "2.0", "method": "eth_chainId"},  # a notification: no answer
        7,
        request("net_version", [], 4),
    ]
    answer = post(devnet.url, json.dumps(batch)).json()
    assert [item["id"] for item in answer] == [1, "two", 3, None, 4]
    assert answer[0]["result"] == hex(L2_CHAIN_ID)
    assert answer[1]["error"]["code"] == -32601
    assert answer[2]["error"]["code"] == -32602
    assert answer[3]["error"]["code"] == -32600
    assert answer[4]["result"] == str(L2_CHAIN_ID)
    assert post(devnet.url, json.dumps([{"jsonrpc": "2.0", "method": "eth_chainId"}])).text == ""


def test_batch_over_the_limit(devnet) -> None:
    batch = [request("eth_chainId", [], i) for i in range(MAX_BATCH + 1)]
    answer = post(devnet.url, json.dumps(batch)).json()
    assert answer["error"]["code"] == -32005
    at_limit = post(devnet.url, json.dumps(batch[:MAX_BATCH])).json()
    assert [item["id"] for item in at_limit] == list(range(MAX_BATCH))
    assert_still_serving(devnet.url)


def test_huge_bodies_are_refused(devnet) -> None:
    filler = "0x" + "00" * MAX_BODY
    body = json.dumps(request("eth_sendRawTransaction", [filler]))
    response = post(devnet.url, body)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == -32005

    def chunks() -> Iterator[bytes]:  # no Content-Length: the server must cut it while reading
        encoded = body.encode()
        for start in range(0, len(encoded), 8192):
            yield encoded[start : start + 8192]

    chunked = requests.post(
        devnet.url, data=chunks(), headers={"Content-Type": "application/json"}, timeout=30
    )
    assert chunked.status_code == 413
    assert chunked.json()["error"]["code"] == -32005
    assert_still_serving(devnet.url)


def test_get_logs_range_over_the_limit(devnet) -> None:
    wait_block(devnet.w3, MAX_LOG_RANGE + 1)
    over = request("eth_getLogs", [{"fromBlock": "0x0", "toBlock": hex(MAX_LOG_RANGE)}])
    answer = post(devnet.url, json.dumps(over)).json()
    assert answer["error"]["code"] == -32005
    within = request("eth_getLogs", [{"fromBlock": "0x1", "toBlock": hex(MAX_LOG_RANGE)}])
    assert post(devnet.url, json.dumps(within)).json()["result"] == []
    backwards = request("eth_getLogs", [{"fromBlock": "0x2", "toBlock": "0x1"}])
    assert post(devnet.url, json.dumps(backwards)).json()["error"]["code"] == -32000
    assert_still_serving(devnet.url)


def test_plain_get_and_probes(devnet) -> None:
    assert requests.get(devnet.url, timeout=10).headers["Content-Type"].startswith("text/html")
    assert requests.get(devnet.url + "/healthz", timeout=10).status_code == 200
    assert requests.get(devnet.url + "/readyz", timeout=10).status_code == 200


def test_blocks_keep_coming_after_all_this(devnet) -> None:
    head = devnet.w3.eth.block_number
    wait_block(devnet.w3, head + 2)
    assert_still_serving(devnet.url)


async def test_websocket_bad_input(devnet) -> None:
    async with websockets.connect(devnet.ws_url, max_size=None) as socket:
        await socket.send("{not json")
        answer = json.loads(await asyncio.wait_for(socket.recv(), 10))
        assert answer["error"]["code"] == -32700
        await socket.send(json.dumps(request("eth_nope", [])))
        assert json.loads(await asyncio.wait_for(socket.recv(), 10))["error"]["code"] == -32601
        await socket.send(json.dumps(request("eth_chainId", [], 9)))
        assert json.loads(await asyncio.wait_for(socket.recv(), 10))["result"] == hex(L2_CHAIN_ID)
        # A message over the body limit ends this connection, and only this one.
        await socket.send(json.dumps(request("eth_chainId", ["x" * MAX_BODY])))
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await asyncio.wait_for(socket.recv(), 10)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009
    async with websockets.connect(devnet.ws_url) as socket:
        await socket.send(json.dumps(request("eth_chainId", [], 10)))
        assert json.loads(await asyncio.wait_for(socket.recv(), 10))["id"] == 10
    assert_still_serving(devnet.url)
