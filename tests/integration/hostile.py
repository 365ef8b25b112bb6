"""Hostile JSON-RPC input against a real node process: the process, the answer check, the corpus.

The node runs as a child process (``rollup-node devnet``), so that a crash of it (a segfault,
an abort) is seen as the process ending rather than taking the test runner down with it.
``judge`` says what is wrong with one answer: the rule (issue 10) is that every answer is a
JSON-RPC 2.0 object (or, for a batch, a list of them) with an EIP-1474 code, never -32603,
and always strict JSON (no ``NaN``); HTTP 413 for an oversized body is the one exception.
Used by ``test_rpc_hostile.py`` and ``bench/rpc_fuzz.py``.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

#: Codes a client may see (JSON-RPC 2.0 and EIP-1474, plus 3: a revert with data).
ALLOWED_CODES = frozenset(
    {-32700, -32600, -32601, -32602, -32000, -32001, -32002, -32003, -32004, -32005, -32006, 3}
)
INTERNAL_ERROR = -32603


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class DevnetProcess:
    """``rollup-node devnet`` in a child process: embedded L1 and L2 on free ports."""

    def __init__(self, data_dir: Path, log: Path, l1_block_time: float = 1.0) -> None:
        self.l1_port, self.l2_port = free_port(), free_port()
        cmd = [
            sys.executable, "-m", "rollup_node.cli", "devnet",
            "--data-dir", str(data_dir), "--rpc-port", str(self.l2_port),
            "--l1-rpc-port", str(self.l1_port), "--block-time", "1",
            "--l1-block-time", str(l1_block_time),
        ]  # fmt: skip
        self._log = log.open("ab")
        self.proc = subprocess.Popen(cmd, stdout=self._log, stderr=subprocess.STDOUT)
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

    def rss_bytes(self) -> int:
        """The process' resident memory."""
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
        raise RuntimeError("no VmRSS")

    def stop(self) -> int | None:
        """SIGTERM, then SIGKILL after 20 s; the exit status (negative: the signal)."""
        if self.alive():
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()
        return self.proc.returncode


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
