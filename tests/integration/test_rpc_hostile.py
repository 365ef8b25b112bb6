"""Hostile input to a real node process, over HTTP and WebSocket, on the L2 and the embedded L1.

The node runs as a child process (see ``hostile.py``): every test ends by checking that it
still runs and serves, and every answer is strict JSON-RPC 2.0 with an EIP-1474 code.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import requests
from websockets.sync.client import connect

from tests.integration.hostile import (
    DevnetProcess,
    cpu_seconds,
    fuzz,
    hostile_bodies,
    judge,
    running,
)

L1_CHAIN_ID = 900
L2_CHAIN_ID = 901


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevnetProcess]:
    base = tmp_path_factory.mktemp("hostile")
    process = DevnetProcess(base / "data", base / "node.log")
    try:
        process.wait_ready()
        yield process
    finally:
        status = process.stop()
    assert status == 0, (
        f"the node exited with {status} {process.stop_seconds:.1f} s after SIGTERM; "
        f"log: {base / 'node.log'}"
    )


def _targets(node: DevnetProcess) -> list[tuple[str, str, int]]:
    return [(node.l2_url, node.l2_ws, L2_CHAIN_ID), (node.l1_url, node.l1_ws, L1_CHAIN_ID)]


def _assert_serving(node: DevnetProcess) -> None:
    assert node.alive(), "the node died"
    for url, _, chain_id in _targets(node):
        body = {"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []}
        assert requests.post(url, json=body, timeout=10).json()["result"] == hex(chain_id)


def _post(url: str, body: bytes | str) -> dict:
    response = requests.post(
        url, data=body, headers={"Content-Type": "application/json"}, timeout=60
    )
    verdict = judge(response.status_code, response.text)
    assert verdict.problem is None, verdict.problem
    return response.json()


def _ws_exchange(url: str, message: str) -> dict:
    with connect(url, max_size=None, open_timeout=10) as socket:
        socket.send(message)
        text = socket.recv(timeout=60)
    verdict = judge(101, text)
    assert verdict.problem is None, verdict.problem
    return json.loads(text)


# --- the crash: ~200 KB of '[' (segfaulted every transport of both chains) ------------------


@pytest.mark.parametrize("opener", ["[", '{"a":'])
def test_deep_nesting_is_refused_over_http(node: DevnetProcess, opener: str) -> None:
    body = opener * 100_000
    for url, _, _ in _targets(node):
        answer = _post(url, body)
        assert answer["id"] is None
        assert answer["error"]["code"] == -32700
        assert "nested deeper than" in answer["error"]["message"]
    _assert_serving(node)


def test_deep_nesting_is_refused_over_websocket(node: DevnetProcess) -> None:
    for _, ws_url, _ in _targets(node):
        answer = _ws_exchange(ws_url, "[" * 100_000)
        assert answer["error"]["code"] == -32700
        assert "nested deeper than" in answer["error"]["message"]
    _assert_serving(node)


# --- ids and numbers an answer could not echo as JSON ---------------------------------------


@pytest.mark.parametrize(
    "request_id",
    ["NaN", "Infinity", "-Infinity", "1e400", "-1e999", "9" * 5000],
    ids=["nan", "inf", "-inf", "1e400", "-1e999", "5000-digits"],
)
def test_ids_that_are_not_json_numbers_are_parse_errors(
    node: DevnetProcess, request_id: str
) -> None:
    body = '{"jsonrpc":"2.0","id":' + request_id + ',"method":"eth_chainId","params":[]}'
    for url, ws_url, _ in _targets(node):
        for answer in (_post(url, body), _ws_exchange(ws_url, body)):
            assert answer["id"] is None
            assert answer["error"]["code"] == -32700
    _assert_serving(node)


@pytest.mark.parametrize("request_id", [2**64, -(2**63) - 1, 10**60])
def test_integer_ids_beyond_64_bits_are_invalid_requests(
    node: DevnetProcess, request_id: int
) -> None:
    body = json.dumps({"jsonrpc": "2.0", "id": request_id, "method": "eth_chainId"})
    for url, _, _ in _targets(node):
        answer = _post(url, body)
        assert answer["id"] is None
        assert answer["error"]["code"] == -32600


@pytest.mark.parametrize("request_id", [0, 2**64 - 1, -(2**63), "x" * 100, 1.5, None])
def test_ids_that_fit_are_echoed(node: DevnetProcess, request_id: object) -> None:
    body = json.dumps({"jsonrpc": "2.0", "id": request_id, "method": "eth_chainId"})
    for url, _, chain_id in _targets(node):
        assert _post(url, body) == {"jsonrpc": "2.0", "id": request_id, "result": hex(chain_id)}


# --- parameters that used to end in -32603 (internal error) ---------------------------------

ADDRESS = "0x" + "11" * 20


@pytest.mark.parametrize(
    ("method", "params", "argument"),
    [
        ("eth_getBalance", [ADDRESS, "0x-1"], "argument 1 (block)"),
        ("eth_getBalance", [ADDRESS, "0x+5"], "argument 1 (block)"),
        ("eth_getBalance", [ADDRESS, "0x1_0"], "argument 1 (block)"),
        ("eth_getBlockByNumber", ["0x 1", False], "argument 0"),
        ("eth_call", [{"to": ADDRESS, "value": "0x-1"}, "latest"], "argument 0"),
        ("eth_call", [{"to": ADDRESS, "gas": "0x1_0000"}, "latest"], "argument 0"),
        ("eth_feeHistory", ["9" * 5000, "latest", []], "argument 0"),
        ("eth_feeHistory", ["\u0661", "latest", []], "argument 0"),
        ("eth_getStorageAt", [ADDRESS, "0x-0", "latest"], "argument 1"),
        ("eth_sendRawTransaction", ["0x 02"], "argument 0"),
    ],
)
def test_malformed_numbers_are_invalid_params_naming_the_argument(
    node: DevnetProcess, method: str, params: list, argument: str
) -> None:
    body = json.dumps({"jsonrpc": "2.0", "id": 5, "method": method, "params": params})
    for url, _, _ in _targets(node):
        error = _post(url, body)["error"]
        assert error["code"] == -32602, error
        assert argument in error["message"], error
    _assert_serving(node)


def test_an_oversized_init_code_is_a_server_error(node: DevnetProcess) -> None:
    create = {"from": ADDRESS, "input": "0x" + "00" * 50_000}
    for method in ("eth_call", "eth_estimateGas"):
        body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": [create]})
        for url, _, _ in _targets(node):
            error = _post(url, body)["error"]
            assert error["code"] == -32000, error
            assert "49152" in error["message"], error
    _assert_serving(node)


# --- expensive requests: refused before they run, -32005 naming the limit -------------------


def _rpc(method: str, params: list, request_id: int = 1) -> dict:
    return {"jsonrpc": "2.0", "id": request_id, "method": method, "params": params}


def test_default_limits_refuse_what_used_to_run_for_seconds(node: DevnetProcess) -> None:
    cases = [
        (_rpc("eth_call", [{"to": ADDRESS, "gas": hex(2**64 - 1)}, "latest"]), "rpc_gas_cap"),
        (_rpc("eth_estimateGas", [{"to": ADDRESS, "gas": hex(50_000_001)}]), "rpc_gas_cap"),
        (
            _rpc("eth_getProof", [ADDRESS, [hex(i) for i in range(10_000)], "latest"]),
            "rpc_max_proof_keys",
        ),
        (_rpc("eth_feeHistory", ["0x401", "latest", [50]]), "rpc_max_fee_history_blocks"),
        (
            [_rpc("eth_feeHistory", ["0x400", "latest", [50]], i) for i in range(100)],
            "rpc_max_batch_cost",
        ),
    ]
    for url, _, _ in _targets(node):
        for body, key in cases:
            answer = _post(url, json.dumps(body))
            assert answer["error"]["code"] == -32005, answer
            assert key in answer["error"]["message"], answer
    _assert_serving(node)


# A loop that runs until its gas is gone: JUMPDEST PUSH0 JUMP (at the 50M cap: ~20 s of EVM).
LOOP = "0x5b5f56"


def test_dev_clock_methods_refuse_times_beyond_64_bits(node: DevnetProcess) -> None:
    """evm_increaseTime(2**256) was accepted and stopped the embedded L1's miner (the next
    block's TIMESTAMP did not fit a stack word); the node then shut down."""
    for method in ("evm_increaseTime", "evm_setNextBlockTimestamp", "evm_mine"):
        for beyond in (2**256, 10**77, 2**64):
            answer = _post(node.l1_url, json.dumps(_rpc(method, [beyond])))
            assert answer["error"]["code"] == -32602, answer
    start = int(_post(node.l1_url, json.dumps(_rpc("eth_blockNumber", [])))["result"], 16)
    deadline = time.monotonic() + 30
    while int(_post(node.l1_url, json.dumps(_rpc("eth_blockNumber", [])))["result"], 16) <= start:
        assert time.monotonic() < deadline, "the L1 stopped mining"
        time.sleep(0.2)
    _assert_serving(node)


