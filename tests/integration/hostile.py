"""Hostile JSON-RPC input against a real node process: the process, the answer check, the corpus.

The node runs as a child process (``rollup-node devnet``), so that a crash of it (a segfault,
an abort) is seen as the process ending rather than taking the test runner down with it.
``judge`` says what is wrong with one answer: the rule (issue 10) is that every answer is a
JSON-RPC 2.0 object (or, for a batch, a list of them) with an EIP-1474 code, never -32603,
and always strict JSON (no ``NaN``); HTTP 413 for an oversized body is the one exception.
``hostile_bodies`` makes a seeded corpus of bodies, ``fuzz`` sends them over HTTP and
WebSocket and counts what came back. Used by ``test_rpc_hostile.py`` and ``bench/rpc_fuzz.py``.
"""

from __future__ import annotations

import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import requests

#: Codes a client may see (JSON-RPC 2.0 and EIP-1474, plus 3: a revert with data).
ALLOWED_CODES = frozenset(
    {-32700, -32600, -32601, -32602, -32000, -32001, -32002, -32003, -32004, -32005, -32006, 3}
)
INTERNAL_ERROR = -32603
#: The node's default request size limit (``rpc_max_body_bytes``).
MAX_BODY_BYTES = 5 * 1024 * 1024


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class DevnetProcess:
    """``rollup-node devnet`` in a child process: embedded L1 and L2 on free ports."""

    def __init__(
        self,
        data_dir: Path,
        log: Path,
        l1_block_time: float = 1.0,
        env: Mapping[str, str] | None = None,
    ) -> None:
        """``env`` adds environment variables (``ROLLUP_NODE_<KEY>`` sets a config key)."""
        self.l1_port, self.l2_port = free_port(), free_port()
        cmd = [
            sys.executable, "-m", "rollup_node.cli", "devnet",
            "--data-dir", str(data_dir), "--rpc-port", str(self.l2_port),
            "--l1-rpc-port", str(self.l1_port), "--block-time", "1",
            "--l1-block-time", str(l1_block_time),
        ]  # fmt: skip
        self._log = log.open("ab")
        self.proc = subprocess.Popen(
            cmd, stdout=self._log, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})}
        )
        self.l2_url = f"http://127.0.0.1:{self.l2_port}"
        self.l1_url = f"http://127.0.0.1:{self.l1_port}"
        self.l2_ws = f"ws://127.0.0.1:{self.l2_port}"
        self.l1_ws = f"ws://127.0.0.1:{self.l1_port}"

    def wait_ready(self, timeout: float = 120) -> None:
        """Return once both chains answer ``eth_blockNumber``; fail if the process ends."""
        deadline = time.time() + timeout
        body = {"jsonrpc": "2.0", "id": 1, "method": "eth_blockNumber", "params": []}
        while time.time() < deadline:
            assert self.alive(), "the node exited during start-up"
            try:
                for url in (self.l1_url, self.l2_url):
                    requests.post(url, json=body, timeout=5).json()["result"]
                return
            except (requests.RequestException, KeyError, ValueError):
                time.sleep(0.3)
        raise AssertionError("the node did not become ready")

    def alive(self) -> bool:
        """Whether the process still runs."""
        return self.proc.poll() is None

    def descendants(self) -> set[int]:
        """The processes started by the node, theirs included (call workers, ...)."""
        children: dict[int, list[int]] = {}
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except (FileNotFoundError, ProcessLookupError):
                continue
            children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
        found: set[int] = set()
        todo = [self.proc.pid]
        while todo:
            for child in children.get(todo.pop(), []):
                if child not in found:
                    found.add(child)
                    todo.append(child)
        return found

    def rss_bytes(self) -> int:
        """The process' resident memory."""
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
        raise RuntimeError("no VmRSS")

    def stop(self) -> int | None:
        """SIGTERM, then SIGKILL after 20 s; the exit status (negative: the signal).
        ``stop_seconds`` says how long the process took to end."""
        started = time.monotonic()
        if self.alive():
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.stop_seconds = time.monotonic() - started
        self._log.close()
        return self.proc.returncode


