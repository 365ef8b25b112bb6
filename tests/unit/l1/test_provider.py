"""The L1 provider never takes web3's process-wide session lock (web3.py issue 3867: a request
cancelled while waiting for it can leave it taken, hanging every async request and the exit),
and a request cancelled mid-flight leaves the provider working."""

from __future__ import annotations

import asyncio
import json

from aiohttp import web
from web3._utils.http_session_manager import HTTPSessionManager

from rollup_node.l1.transactor import connect


async def _server(delay_seconds: float) -> tuple[web.AppRunner, str]:
    """A JSON-RPC endpoint answering ``eth_chainId`` with 900 after ``delay_seconds``."""

    async def handle(request: web.Request) -> web.Response:
        body = json.loads(await request.read())
        await asyncio.sleep(delay_seconds)
        return web.json_response({"jsonrpc": "2.0", "id": body["id"], "result": hex(900)})

    app = web.Application()
    app.router.add_post("/", handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    return runner, f"http://127.0.0.1:{port}"


async def test_requests_do_not_take_web3s_session_lock() -> None:
    runner, url = await _server(0)
    w3 = connect(url)
    lock = HTTPSessionManager._lock
    assert lock.acquire(timeout=5)  # as a request poisoned by a cancellation would leave it
    try:
        assert await asyncio.wait_for(w3.eth.chain_id, timeout=10) == 900
    finally:
        lock.release()
        await w3.provider.disconnect()
        await runner.cleanup()


async def test_a_cancelled_request_leaves_the_provider_working() -> None:
    runner, url = await _server(0.5)
    w3 = connect(url)
    try:
        pending = asyncio.ensure_future(w3.eth.block_number)
        await asyncio.sleep(0.1)
        pending.cancel()
        assert await asyncio.wait_for(w3.eth.chain_id, timeout=10) == 900
        assert not HTTPSessionManager._lock.locked()
    finally:
        await w3.provider.disconnect()
        await runner.cleanup()
