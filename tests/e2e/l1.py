"""The L1s the end-to-end suite runs on: the devnet's embedded L1, or Foundry's anvil.

``tests/e2e/conftest.py`` runs every e2e test once per kind (``L1_KINDS``) and binds the
test's ``L1`` here, so ``rollup_helpers.sequencer`` needs no extra argument: on "embedded" it
starts a devnet (embedded L1, contracts deployed at first start); on "anvil" it starts anvil
(one per test, kept across node restarts, stopped at teardown), deploys with
``deploy_rollup`` and runs a ``sequencer``-mode node against it.

anvil is the platform binary of the npm package ``@foundry-rs/anvil``, installed with
``npm install --prefix tests/e2e/anvil`` (run directly: its npm wrapper script is an extra
``node`` process between us and the signal that stops anvil).
"""

from __future__ import annotations

import atexit
import re
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from web3 import Web3

from tests.node_harness import RunningNode

ANVIL_DIR = Path(__file__).parent / "anvil"
ANVIL = next(iter(sorted(ANVIL_DIR.glob("node_modules/@foundry-rs/anvil-*/bin/anvil"))), None)
L1_KINDS = ("embedded", "anvil")
LISTENING = re.compile(rb"Listening on ([0-9.]+):(\d+)")


class Anvil:
    """An anvil process on a free port: a block every ``block_time_seconds`` (``None``: one
    per transaction), the standard test mnemonic's ten funded accounts, its log in
    ``log_path``; ``options`` are more command-line flags (``--steps-tracing``: keep opcode
    steps of mined transactions for ``debug_traceTransaction``)."""

    def __init__(
        self,
        log_path: Path,
        chain_id: int,
        block_time_seconds: int | None = 1,
        options: tuple[str, ...] = (),
    ) -> None:
        if ANVIL is None:
            raise RuntimeError("anvil is not installed: npm install --prefix tests/e2e/anvil")
        self.chain_id = chain_id
        self.log_path = log_path
        log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = open(log_path, "wb")  # noqa: SIM115 - closed in stop()
        command = [str(ANVIL), "--port", "0", "--chain-id", str(chain_id)]
        if block_time_seconds is not None:
            command += ["--block-time", str(block_time_seconds)]
        command += options
        self.process = subprocess.Popen(
            command, stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )
        atexit.register(self.stop)  # a test run interrupted before teardown leaves no anvil
        try:
            self.url = self._wait_listening()
            self.w3 = Web3(Web3.HTTPProvider(self.url, request_kwargs={"timeout": 30}))
            self._wait_answering()
        except BaseException:
            self.stop()
            raise

    def _wait_listening(self, timeout_seconds: float = 30) -> str:
        deadline = time.monotonic() + timeout_seconds
        while time.monotonic() < deadline:
            found = LISTENING.search(self.log_path.read_bytes())
            if found:
                return f"http://{found[1].decode()}:{found[2].decode()}"
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        raise RuntimeError(f"anvil did not start: {self.log_path.read_text()[-2000:]}")

    def _wait_answering(self, timeout_seconds: float = 30) -> None:
        deadline = time.monotonic() + timeout_seconds
        while True:
            try:
                if self.w3.eth.chain_id == self.chain_id:
                    return
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"anvil at {self.url} does not answer eth_chainId")
            time.sleep(0.05)

    def stop(self) -> None:
        """Terminate anvil (kill it if it does not exit within 10 s); idempotent."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()
        atexit.unregister(self.stop)


class L1:
    """The L1 of a test module: its kind, the anvil it started (at most one, on first use) and
    the sequencers started on it (``started``), which must all be stopped before it is."""

    def __init__(self, kind: str, workdir: Path) -> None:
        if kind not in L1_KINDS:
            raise ValueError(f"unknown L1 kind {kind!r} (one of {', '.join(L1_KINDS)})")
        self.kind = kind
        self.workdir = workdir
        self.nodes: list[RunningNode] = []
        self._anvil: Anvil | None = None

    def started(self, node: RunningNode) -> RunningNode:
        """Record a sequencer started on this L1; return it."""
        self.nodes.append(node)
        return node

    def anvil(self, chain_id: int) -> Anvil:
        """This test's anvil, started on the first call."""
        if self._anvil is None:
            self._anvil = Anvil(self.workdir / "anvil.log", chain_id)
        elif self._anvil.chain_id != chain_id:
            raise ValueError(f"the anvil has chain id {self._anvil.chain_id}, not {chain_id}")
        return self._anvil

    @contextmanager
    def bare(self, path: Path, chain_id: int = 900) -> Iterator[tuple[str, Web3]]:
        """An L1 with no rollup on it yet, as (URL, web3): anvil, or a devnet without rollup
        services (its embedded L1, in ``path``), stopped on leaving the block."""
        if self.kind == "anvil":
            anvil = self.anvil(chain_id)
            yield anvil.url, anvil.w3
            return
        node = RunningNode(path, rollup_services=False, rollup={"l1_chain_id": chain_id})
        try:
            assert node.l1_url is not None and node.l1_w3 is not None
            yield node.l1_url, node.l1_w3
        finally:
            node.stop()

    def close(self) -> None:
        """Stop what this L1 started. A sequencer still running outlived its L1 — typically a
        module-scoped fixture that does not take ``l1``, which would serve the next kind's
        tests from this one: it is stopped, and this raises."""
        running = [node for node in self.nodes if not node.loop.is_closed()]
        for node in running:
            node.stop()
        if self._anvil is not None:
            self._anvil.stop()
        if running:
            where = ", ".join(str(node.config.node.data_dir) for node in running)
            raise AssertionError(
                f"sequencer(s) still running when the {self.kind} L1 closed ({where}): stop "
                "them in the test, or give the fixture that starts them the l1 argument"
            )
