"""ethers, viem and Foundry's cast, unmodified, against the server on the real embedded L1.

The clients are npm packages pinned in ``tests/unit/rpc/clients/package.json``; install them
with ``npm ci --prefix tests/unit/rpc/clients`` (no binary downloads: cast ships in its npm
package). Without them these tests are skipped. The chain is the devnet's embedded L1
(py-evm, LMDB in a temporary directory) mining a block for every transaction.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry

from rollup_node.chain.genesis import devnet_accounts
from rollup_node.devnet.l1 import EmbeddedL1
from rollup_node.metrics import NodeMetrics
from rollup_node.rpc.server import build_app
from tests.unit.rpc.live_server import LiveServer

CLIENTS = Path(__file__).parent / "clients"
# The platform binary itself: the npm wrapper script does not pass on cast's exit status.
CAST = next(iter(sorted(CLIENTS.glob("node_modules/@foundry-rs/cast-*/bin/cast"))), None)
L1_CHAIN_ID = 900

pytestmark = pytest.mark.skipif(
    CAST is None or shutil.which("node") is None,
    reason="wallet clients not installed: npm ci --prefix tests/unit/rpc/clients",
)


def revert_initcode(reason: str) -> str:
    """Init code of a contract whose every call reverts with ``Error(reason)``."""
    assert len(reason) <= 32
    runtime = (
        "7f" + "08c379a0".ljust(64, "0") + "600052"  # selector at 0
        "6020600452"  # offset 0x20 at 4
        + f"60{len(reason):02x}602452"  # length at 0x24
        + "7f" + reason.encode().hex().ljust(64, "0") + "604452"  # text at 0x44
        + "60646000fd"  # revert(0, 0x64)
    )  # fmt: skip
    size = len(runtime) // 2
    return "0x" + f"61{size:04x}80600c6000396000f3" + runtime


@pytest.fixture
def l1_url(tmp_path: Path) -> Iterator[str]:
    l1 = EmbeddedL1(tmp_path, L1_CHAIN_ID, 0, NodeMetrics(CollectorRegistry(), chain="l1"))
    server = LiveServer(build_app(l1.chain, dev=l1), services=(l1.run,))
    try:
        yield server.url
    finally:
        server.close()
        l1.close()


def run(*command: str) -> str:
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=CLIENTS)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout.strip()


def key(index: int) -> str:
    return "0x" + devnet_accounts()[index][1].removeprefix("0x")


def test_ethers(l1_url: str) -> None:
    assert run("node", "check_ethers.mjs", l1_url, key(0), revert_initcode("nope")) == "ethers ok"


def test_viem(l1_url: str) -> None:
    assert run("node", "check_viem.mjs", l1_url, str(L1_CHAIN_ID), key(1)) == "viem ok"


def test_cast(l1_url: str) -> None:
    cast = str(CAST)
    recipient = "0x" + "77" * 20
    initcode = revert_initcode("no")
    assert run(cast, "chain-id", "-r", l1_url) == str(L1_CHAIN_ID)
    sent = json.loads(
        run(
            cast, "send", "--json", "--private-key", key(2), recipient, "--value", "9", "-r", l1_url
        )
    )
    assert sent["status"] == "0x1"
    assert run(cast, "balance", recipient, "-r", l1_url) == "9"
    block = json.loads(run(cast, "block", sent["blockNumber"], "--json", "-r", l1_url))
    assert block["hash"] == sent["blockHash"]
    deployed = json.loads(
        run(cast, "send", "--json", "--private-key", key(2), "-r", l1_url, "--create", initcode)
    )
    failure = subprocess.run(
        [cast, "call", deployed["contractAddress"], "-r", l1_url],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert failure.returncode != 0
    assert "execution reverted: no" in failure.stderr
    history = json.loads(run(cast, "rpc", "eth_feeHistory", "0x2", "latest", "[50]", "-r", l1_url))
    assert len(history["baseFeePerGas"]) == 3
