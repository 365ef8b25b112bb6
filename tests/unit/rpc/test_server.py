"""Transport: probes, metrics, body-size limit, CORS and the service's start/stop."""

from __future__ import annotations

import asyncio
import json
import threading

import aiohttp
from aiohttp.test_utils import TestClient, TestServer
from prometheus_client import CollectorRegistry

from rollup_node.rpc.metrics import RpcMetrics
from rollup_node.rpc.server import RpcServer, build_app
from tests.unit.rpc.conftest import TEST_LIMITS
from tests.unit.rpc.fake_backend import FakeChain


async def test_probes_answer_their_json_body_with_200_or_503(chain: FakeChain) -> None:
    ready = {"ok": False, "reasons": ["starting"]}
    app = build_app(chain, ready=lambda: ready)
    async with TestClient(TestServer(app)) as client:
        assert (await client.get("/healthz")).status == 200
        answer = await client.get("/readyz")
        assert answer.status == 503
        assert await answer.json() == {"ok": False, "reasons": ["starting"]}
        ready.update(ok=True, reasons=[])
        assert (await client.get("/readyz")).status == 200


async def test_metrics_count_calls_by_method_and_code(chain: FakeChain) -> None:
    metrics = RpcMetrics(CollectorRegistry())
    async with TestClient(TestServer(build_app(chain, metrics=metrics))) as client:
        for method in ("eth_chainId", "eth_chainId", "made_up"):
            await client.post("/", json={"jsonrpc": "2.0", "id": 1, "method": method})
        await client.post("/", data="{oops")
        text = await (await client.get("/metrics")).text()
    assert 'rpc_requests_total{code="ok",method="eth_chainId"} 2.0' in text
    assert 'rpc_requests_total{code="-32601",method="unknown"} 1.0' in text
    assert 'rpc_requests_total{code="-32700",method="unknown"} 1.0' in text
    assert 'rpc_request_duration_seconds_count{method="eth_chainId"} 2.0' in text


async def test_two_servers_in_one_process_do_not_clash(chain: FakeChain) -> None:
    build_app(chain)
    build_app(chain)  # each gets its own registry unless one is shared on purpose


async def test_oversized_body_is_413_with_limit_error(client: TestClient) -> None:
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "x", "params": ["a" * 70_000]})
    response = await client.post("/", data=body)
    assert response.status == 413
    answer = await response.json()
    assert answer["error"]["code"] == -32005
    assert answer["error"]["message"] == (
        f"request body too large: at most {TEST_LIMITS.max_body_bytes} bytes"
    )


async def test_oversized_chunked_body_is_cut_while_reading(client: TestClient) -> None:
    sent = 0

    async def endless():
        nonlocal sent
        for _ in range(1_000):
            sent += 16_384
            yield b" " * 16_384

    try:
        response = await client.post("/", data=endless())
        assert response.status == 413
        assert (await response.json())["error"]["code"] == -32005
    except aiohttp.ClientError:
        pass  # the server may also drop the connection once it has answered
    assert sent < 1_000 * 16_384  # the server stopped reading long before the end


async def test_cors_preflight_and_headers(client: TestClient) -> None:
    preflight = await client.options(
        "/",
        headers={
            "Origin": "https://dapp.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.status == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert preflight.headers["Access-Control-Allow-Headers"] == "content-type"
    response = await client.post(
        "/",
        json={"jsonrpc": "2.0", "id": 1, "method": "eth_chainId"},
        headers={"Origin": "https://dapp.example"},
    )
    assert response.headers["Access-Control-Allow-Origin"] == "*"


async def test_cors_origin_list(chain: FakeChain) -> None:
    app = build_app(chain, cors_origins=("https://wallet.example",))
    async with TestClient(TestServer(app)) as client:
        body = {"jsonrpc": "2.0", "id": 1, "method": "eth_chainId"}
        allowed = await client.post("/", json=body, headers={"Origin": "https://wallet.example"})
        assert allowed.headers["Access-Control-Allow-Origin"] == "https://wallet.example"
        other = await client.post("/", json=body, headers={"Origin": "https://evil.example"})
        assert "Access-Control-Allow-Origin" not in other.headers


async def test_plain_get_of_the_root_serves_the_status_page(client: TestClient) -> None:
    """A browser's GET of ``/`` gets the page; JSON-RPC stays on POST (and WebSocket)."""
    page = await client.get("/", headers={"Accept": "text/html"})
    assert page.status == 200 and page.content_type == "text/html"
    assert "rollup_syncStatus" in await page.text()
    assert (await client.get("/")).content_type == "text/html"
    body = {"jsonrpc": "2.0", "id": 1, "method": "eth_chainId"}
    assert "result" in await (await client.post("/", json=body)).json()
    async with client.ws_connect("/") as socket:
        await socket.send_json(body)
        assert "result" in await socket.receive_json()


async def test_server_start_and_stop_closes_websockets(chain: FakeChain) -> None:
    server = RpcServer(build_app(chain))
    await server.start("127.0.0.1", 0)
    assert server.port
    async with aiohttp.ClientSession() as session:
        url = f"http://127.0.0.1:{server.port}/"
        async with session.post(
            url, json={"jsonrpc": "2.0", "id": 1, "method": "eth_chainId"}
        ) as r:
            assert (await r.json())["result"] == "0x385"
        ws = await session.ws_connect(url)
        await ws.send_json(
            {"jsonrpc": "2.0", "id": 1, "method": "eth_subscribe", "params": ["newHeads"]}
        )
        await ws.receive_json(timeout=5)
        await asyncio.wait_for(server.stop(), timeout=10)
        closing = await ws.receive(timeout=5)
        assert closing.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
        assert not chain.callbacks  # the backend subscription was dropped
        await ws.close()


class GatedChain(FakeChain):
    """A chain whose ``eth_call`` blocks its worker thread until the test opens the gate."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = threading.Event()

    def call(self, request, block_number, overrides, pending=False):  # noqa: ANN001 - as FakeChain
        assert self.gate.wait(timeout=10)
        return super().call(request, block_number, overrides, pending)


async def test_a_slow_call_does_not_block_other_requests() -> None:
    chain = GatedChain()
    async with TestClient(TestServer(build_app(chain))) as client:
        slow_body = {"jsonrpc": "2.0", "id": 1, "method": "eth_call", "params": [{}]}
        slow = asyncio.ensure_future(client.post("/", json=slow_body))
        fast = await client.post("/", json={"jsonrpc": "2.0", "id": 2, "method": "eth_chainId"})
        assert (await fast.json())["result"] == "0x385"
        async with client.ws_connect("/") as ws:
            await ws.send_json(slow_body)
            await ws.send_json({"jsonrpc": "2.0", "id": 3, "method": "eth_blockNumber"})
            assert (await ws.receive_json(timeout=5))["id"] == 3
            assert not slow.done()
            chain.gate.set()
            assert (await ws.receive_json(timeout=5)) == {"jsonrpc": "2.0", "id": 1, "result": "0x"}
        assert (await (await slow).json())["result"] == "0x"
