"""kill -9 the devnet while it produces blocks; after a restart nothing acknowledged is lost.

Acknowledged means: a receipt was served (the block is durable) or ``eth_sendRawTransaction``
returned a hash (the transaction is journaled). After each restart every served receipt is
still there, identical, every accepted transaction is eventually included exactly once, and
the chain keeps growing.
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from eth_account import Account
from web3 import Web3

from rollup_node.chain.genesis import devnet_accounts

RECIPIENT = "0xAbAbaBabaBabaBabABABABAbabABaBaBAbabABcD"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(data_dir: Path, l1_port: int, l2_port: int, log: Path) -> subprocess.Popen[bytes]:
    cmd = [
        sys.executable, "-m", "rollup_node.cli", "devnet",
        "--data-dir", str(data_dir), "--rpc-port", str(l2_port), "--l1-rpc-port", str(l1_port),
        "--block-time", "1", "--l1-block-time", "1",
    ]  # fmt: skip
    return subprocess.Popen(cmd, stdout=log.open("ab"), stderr=subprocess.STDOUT)


def _wait_ready(w3: Web3, proc: subprocess.Popen[bytes], timeout: float = 30) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        assert proc.poll() is None, "node exited during start-up"
        try:
            if w3.eth.block_number >= 0:
                return
        except Exception:
            time.sleep(0.2)
    raise AssertionError("node did not become ready")


def test_kill_9_during_block_production_loses_nothing_acknowledged(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    l1_port, l2_port = _free_port(), _free_port()
    w3 = Web3(Web3.HTTPProvider(f"http://127.0.0.1:{l2_port}", request_kwargs={"timeout": 5}))
    account = Account.from_key(devnet_accounts()[3][1])
    rng = random.Random(7)
    receipts: dict[bytes, dict] = {}  # tx hash -> served receipt
    accepted: list[bytes] = []
    nonce = 0
    heads = []

    for _ in range(3):
        proc = _start(data_dir, l1_port, l2_port, tmp_path / "node.log")
        try:
            _wait_ready(w3, proc)
            # everything acknowledged before the crash is there, unchanged
            for tx_hash, receipt in receipts.items():
                again = w3.eth.get_transaction_receipt(tx_hash)
                assert again["blockHash"] == receipt["blockHash"]
                assert again["status"] == receipt["status"]
            nonce = w3.eth.get_transaction_count(account.address, "pending")
            assert nonce >= len(accepted), "an accepted transaction was lost from the journal"
            heads.append(w3.eth.block_number)
            # send a stream of transfers, collect receipts, and crash at a random moment
            crash_at = time.time() + rng.uniform(2.0, 4.0)
            while time.time() < crash_at:
                tx = account.sign_transaction(
                    {
                        "type": 2,
                        "nonce": nonce,
                        "to": RECIPIENT,
                        "value": 1,
                        "gas": 21_000,
                        "maxFeePerGas": 10**10,
                        "maxPriorityFeePerGas": 10**6,
                        "chainId": 901,
                    }  # fmt: skip
                )
                accepted.append(bytes(w3.eth.send_raw_transaction(tx.raw_transaction)))
                nonce += 1
                for tx_hash in accepted:
                    if tx_hash not in receipts:
                        with contextlib.suppress(Exception):
                            receipts[tx_hash] = dict(w3.eth.get_transaction_receipt(tx_hash))
                time.sleep(0.05)
        finally:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()

    proc = _start(data_dir, l1_port, l2_port, tmp_path / "node.log")
    try:
        _wait_ready(w3, proc)
        for tx_hash, receipt in receipts.items():
            assert w3.eth.get_transaction_receipt(tx_hash)["blockHash"] == receipt["blockHash"]
        # every accepted transaction is included exactly once, in nonce order
        deadline = time.time() + 30
        while time.time() < deadline and w3.eth.get_transaction_count(account.address) < len(
            accepted
        ):
            time.sleep(0.5)
        assert w3.eth.get_transaction_count(account.address) == len(accepted)
        for tx_hash in accepted:
            assert w3.eth.get_transaction_receipt(tx_hash)["status"] == 1
        assert w3.eth.get_balance(RECIPIENT) == len(accepted)
        # the chain keeps growing after the crashes
        head = w3.eth.block_number
        assert head > heads[-1]
        deadline = time.time() + 30  # a bound, not a schedule: a loaded machine may be slow
        while time.time() < deadline and w3.eth.block_number <= head:
            time.sleep(0.2)
        assert w3.eth.block_number > head
        assert len(receipts) > 0
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(15) == 0, "clean shutdown on SIGINT"