# --- the corpus: every category, both transports, both chains ------------------------------


@pytest.mark.parametrize("chain", ["l2", "l1"])
async def test_a_hostile_corpus_gets_only_well_formed_answers(
    node: DevnetProcess, chain: str
) -> None:
    """400 seeded hostile bodies (bench/rpc_fuzz.py sends 10,000, giant bodies too)."""
    http_url, ws_url = (node.l2_url, node.l2_ws) if chain == "l2" else (node.l1_url, node.l1_ws)
    bodies = hostile_bodies(seed=7 if chain == "l2" else 8, count=400, big_bodies=False)
    rss_before = node.rss_bytes()
    report = await fuzz(http_url, ws_url, bodies, node.alive)
    assert report.crashes == 0
    assert report.problems == [], report.problems
    assert report.answers >= 380  # notifications (and only they) go unanswered
    assert node.rss_bytes() - rss_before < 50 * 2**20
    _assert_serving(node)


#: The execution timeout of the looping-calls node: short, so that the test takes seconds.
LOOPING_TIMEOUT_SECONDS = 1.0
LOOPING_CALLS = 20


async def _block_numbers(
    session: aiohttp.ClientSession, url: str, stop: asyncio.Event
) -> tuple[list[float], list[tuple[float, int]]]:
    """``eth_blockNumber`` every 20 ms until ``stop``: the latencies and each new head seen."""
    latencies: list[float] = []
    heads: list[tuple[float, int]] = []
    while not stop.is_set():
        started = time.monotonic()
        async with session.post(url, json=_rpc("eth_blockNumber", [])) as response:
            head = int((await response.json())["result"], 16)
        latencies.append(time.monotonic() - started)
        if not heads or heads[-1][1] != head:
            heads.append((time.monotonic(), head))
        await asyncio.sleep(0.02)
    return latencies, heads