def running(pid: int) -> bool:
    """Whether process ``pid`` runs (a zombie waiting to be reaped has ended)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"


def cpu_seconds(pid: int, reaped_children: bool = False) -> float:
    """CPU time (user + system) process ``pid`` has used; 0 once it has ended. With
    ``reaped_children``, that of its children it has reaped too (ended call workers count in
    their fork server's)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    ticks = int(fields[11]) + int(fields[12])
    if reaped_children:
        ticks += int(fields[13]) + int(fields[14])
    return ticks / os.sysconf("SC_CLK_TCK")


def _no_constants(token: str) -> Any:
    raise ValueError(f"{token} in an answer")


def _one(item: Any) -> str | None:
    if not isinstance(item, dict) or item.get("jsonrpc") != "2.0" or "id" not in item:
        return f"not a JSON-RPC 2.0 response: {str(item)[:200]}"
    if ("result" in item) == ("error" in item):
        return f"want exactly one of result/error: {str(item)[:200]}"
    if "error" in item:
        code = item["error"].get("code") if isinstance(item["error"], dict) else None
        if code == INTERNAL_ERROR:
            return f"internal error: {item['error']}"
        if code not in ALLOWED_CODES:
            return f"code outside EIP-1474: {item['error']}"
    return None


@dataclass(frozen=True, slots=True)
class Verdict:
    """What one answer was: ``problem`` is ``None`` for a good one; ``internal`` for -32603."""

    problem: str | None = None
    internal: bool = False
    non_json: bool = False


def judge(status: int, text: str) -> Verdict:
    """Check one HTTP answer (``status`` 101 for a WebSocket frame) against the rules above."""
    if status == 413:
        return Verdict()
    try:
        answer = json.loads(text, parse_constant=_no_constants) if text else None
    except ValueError as exc:
        return Verdict(f"non-JSON answer ({status}): {exc}: {text[:200]!r}", non_json=True)
    if answer is None:
        return Verdict()  # notifications only: nothing is sent back
    items = answer if isinstance(answer, list) else [answer]
    if isinstance(answer, list) and not answer:
        return Verdict("an empty batch answer")
    for item in items:
        problem = _one(item)
        if problem is not None:
            return Verdict(problem, internal=problem.startswith("internal error"))
    return Verdict()


# --- the corpus ------------------------------------------------------------------------------

#: Methods the fuzzer calls: every eth_ method the node serves, the other namespaces, and the
#: embedded L1's dev methods except those that rewind or stop its chain (evm_revert,
#: evm_setAutomine), which a test devnet cannot survive by design.
METHODS = [
    "eth_chainId",
    "eth_blockNumber",
    "eth_syncing",
    "eth_accounts",
    "eth_getBalance",
    "eth_getTransactionCount",
    "eth_getCode",
    "eth_getStorageAt",
    "eth_call",
    "eth_estimateGas",
    "eth_getProof",
    "eth_gasPrice",
    "eth_maxPriorityFeePerGas",
    "eth_blobBaseFee",
    "eth_feeHistory",
    "eth_sendRawTransaction",
    "eth_getTransactionByHash",
    "eth_getTransactionReceipt",
    "eth_getBlockByNumber",
    "eth_getBlockByHash",
    "debug_getRawBlock",
    "eth_getBlockTransactionCountByNumber",
    "eth_getBlockTransactionCountByHash",
    "eth_getTransactionByBlockHashAndIndex",
    "eth_getTransactionByBlockNumberAndIndex",
    "eth_getUncleCountByBlockNumber",
    "eth_getUncleCountByBlockHash",
    "eth_getUncleByBlockHashAndIndex",
    "eth_getBlockReceipts",
    "eth_getLogs",
    "eth_newFilter",
    "eth_newBlockFilter",
    "eth_newPendingTransactionFilter",
    "eth_getFilterChanges",
    "eth_getFilterLogs",
    "eth_uninstallFilter",
    "eth_subscribe",
    "eth_unsubscribe",
    "net_version",
    "net_listening",
    "net_peerCount",
    "web3_clientVersion",
    "web3_sha3",
    "rollup_syncStatus",
    "rollup_rollupConfig",
    "rollup_disputes",
    "evm_mine",
    "evm_increaseTime",
    "evm_setNextBlockTimestamp",
    "evm_snapshot",
    "anvil_setBalance",
    "anvil_setCode",
    "anvil_setStorageAt",
    "anvil_setNonce",
    "eth_sendTransaction",
    "eth_doesNotExist",
]

_FIELDS = [
    "from",
    "to",
    "gas",
    "gasPrice",
    "maxFeePerGas",
    "maxPriorityFeePerGas",
    "value",
    "data",
    "input",
    "nonce",
    "type",
    "chainId",
    "accessList",
    "blockHash",
    "blockNumber",
    "requireCanonical",
    "fromBlock",
    "toBlock",
    "address",
    "topics",
    "storageKeys",
    "balance",
    "code",
    "state",
    "stateDiff",
]

_SCALARS: tuple[Any, ...] = (
    None, True, False, 0, 1, -1, 7, 2**31, 2**53 + 1, 2**63, 2**64, -(2**63) - 1, 2**256,
    -(2**256), 10**77, 1.5, -0.0, 1e308, -1e-300,
    "", "0x", "0x0", "0x1", "0x00", "0x01", "0x-1", "0x+5", "0x1_0", " 0x1", "0x1 ", "0X1f",
    "0xzz", "0x" + "f" * 16, "0x" + "f" * 17, "0x8000000000000000", "0x" + "f" * 64,
    "0x1" + "0" * 64, "0x" + "0" * 100, "9" * 30, "9" * 5000, "-5", "1e5", "\u0661\u0662",
    "\ud800", "\u0000", "latest", "pending", "earliest", "safe", "finalized", "newHeads", "logs",
    "0x" + "ab" * 19, "0x" + "ab" * 20, "0x" + "ab" * 21, "0x" + "cd" * 32, "0x" + "cd" * 33,
    "x" * 3000, "0x" + "00" * 50_000,
)  # fmt: skip


def _value(rng: random.Random, depth: int = 0) -> Any:
    roll = rng.random()
    if depth < 3 and roll < 0.12:
        return [_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    if depth < 3 and roll < 0.3:
        keys = rng.sample(_FIELDS, rng.randint(0, 5))
        return {key: _value(rng, depth + 1) for key in keys}
    return rng.choice(_SCALARS)


def _request(rng: random.Random, method: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"jsonrpc": "2.0", "id": rng.randint(0, 10**6)}
    body["method"] = method or rng.choice(METHODS)
    if rng.random() < 0.9:
        body["params"] = [_value(rng) for _ in range(rng.randint(0, 4))]
    elif rng.random() < 0.5:
        body["params"] = _value(rng)
    if rng.random() < 0.05:
        del body["id"]  # a notification
    if rng.random() < 0.05:
        body[rng.choice(["jsonrpc", "id", "method"])] = _value(rng)
    return body


def _raw_transactions(rng: random.Random, signed: bytes) -> bytes:
    """A garbage raw transaction: random bytes, a typed prefix, a mutated real one, bad RLP."""
    kind = rng.randrange(6)
    if kind == 0:
        return rng.randbytes(rng.randint(0, 300))
    if kind == 1:
        return bytes([rng.choice([0x01, 0x02, 0x03, 0x04, 0x7E, 0x7F, 0xC0])]) + rng.randbytes(
            rng.randint(0, 200)
        )
    if kind == 2:
        mutated = bytearray(signed)
        for _ in range(rng.randint(1, 4)):
            mutated[rng.randrange(len(mutated))] = rng.randrange(256)
        return bytes(mutated)
    if kind == 3:
        return signed[: rng.randrange(len(signed))]
    if kind == 4:  # RLP headers announcing lengths far beyond the data
        return rng.choice([b"\xbf\xff\xff\xff\xff\xff\xff\xff\xff", b"\xf9\xff\xff", b"\x02\xff"])
    return rng.randbytes(128 * 1024)


def _signed_transfer() -> bytes:
    from eth_account import Account

    from rollup_node.chain.genesis import devnet_accounts

    key = devnet_accounts()[9][1]
    tx = {
        "type": 2, "chainId": 901, "nonce": 0, "to": "0x" + "22" * 20, "value": 1,
        "gas": 21_000, "maxFeePerGas": 10**10, "maxPriorityFeePerGas": 1,
    }  # fmt: skip
    return bytes(Account.sign_transaction(tx, key).raw_transaction)


def hostile_bodies(seed: int, count: int, big_bodies: bool = True) -> Iterator[tuple[str, str]]:
    """``count`` hostile bodies as ``(category, text)``, the same for the same seed.

    Categories: malformed JSON, deep nesting, numbers (ids and params out of range), wrong
    types for every method, garbage raw transactions, batches (empty to far over the limit),
    and with ``big_bodies`` giant bodies (a few MB, and over the 5 MB limit).
    """
    rng = random.Random(seed)
    signed = _signed_transfer()
    for _ in range(count):
        roll = rng.random()
        if roll < 0.08:
            valid = json.dumps(_request(rng))
            cut = valid[: rng.randrange(len(valid))]
            text = rng.choice([cut, cut + rng.choice(["]", "}", ",", '"', "\\", "\x00"]),
                               valid.replace(":", "=", 1), valid + valid, "\ufeff" + valid,
                               valid.replace("2.0", "2.0\x00"), "'" + valid + "'"])  # fmt: skip
            yield "malformed", text
        elif roll < 0.13:
            depth = rng.choice([63, 64, 65, 1_000, 50_000, 100_000])
            opener = rng.choice(["[", '{"a":', '[{"a":', '{"jsonrpc":"2.0","id":1,"params":['])
            tail = rng.choice(["", "1" + "]" * depth])
            yield "nesting", opener * depth + tail
        elif roll < 0.2:
            number = rng.choice(["NaN", "Infinity", "-Infinity", "1e400", "-1e400", "9" * 5000,
                                 "1" + "0" * 100, str(2**64), str(-(2**63) - 1), "0.1e-400",
                                 "-0", "1E+99999"])  # fmt: skip
            where = rng.choice(["id", "param"])
            if where == "id":
                text = '{"jsonrpc":"2.0","id":' + number + ',"method":"eth_chainId"}'
            else:
                method = rng.choice(["eth_feeHistory", "eth_getBlockByNumber", "eth_getBalance"])
                text = (
                    '{"jsonrpc":"2.0","id":1,"method":"' + method + '","params":[' + number + "]}"
                )
            yield "numbers", text
        elif roll < 0.3:
            raw = _raw_transactions(rng, signed)
            prefix = rng.choice(["0x", "0x", "0X", "", "0x0"])
            yield "raw-tx", json.dumps(_rpc_call("eth_sendRawTransaction", [prefix + raw.hex()]))
        elif roll < 0.36:
            size = rng.choice([0, 1, 2, 50, 100, 101, 1_000])
            batch: list[Any] = [_request(rng) for _ in range(size)]
            if batch and rng.random() < 0.2:
                batch[0] = [_request(rng)]  # a batch inside a batch
            yield "batch", json.dumps(batch)
        elif big_bodies and roll < 0.365:
            size = rng.choice([1_000_000, 4_000_000, 6_000_000])
            yield "big-body", json.dumps(_rpc_call("eth_sendRawTransaction", ["0x" + "00" * size]))
        else:
            yield "wrong-types", json.dumps(_request(rng))


def _rpc_call(method: str, params: list[Any]) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": 1, "method": method, "params": params}


# --- the driver ----------------------------------------------------------------------------


@dataclass
class FuzzReport:
    """What a fuzz run saw; ``problems`` keeps the first few, each with its category."""

    requests: int = 0
    answers: int = 0
    crashes: int = 0
    non_json: int = 0
    internal_errors: int = 0
    other_problems: int = 0
    problems: list[str] = field(default_factory=list)

    def record(self, category: str, verdict: Verdict) -> None:
        """Count one answer's verdict."""
        self.answers += 1
        if verdict.problem is None:
            return
        if verdict.non_json:
            self.non_json += 1
        elif verdict.internal:
            self.internal_errors += 1
        else:
            self.other_problems += 1
        if len(self.problems) < 20:
            self.problems.append(f"[{category}] {verdict.problem}")


def _judge_frame(text: str) -> Verdict:
    """A WebSocket frame: an answer, or a subscription notification (also fine)."""
    try:
        message = json.loads(text, parse_constant=_no_constants)
    except ValueError:
        return judge(101, text)
    if isinstance(message, dict) and message.get("method") == "eth_subscription":
        return Verdict()
    return judge(101, text)


async def fuzz(
    http_url: str, ws_url: str, bodies: Iterable[tuple[str, str]], alive: Callable[[], bool]
) -> FuzzReport:
    """Send every body alternately over HTTP and a WebSocket; judge every answer.

    Over the WebSocket each body is followed by a probe (``eth_chainId``) and frames are read
    until the probe's answer, so that bodies without an answer (notifications) cost no wait.
    A connection the server closes (a message over the size limit) is opened again.
    """
    report = FuzzReport()
    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        socket: aiohttp.ClientWebSocketResponse | None = None
        try:
            for index, (category, text) in enumerate(bodies):
                if not alive():
                    report.crashes += 1
                    break
                report.requests += 1
                if index % 2 == 0:
                    await _over_http(session, http_url, category, text, report)
                    continue
                if socket is None or socket.closed:
                    try:
                        socket = await session.ws_connect(ws_url, max_msg_size=0)
                    except (aiohttp.ClientError, OSError) as exc:
                        report.record(category, Verdict(f"cannot connect: {exc!r}"))
                        socket = None
                        continue
                await _over_websocket(socket, index, category, text, report)
        finally:
            if socket is not None:
                await socket.close()
    if not alive():
        report.crashes = max(report.crashes, 1)
    return report


async def _over_http(
    session: aiohttp.ClientSession, url: str, category: str, text: str, report: FuzzReport
) -> None:
    try:
        async with session.post(
            url, data=text.encode("utf-8", "surrogatepass"),
            headers={"Content-Type": "application/json"},
        ) as response:  # fmt: skip
            body = await response.read()
            report.record(category, judge(response.status, body.decode("utf-8", "replace")))
    except (TimeoutError, aiohttp.ClientError) as exc:
        report.record(category, Verdict(f"HTTP exchange failed: {exc!r}"))


async def _over_websocket(
    socket: aiohttp.ClientWebSocketResponse,
    index: int,
    category: str,
    text: str,
    report: FuzzReport,
) -> None:
    probe_id = f"probe-{index}"
    # The server ends a connection whose message is over its size limit (close code 1009,
    # or a reset while the client is still sending): expected for those, a fault otherwise.
    oversized = len(text) > MAX_BODY_BYTES
    try:
        await socket.send_str(text.encode("utf-8", "surrogatepass").decode("utf-8", "replace"))
        await socket.send_str(
            json.dumps({"jsonrpc": "2.0", "id": probe_id, "method": "eth_chainId"})
        )
        while True:
            message = await socket.receive(timeout=120)
            if message.type != aiohttp.WSMsgType.TEXT:
                if not (oversized and socket.close_code in (1009, 1006)):
                    report.record(
                        category,
                        Verdict(f"WebSocket closed ({socket.close_code}) after {text[:200]!r}"),
                    )
                return
            if f'"{probe_id}"' in message.data:
                return
            report.record(category, _judge_frame(message.data))
    except (TimeoutError, aiohttp.ClientError, ConnectionError) as exc:
        await socket.close()
        if not oversized:
            report.record(
                category, Verdict(f"WebSocket exchange failed: {exc!r} after {text[:200]!r}")
            )
