"""20 concurrent looping eth_calls at the gas cap against a devnet process: what else still works.

Each call runs ``JUMPDEST PUSH0 JUMP`` (through a state override) with 50M gas, about 20 s of
EVM if nothing stopped it. ``eth_blockNumber`` is sampled every 20 ms, first for a few seconds
with no call running (the baseline, on the same machine in the same run), then while the
looping calls run; the L2 head is followed meanwhile. Printed: how long each call took and what
it was answered, the p50/p99/max latency of ``eth_blockNumber`` in both phases, the longest
gap between L2 blocks (1 s block time), and how long SIGTERM takes to stop the node while 20
more looping calls are in flight.
Last line: ``p99_block_number_ms`` (limit 100), ``worst_call_s`` (limit: rpc_evm_timeout + 1
= 6 s), ``worst_block_gap_s``, ``sigterm_stop_s`` (limit 10 s) and ``ratio``, the p99 under
load over the baseline p99.
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
        await asyncio.sleep(0.02)
    return latencies, heads


async def _sample_for(session: aiohttp.ClientSession, url: str, seconds: float) -> list[float]:
    stop = asyncio.Event()
    sampler = asyncio.ensure_future(_sample(session, url, stop))
    await asyncio.sleep(seconds)
    stop.set()
    latencies, _ = await sampler
    return latencies


def _percentiles_ms(latencies: list[float]) -> tuple[float, float, float]:
    ordered = sorted(latencies)
    p50 = ordered[len(ordered) // 2] * 1000
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000
    return p50, p99, ordered[-1] * 1000


async def _run(calls: int, base: Path) -> None:
    node = DevnetProcess(base / "data", base / "node.log")
    try:
        node.wait_ready()
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120)) as session:
            await asyncio.sleep(2.0)  # start-up work settles
            baseline = await _sample_for(session, node.l2_url, 6.0)
            stop = asyncio.Event()
            sampler = asyncio.ensure_future(_sample(session, node.l2_url, stop))
            await asyncio.sleep(0.5)
            results = await asyncio.gather(
                *(_looping_call(session, node.l2_url) for _ in range(calls))
            )
            await asyncio.sleep(0.5)
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
    base_p50, base_p99, base_max = _percentiles_ms(baseline)
    p50, p99, worst = _percentiles_ms(latencies)
    gaps = [later[0] - earlier[0] for earlier, later in zip(heads, heads[1:], strict=False)]
    print(f"{calls} looping calls: {durations[0]:.2f}-{durations[-1]:.2f} s, answered {outcomes}")
    print(
        f"eth_blockNumber, no calls running: {len(baseline)} samples, p50 {base_p50:.1f} ms, "
        f"p99 {base_p99:.1f} ms, max {base_max:.1f} ms"
    )
    print(
        f"eth_blockNumber, {calls} looping calls: {len(latencies)} samples, p50 {p50:.1f} ms, "
        f"p99 {p99:.1f} ms, max {worst:.1f} ms; L2 head {heads[0][1]} -> {heads[-1][1]}, "
        f"longest gap between blocks {max(gaps, default=0):.2f} s"
    )
    print(f"SIGTERM with {calls} looping calls in flight: exit {status} in {sigterm_stop:.2f} s")
    print(
        f"p99_block_number_ms={p99:.1f} worst_call_s={durations[-1]:.2f} "
        f"worst_block_gap_s={max(gaps, default=0):.2f} sigterm_stop_s={sigterm_stop:.2f} "
        f"ratio={p99 / base_p99:.2f} (p99 {p99:.1f} ms over the baseline's {base_p99:.1f} ms)"
    )


def main() -> None:
    """Run the measurement and print its figures."""
    calls = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    with tempfile.TemporaryDirectory(prefix="looping-calls-") as tmp:
        asyncio.run(_run(calls, Path(tmp)))


if __name__ == "__main__":
    main()