async def _sampled(session: aiohttp.ClientSession, url: str, work: Any) -> tuple:  # noqa: ANN401
    """Run ``work`` (an awaitable) while sampling ``eth_blockNumber``; its result, then the
    samples."""
    stop = asyncio.Event()
    sampler = asyncio.ensure_future(_block_numbers(session, url, stop))
    try:
        result = await work
    finally:
        stop.set()
    return result, *(await sampler)


def _p99(latencies: list[float]) -> float:
    ordered = sorted(latencies)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


async def test_looping_calls_leave_the_node_serving_and_sigterm_stops_it(tmp_path: Path) -> None:
    """Issue 10's figure at a 1 s rpc_evm_timeout (``bench/rpc_looping_calls.py`` measures it
    at the default 5 s): rounds of 20 concurrent looping eth_calls at the gas cap each end
    with -32005 within the timeout + 1 s; meanwhile L2 blocks keep coming and eth_blockNumber
    stays as fast as without them (the calls run in worker processes, never holding the
    node's interpreter); afterwards nothing computes; SIGTERM with 20 more in flight stops the
    node within 10 s and leaves no process of it behind."""
    process = DevnetProcess(
        tmp_path / "data",
        tmp_path / "node.log",
        env={"ROLLUP_NODE_RPC_EVM_TIMEOUT": str(LOOPING_TIMEOUT_SECONDS)},
    )
    call = _rpc("eth_call", [{"to": ADDRESS, "gas": hex(50_000_000)}, "latest",
                             {ADDRESS: {"code": LOOP}}])  # fmt: skip
    try:
        process.wait_ready()
        url = process.l2_url
        async with aiohttp.ClientSession() as session:

            async def one_call() -> tuple[float, dict]:
                started = time.monotonic()
                async with session.post(url, json=call) as response:
                    return time.monotonic() - started, await response.json()

            async def rounds() -> list[tuple[float, dict]]:
                answers = []
                for _ in range(3):
                    answers += await asyncio.gather(*(one_call() for _ in range(LOOPING_CALLS)))
                return answers

            def helpers_cpu() -> float:
                return sum(cpu_seconds(pid, True) for pid in process.descendants())

            # a fixed window on purpose: the baseline is eth_blockNumber sampled with no call
            _, baseline, _ = await _sampled(session, url, asyncio.sleep(2.0))
            node_before, helpers_before = cpu_seconds(process.proc.pid), helpers_cpu()
            started = time.monotonic()
            answers, latencies, heads = await _sampled(session, url, rounds())
            wall = time.monotonic() - started
            node_cpu = cpu_seconds(process.proc.pid) - node_before
            evm_cpu = helpers_cpu() - helpers_before
            for seconds, answer in answers:
                assert answer["error"]["code"] == -32005, answer
                assert "rpc_evm_timeout" in answer["error"]["message"]
                assert seconds < LOOPING_TIMEOUT_SECONDS + 1.0, seconds
            # The EVM ran outside the node's interpreter: in threads the node itself would
            # have spent all the CPU it got (about 0.15 of a core here without calls).
            assert evm_cpu > node_cpu and node_cpu < 0.5 * wall, (node_cpu, evm_cpu, wall)
            # The figure (p99 < 100 ms) is the bench's: a shared test machine can be slower
            # than that with no call running, so this bound is generous and relative to the
            # same run's baseline (in threads: 363 ms against 68).
            assert _p99(latencies) < max(0.25, 3 * _p99(baseline)), (baseline, latencies)
            gaps = [later[0] - earlier[0] for earlier, later in itertools.pairwise(heads)]
            assert len(heads) >= 3 and max(gaps) < 2.5, heads  # blocks on their 1 s schedule

            await asyncio.sleep(0.5)  # stopped workers are replaced
            tree = {process.proc.pid, *process.descendants()}
            before = sum(cpu_seconds(pid) for pid in tree)
            await asyncio.sleep(2.0)  # a window to measure, not a condition to wait for
            assert sum(cpu_seconds(pid) for pid in tree) - before < 1.0  # nothing spins on

            calls = [asyncio.ensure_future(one_call()) for _ in range(LOOPING_CALLS)]
            await asyncio.sleep(0.5)  # two run, the others wait for a worker
            started_by_node = process.descendants()
            assert started_by_node, "the node runs its calls in worker processes"
            started = time.monotonic()
            os.kill(process.proc.pid, signal.SIGTERM)
            status = await asyncio.to_thread(process.proc.wait, 30)
            stopped_after = time.monotonic() - started
            for pending in calls:
                pending.cancel()
            await asyncio.gather(*calls, return_exceptions=True)
    finally:
        process.stop()
    assert status == 0, f"exit status {status}; log: {tmp_path / 'node.log'}"
    assert stopped_after < 10.0, stopped_after
    deadline = time.monotonic() + 5.0
    while left := {pid for pid in started_by_node if running(pid)}:
        assert time.monotonic() < deadline, f"processes of the node left running: {left}"
        await asyncio.sleep(0.1)


def test_the_process_survived_this_module(node: DevnetProcess) -> None:
    _assert_serving(node)
