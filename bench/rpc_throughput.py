"""JSON-RPC server throughput: answered requests per second, over HTTP, on the real chain.

Serves an embedded L1 dev chain (genesis plus a few blocks of transfers, LMDB in a temporary
directory) with the node's RPC server on 127.0.0.1 and drives it with aiohttp from the same
process, C concurrent clients, for three workloads: ``eth_blockNumber`` (dispatch and
transport cost), ``eth_getBlockByNumber(latest, true)`` (store read and formatting) and a
batch of 50 ``eth_getBalance``. In the same run, a bare aiohttp handler that returns a fixed
JSON-RPC answer gives the transport baseline. The last line is the ratio of
``eth_blockNumber`` throughput to that baseline (1.0 = the RPC layer costs nothing).
Usage: ``python bench/rpc_throughput.py [seconds per workload] [clients]``.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
from aiohttp import web
from eth_account import Account
from eth_utils import to_checksum_address
from prometheus_client import CollectorRegistry

from rollup_node.chain.genesis import devnet_accounts
from rollup_node.devnet.l1 import EmbeddedL1
from rollup_node.metrics import NodeMetrics
from rollup_node.rpc.server import RpcServer, build_app


async def _drive(url: str, body: object, seconds: float, clients: int) -> float:
    """Requests per second that ``clients`` concurrent senders of ``body`` get answered."""
    done = 0
    deadline = time.perf_counter() + seconds
    async with aiohttp.ClientSession() as session:

        async def client() -> None:
            nonlocal done
            while time.perf_counter() < deadline:
                async with session.post(url, json=body) as response:
                    await response.read()
                    assert response.status == 200
                done += 1

        start = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(clients)))
        return done / (time.perf_counter() - start)


async def _baseline(seconds: float, clients: int) -> float:
    async def fixed(_: web.Request) -> web.Response:
        return web.Response(text='{"jsonrpc":"2.0","id":1,"result":"0x5"}')

    app = web.Application()
    app.router.add_post("/", fixed)
    server = RpcServer(app)
    await server.start("127.0.0.1", 0)
    try:
        request = {"jsonrpc": "2.0", "id": 1, "method": "eth_blockNumber"}
        return await _drive(f"http://127.0.0.1:{server.port}/", request, seconds, clients)
    finally:
        await server.stop()


def _populate(l1: EmbeddedL1, blocks: int, per_block: int) -> None:
    sender = Account.from_key(devnet_accounts()[0][1])
    recipient = to_checksum_address(devnet_accounts()[1][0])
    nonce = 0
    for _ in range(blocks):
        for _ in range(per_block):
            tx = {
                "chainId": l1.chain.chain_id,
                "nonce": nonce,
                "to": recipient,
                "value": 1,
                "gas": 21_000,
                "maxFeePerGas": 10**11,
                "maxPriorityFeePerGas": 10**9,
            }
            l1.submit(bytes(sender.sign_transaction(tx).raw_transaction))
            nonce += 1
        l1.mine()


async def main(seconds: float, clients: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        l1 = EmbeddedL1(Path(tmp), 900, 1.0, NodeMetrics(CollectorRegistry(), chain="l1"))
        _populate(l1, blocks=5, per_block=20)
        server = RpcServer(build_app(l1.chain, dev=l1))
        await server.start("127.0.0.1", 0)
        url = f"http://127.0.0.1:{server.port}/"
        addresses = [to_checksum_address(a) for a, _ in devnet_accounts()]
        workloads = {
            "eth_blockNumber": {"jsonrpc": "2.0", "id": 1, "method": "eth_blockNumber"},
            "eth_getBlockByNumber(latest, full)": {
                "jsonrpc": "2.0",
                "id": 1,
                "method": "eth_getBlockByNumber",
                "params": ["latest", True],
            },
            "batch of 50 eth_getBalance": [
                {"jsonrpc": "2.0", "id": i, "method": "eth_getBalance", "params": [a, "latest"]}
                for i, a in enumerate((addresses * 5)[:50])
            ],
        }
        rates = {}
        try:
            for name, body in workloads.items():
                rates[name] = await _drive(url, body, seconds, clients)
                print(f"{name}: {rates[name]:.0f} requests/s ({clients} clients)")
        finally:
            await server.stop()
            l1.close()
    baseline = await _baseline(seconds, clients)
    print(f"bare aiohttp handler (fixed answer): {baseline:.0f} requests/s")
    print(f"ratio eth_blockNumber/bare aiohttp: {rates['eth_blockNumber'] / baseline:.2f}")


if __name__ == "__main__":
    asyncio.run(
        main(
            float(sys.argv[1]) if len(sys.argv) > 1 else 3.0,
            int(sys.argv[2]) if len(sys.argv) > 2 else 8,
        )
    )
