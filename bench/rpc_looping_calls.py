"""20 concurrent looping eth_calls at the gas cap against a devnet process: what else still works.

Each call runs ``JUMPDEST PUSH0 JUMP`` (through a state override) with 50M gas, about 20 s of
EVM if nothing stopped it. Meanwhile ``eth_blockNumber`` is sampled every 50 ms and the L2 head
is followed. Printed: how long each call took and what it was answered, the p50/p99/max
latency of ``eth_blockNumber``, the longest gap between L2 blocks (1 s block time), and how
long SIGTERM takes to stop the node afterwards while 20 more looping calls are in flight.
Last line: ``p99_block_number_ms``, ``worst_call_s`` (limit: rpc_evm_timeout + 1 = 6 s),
``worst_block_gap_s`` and ``sigterm_stop_s`` (limit 10 s).
Usage: ``python bench/rpc_looping_calls.py [calls]`` (default 20).
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.integration.hostile import DevnetProcess  # noqa: E402

TARGET = "0x" + "11" * 20
LOOP = "0x5b5f56"


def _rpc(method: str, params: list) -> dict:
    return {"jsonrpc": "2.0", "id": 1, "method": method, "params": params}


LOOPING_CALL = _rpc(
    "eth_call", [{"to": TARGET, "gas": hex(50_000_000)}, "latest", {TARGET: {"code": LOOP}}]
)


async def _looping_call(session: aiohttp.ClientSession, url: str) -> tuple[float, str]:
    started = time.monotonic()
    async with session.post(url, json=LOOPING_CALL) as response:
        answer = await response.json()
    outcome = answer.get("error", {}).get("message", "result")
    return time.monotonic() - started, outcome


async def _sample(session: aiohttp.ClientSession, url: str, stop: asyncio.Event) -> tuple:
    latencies: list[float] = []
    heads: list[tuple[float, int]] = []
    while not stop.is_set():
        started = time.monotonic()
        async with session.post(url, json=_rpc("eth_blockNumber", [])) as response:
            head = int((await response.json())["result"], 16)
        now = time.monotonic()
        latencies.append(now - started)
        if not heads or heads[-1][1] != head:
            heads.append((now, head))
        await asyncio.sleep(0.05)
    return latencies, heads


async def _run(calls: int, base: Path) -> None:
    node = DevnetProcess(base / "data", base / "node.log")
    try:
        node.wait_ready()
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120)) as session:
            stop = asyncio.Event()
            sampler = asyncio.ensure_future(_sample(session, node.l2_url, stop))
            await asyncio.sleep(2.0)
            results = await asyncio.gather(
                *(_looping_call(session, node.l2_url) for _ in range(calls))
            )
            await asyncio.sleep(2.0)
            stop.set()
            latencies, heads = await sampler
            # SIGTERM with calls in flight
            in_flight = [
                asyncio.ensure_future(_looping_call(session, node.l2_url)) for _ in range(calls)
            ]
            await asyncio.sleep(1.0)
            started = time.monotonic()
            os.kill(node.proc.pid, signal.SIGTERM)
            status = await asyncio.to_thread(node.proc.wait, 60)
            sigterm_stop = time.monotonic() - started
            for task in in_flight:
                task.cancel()
            await asyncio.gather(*in_flight, return_exceptions=True)
    finally:
        node.stop()
    durations = sorted(seconds for seconds, _ in results)
    outcomes = {outcome for _, outcome in results}
    latencies.sort()
    p50 = latencies[len(latencies) // 2] * 1000
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000
    gaps = [later[0] - earlier[0] for earlier, later in zip(heads, heads[1:], strict=False)]
    print(f"{calls} looping calls: {durations[0]:.2f}-{durations[-1]:.2f} s, answered {outcomes}")
    print(
        f"eth_blockNumber: {len(latencies)} samples, p50 {p50:.1f} ms, p99 {p99:.1f} ms, "
        f"max {latencies[-1] * 1000:.1f} ms; L2 head {heads[0][1]} -> {heads[-1][1]}, "
        f"longest gap between blocks {max(gaps, default=0):.2f} s"
    )
    print(f"SIGTERM with {calls} looping calls in flight: exit {status} in {sigterm_stop:.2f} s")
    print(
        f"p99_block_number_ms={p99:.1f} worst_call_s={durations[-1]:.2f} "
        f"worst_block_gap_s={max(gaps, default=0):.2f} sigterm_stop_s={sigterm_stop:.2f}"
    )


def main() -> None:
    """Run the measurement and print its figures."""
    calls = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    with tempfile.TemporaryDirectory(prefix="looping-calls-") as tmp:
        asyncio.run(_run(calls, Path(tmp)))


if __name__ == "__main__":
    main()
