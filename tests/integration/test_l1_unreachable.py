"""A node whose L1 does not answer keeps running, but says so: ``/readyz`` fails,
``rollup_syncStatus`` and a metric report it, and the log warns (``l1/health.py``)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests
import tomli_w

from tests.integration.hostile import free_port

#: Nothing listens on the discard port.
UNREACHABLE_L1 = "http://127.0.0.1:9"


def test_a_node_without_its_l1_is_running_but_not_ready(tmp_path: Path) -> None:
    config = tmp_path / "replica.toml"
    addresses = {"canonical_transaction_chain": "0x" + "22" * 20}
    config.write_text(
        tomli_w.dumps({"rollup": {"l1_addresses": addresses}, "node": {"l1_rpc": UNREACHABLE_L1}})
    )
    port = free_port()
    log = tmp_path / "node.log"
    with log.open("wb") as out:
        node = subprocess.Popen(
            [sys.executable, "-m", "rollup_node.cli", "replica", "--config", str(config),
             "--data-dir", str(tmp_path / "data"), "--rpc-port", str(port)],
            stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert node.poll() is None, log.read_text()
            assert time.monotonic() < deadline, "/readyz never said the node is not ready"
            try:
                answer = requests.get(f"{url}/readyz", timeout=5)
                # 503 from the start (L1 never read); then for the reason this test is about
                if answer.status_code == 503 and "L1 unreachable" in str(answer.json()):
                    break
            except requests.ConnectionError:
                pass  # not listening yet
            time.sleep(0.2)
        assert requests.get(f"{url}/healthz", timeout=5).status_code == 200  # alive
        body = {"jsonrpc": "2.0", "id": 1, "method": "rollup_syncStatus", "params": []}
        status = requests.post(url, json=body, timeout=5).json()["result"]
        assert status["l1Reachable"] is False
        assert "127.0.0.1:9" in status["l1Error"], status
        metrics = requests.get(f"{url}/metrics", timeout=5).text
        assert "l1_reachable 0.0" in metrics
        failures = [line for line in metrics.splitlines() if line.startswith("l1_request_fail")]
        assert failures and float(failures[0].split()[-1]) >= 1, failures
    finally:
        os.kill(node.pid, signal.SIGTERM)
        status_code = node.wait(30)
    assert status_code == 0
    warnings = [line for line in log.read_text().splitlines() if "L1 unreachable" in line]
    assert warnings and "warning" in warnings[0], log.read_text()
