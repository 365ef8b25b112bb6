"""The embedded L1's dev methods over JSON-RPC: state writes, automine, the pending block."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.l1_harness import ServedL1

TARGET = "0x" + "ab" * 20
# Runtime code returning NUMBER (0x43) or TIMESTAMP (0x42) as one word.
RETURN_NUMBER = "0x435f5260205ff3"
RETURN_TIMESTAMP = "0x425f5260205ff3"


def _only_at_block(number: int) -> str:
    """Runtime code that stops when NUMBER is ``number`` and reverts otherwise."""
    return f"0x4360{number:02x}1460{0x0A:02x}575f5ffd5b00"


@pytest.fixture
def l1(tmp_path: Path) -> Iterator[ServedL1]:
    served = ServedL1(tmp_path / "l1")
    yield served
    served.close()


def rpc(l1: ServedL1, method: str, *params: Any) -> dict[str, Any]:
    """The whole JSON-RPC response (``result`` or ``error``)."""
    body = {"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)}
    return requests.post(l1.url, json=body, timeout=30).json()


def result(l1: ServedL1, method: str, *params: Any) -> Any:
    answer = rpc(l1, method, *params)
    assert "error" not in answer, answer
    return answer["result"]


def head(l1: ServedL1) -> dict[str, Any]:
    return result(l1, "eth_getBlockByNumber", "latest", False)


# ------------------------------------------------------------------ state writes


def test_set_code_is_visible_at_latest_and_runs(l1: ServedL1) -> None:
    before = head(l1)
    assert result(l1, "anvil_setCode", TARGET, RETURN_NUMBER) is None
    assert result(l1, "eth_getCode", TARGET, "latest") == RETURN_NUMBER
    assert result(l1, "eth_getCode", TARGET, before["number"]) == "0x"
    after = head(l1)
    # One block without transactions carries the write, and commits to the new state.
    assert int(after["number"], 16) == int(before["number"], 16) + 1
    assert after["transactions"] == [] and after["stateRoot"] != before["stateRoot"]
    assert int(result(l1, "eth_call", {"to": TARGET}, "latest"), 16) == int(after["number"], 16)
    assert result(l1, "hardhat_setCode", TARGET, "0x") is True
    assert result(l1, "eth_getCode", TARGET, "latest") == "0x"


def test_set_storage_at(l1: ServedL1) -> None:
    value = "0x" + "00" * 31 + "2a"
    assert result(l1, "anvil_setStorageAt", TARGET, "0x5", value) is None
    assert result(l1, "eth_getStorageAt", TARGET, "0x5", "latest") == value
    # Slots may be given as a 32-byte word too (what tools send); the value must be 32 bytes.
    slot = "0x" + "00" * 31 + "06"
    assert result(l1, "hardhat_setStorageAt", TARGET, slot, value) is True
    assert result(l1, "eth_getStorageAt", TARGET, "0x6", "latest") == value
    short = rpc(l1, "anvil_setStorageAt", TARGET, "0x5", "0x2a")
    assert short["error"]["code"] == -32602
    assert "value" in short["error"]["message"] and "want 64" in short["error"]["message"]
    assert rpc(l1, "anvil_setStorageAt", TARGET, "0x" + "1" * 65, value)["error"]["code"] == -32602


def test_set_balance(l1: ServedL1) -> None:
    assert result(l1, "anvil_setBalance", TARGET, hex(10**30)) is None
    assert int(result(l1, "eth_getBalance", TARGET, "latest"), 16) == 10**30
    assert result(l1, "anvil_setBalance", TARGET, "0x0") is None
    assert result(l1, "eth_getBalance", TARGET, "latest") == "0x0"
    for bad in ("0x01", "12", hex(2**256), -1):
        answer = rpc(l1, "anvil_setBalance", TARGET, bad)
        assert answer["error"]["code"] == -32602, bad
        assert "balance" in answer["error"]["message"]


def test_set_nonce_is_what_the_next_transaction_uses(l1: ServedL1) -> None:
    sender = result(l1, "eth_accounts")[0]
    assert result(l1, "anvil_setNonce", sender, "0x7") is None
    assert result(l1, "eth_getTransactionCount", sender, "latest") == "0x7"
    tx_hash = result(l1, "eth_sendTransaction", {"from": sender, "to": TARGET, "value": "0x1"})
    assert result(l1, "eth_getTransactionByHash", tx_hash)["nonce"] == "0x7"
    assert result(l1, "hardhat_setNonce", TARGET, "0x3") is True
    assert rpc(l1, "anvil_setNonce", TARGET, hex(2**64))["error"]["code"] == -32602


def test_bad_addresses_and_arguments(l1: ServedL1) -> None:
    for method, tail in (
        ("anvil_setCode", ["0x00"]),
        ("anvil_setStorageAt", ["0x0", "0x" + "00" * 32]),
        ("anvil_setBalance", ["0x1"]),
        ("anvil_setNonce", ["0x1"]),
    ):
        short = rpc(l1, method, "0x1234", *tail)
        assert short["error"]["code"] == -32602
        assert "address" in short["error"]["message"]
        missing = rpc(l1, method, TARGET)
        assert missing["error"]["code"] == -32602, method
    assert rpc(l1, "anvil_setCode", TARGET, "0x123")["error"]["code"] == -32602  # odd length


def test_snapshot_and_revert_undo_a_write(l1: ServedL1) -> None:
    snapshot = result(l1, "evm_snapshot")
    result(l1, "anvil_setCode", TARGET, RETURN_NUMBER)
    assert result(l1, "evm_revert", snapshot) is True
    assert result(l1, "eth_getCode", TARGET, "latest") == "0x"


def test_a_write_leaves_a_fixed_next_timestamp_to_the_next_transaction(l1: ServedL1) -> None:
    sender = result(l1, "eth_accounts")[0]
    fixed = int(head(l1)["timestamp"], 16) + 1000
    result(l1, "evm_setNextBlockTimestamp", hex(fixed))
    result(l1, "anvil_setBalance", TARGET, "0x1")
    assert int(head(l1)["timestamp"], 16) < fixed
    tx_hash = result(l1, "eth_sendTransaction", {"from": sender, "to": TARGET})
    receipt = result(l1, "eth_getTransactionReceipt", tx_hash)
    block = result(l1, "eth_getBlockByNumber", receipt["blockNumber"], False)
    assert int(block["timestamp"], 16) == fixed


# ------------------------------------------------------------------ mining


def test_send_transaction_answers_with_the_transaction_mined(l1: ServedL1) -> None:
    sender = result(l1, "eth_accounts")[0]
    for _ in range(3):
        tx_hash = result(l1, "eth_sendTransaction", {"from": sender, "to": TARGET, "value": "0x1"})
        assert result(l1, "eth_getTransactionReceipt", tx_hash)["status"] == "0x1"


def test_automine_off_collects_transactions_into_one_block(l1: ServedL1) -> None:
    sender = result(l1, "eth_accounts")[0]
    number = int(head(l1)["number"], 16)
    assert result(l1, "evm_setAutomine", False) is None
    hashes = [
        result(l1, "eth_sendTransaction", {"from": sender, "to": TARGET, "gas": "0x5208"})
        for _ in range(2)
    ]
    assert [result(l1, "eth_getTransactionReceipt", h) for h in hashes] == [None, None]
    assert result(l1, "evm_mine") == "0x0"
    receipts = [result(l1, "eth_getTransactionReceipt", h) for h in hashes]
    assert {r["blockNumber"] for r in receipts} == {hex(number + 1)}
    assert result(l1, "anvil_setAutomine", True) is None
    tx_hash = result(l1, "eth_sendTransaction", {"from": sender, "to": TARGET})
    assert result(l1, "eth_getTransactionReceipt", tx_hash)["blockNumber"] == hex(number + 2)
    assert rpc(l1, "evm_setAutomine", "yes")["error"]["code"] == -32602


def test_automine_needs_block_time_zero(tmp_path: Path) -> None:
    from prometheus_client import CollectorRegistry

    from rollup_node.devnet.l1 import EmbeddedL1
    from rollup_node.metrics import NodeMetrics

    l1 = EmbeddedL1(tmp_path / "l1", 900, 2.0, NodeMetrics(CollectorRegistry(), "l1"))
    try:
        with pytest.raises(ValueError, match="automine needs 0"):
            l1.set_automine(True)
    finally:
        l1.close()


def test_mine_refuses_a_timestamp_in_the_past(l1: ServedL1) -> None:
    past = rpc(l1, "evm_mine", int(head(l1)["timestamp"], 16))
    assert past["error"] == {"code": -32000, "message": "timestamp must be after the head block's"}


# ------------------------------------------------------------------ the pending block


def test_calls_at_pending_run_in_the_next_block(l1: ServedL1) -> None:
    result(l1, "anvil_setCode", TARGET, RETURN_NUMBER)
    latest = int(head(l1)["number"], 16)
    assert int(result(l1, "eth_call", {"to": TARGET}, "latest"), 16) == latest
    assert int(result(l1, "eth_call", {"to": TARGET}, "pending"), 16) == latest + 1
    result(l1, "anvil_setCode", TARGET, RETURN_TIMESTAMP)
    fixed = int(head(l1)["timestamp"], 16) + 500
    result(l1, "evm_setNextBlockTimestamp", hex(fixed))
    assert int(result(l1, "eth_call", {"to": TARGET}, "pending"), 16) == fixed
    assert int(result(l1, "eth_call", {"to": TARGET}, "latest"), 16) < fixed


def test_estimates_default_to_the_pending_block(l1: ServedL1) -> None:
    result(l1, "anvil_setCode", TARGET, _only_at_block(2))  # the write is block 1
    assert int(result(l1, "eth_estimateGas", {"to": TARGET}), 16) > 21_000
    assert int(result(l1, "eth_estimateGas", {"to": TARGET}, "pending"), 16) > 21_000
    reverted = rpc(l1, "eth_estimateGas", {"to": TARGET}, "latest")
    assert reverted["error"]["code"] == 3 and reverted["error"]["message"] == "execution reverted"
