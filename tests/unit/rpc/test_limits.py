"""Resource limits of the RPC: each is checked before the work starts, -32005 naming its key."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from rollup_node.rpc.limits import RpcLimits
from rollup_node.rpc.server import build_app
from tests.unit.rpc.fake_backend import FakeChain

LIMITS = RpcLimits(
    max_batch_size=50,
    max_batch_cost=100,
    gas_cap=1_000_000,
    max_proof_keys=4,
    max_fee_history_blocks=8,
)
ADDRESS = "0x" + "11" * 20


@pytest.fixture
async def client(chain: FakeChain) -> AsyncIterator[TestClient]:
    async with TestClient(TestServer(build_app(chain, limits=LIMITS))) as test_client:
        yield test_client


def request(method: str, *params: Any, request_id: int = 1) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": request_id, "method": method, "params": list(params)}


async def post(client: TestClient, body: object) -> Any:
    response = await client.post("/", data=json.dumps(body))
    assert response.status == 200
    return await response.json()


def limit_error(answer: dict[str, Any], key: str) -> str:
    assert answer["error"]["code"] == -32005, answer
    assert key in answer["error"]["message"], answer
    return answer["error"]["message"]


@pytest.mark.parametrize("method", ["eth_call", "eth_estimateGas"])
async def test_gas_above_the_cap_is_refused(client: TestClient, method: str) -> None:
    for gas in (LIMITS.gas_cap + 1, 2**64 - 1):
        answer = await post(client, request(method, {"to": ADDRESS, "gas": hex(gas)}, "latest"))
        assert str(gas) in limit_error(answer, "rpc_gas_cap")
    at_cap = await post(client, request(method, {"to": ADDRESS, "gas": hex(LIMITS.gas_cap)}))
    assert "result" in at_cap, at_cap


async def test_a_call_without_gas_runs_within_the_cap(client: TestClient, chain: FakeChain) -> None:
    seen: list[int | None] = []
    original = chain.call

    def spy(request, *args):  # noqa: ANN001, ANN002, ANN202 - records what the RPC passes on
        seen.append(request.gas)
        return original(request, *args)

    chain.call = spy  # type: ignore[method-assign]
    assert "result" in await post(client, request("eth_call", {"to": ADDRESS}))
    assert seen == [LIMITS.gas_cap]  # the fake's block gas limit is higher than this cap


async def test_fee_history_block_count(client: TestClient) -> None:
    over = await post(
        client, request("eth_feeHistory", hex(LIMITS.max_fee_history_blocks + 1), "latest")
    )
    limit_error(over, "rpc_max_fee_history_blocks")
    within = await post(
        client, request("eth_feeHistory", hex(LIMITS.max_fee_history_blocks), "latest")
    )
    assert "result" in within, within


async def test_proof_keys(client: TestClient) -> None:
    keys = ["0x" + f"{i:064x}" for i in range(LIMITS.max_proof_keys + 1)]
    over = await post(client, request("eth_getProof", ADDRESS, keys, "latest"))
    limit_error(over, "rpc_max_proof_keys")
    within = await post(client, request("eth_getProof", ADDRESS, keys[:-1], "latest"))
    assert len(within["result"]["storageProof"]) == LIMITS.max_proof_keys


async def test_batch_cost(client: TestClient) -> None:
    # 13 fee histories of 8 blocks: 104 units, over 100; 12 are 96 and run.
    over = [request("eth_feeHistory", "0x8", "latest", request_id=i) for i in range(13)]
    limit_error(await post(client, over), "rpc_max_batch_cost")
    answers = await post(client, over[:12])
    assert [a["id"] for a in answers] == list(range(12))
    # calls count ten each, garbage one each: what a call could not even parse is cheap
    calls = [request("eth_call", {"to": ADDRESS}, request_id=i) for i in range(11)]
    limit_error(await post(client, calls), "rpc_max_batch_cost")
    garbage = [request("eth_feeHistory", "0xzz", request_id=i) for i in range(50)]
    assert all(a["error"]["code"] == -32602 for a in await post(client, garbage))


async def test_batch_size_names_its_key(client: TestClient) -> None:
    batch = [request("eth_chainId", request_id=i) for i in range(LIMITS.max_batch_size + 1)]
    limit_error(await post(client, batch), "rpc_max_batch")
