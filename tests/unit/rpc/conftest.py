"""Fixtures: a populated fake chain, an aiohttp test client of the RPC app, a call helper."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from rollup_node.rpc.limits import RpcLimits
from rollup_node.rpc.server import build_app
from tests.unit.rpc.fake_backend import FakeChain, populated_chain

TEST_LIMITS = RpcLimits(
    max_body_bytes=64 * 1024,
    max_batch_size=10,
    max_logs_block_range=100,
    max_logs_results=50,
)

Call = Callable[..., Awaitable[dict[str, Any]]]


@pytest.fixture
def chain() -> FakeChain:
    """Genesis and one block with a deposit, a 1559 and a legacy transaction."""
    return populated_chain()


@pytest.fixture
async def client(chain: FakeChain) -> AsyncIterator[TestClient]:
    """An HTTP/WebSocket client of an RPC app over ``chain``."""
    async with TestClient(TestServer(build_app(chain, limits=TEST_LIMITS))) as test_client:
        yield test_client


@pytest.fixture
def call(client: TestClient) -> Call:
    """``await call(method, *params)`` returns the whole JSON-RPC response object."""
    counter = iter(range(1, 1_000_000))

    async def do_call(method: str, *params: Any) -> dict[str, Any]:
        request = {"jsonrpc": "2.0", "id": next(counter), "method": method, "params": params}
        response = await client.post("/", data=json.dumps(request))
        assert response.status == 200
        return await response.json()

    return do_call
