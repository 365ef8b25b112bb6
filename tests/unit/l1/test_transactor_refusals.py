"""A transaction L1's pool refuses is reported as what it is (``l1.errors.refusal``), not as
"L1 unavailable": against a real L1 — the embedded one (automine) and anvil — a nonce taken
behind the transactor's back by another sender of the same key is a nonce race, and the next
send re-reads the nonce and lands; a key without funds is told so. The log line the services
write for each (``failure_message``) says the same."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account
from web3 import Web3

from rollup_node.l1.errors import Refusal, refusal
from rollup_node.l1.transactor import (
    L1SendFailed,
    L1TransactionRefused,
    Transactor,
    connect,
    failure_message,
)
from tests.e2e.l1 import ANVIL, Anvil
from tests.integration.helpers import account
from tests.l1_harness import L1_CHAIN_ID, ServedL1

RECIPIENT = "0x00000000000000000000000000000000000000AA"


@pytest.fixture(
    params=[
        "embedded",
        pytest.param(
            "anvil",
            marks=[
                pytest.mark.anvil,
                pytest.mark.skipif(ANVIL is None, reason="npm install --prefix tests/e2e/anvil"),
            ],
        ),
    ]
)
def l1(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, Web3]]:
    """An L1 that mines a block per transaction: (URL, sync web3)."""
    if request.param == "embedded":
        served = ServedL1(tmp_path / "l1")
        yield served.url, served.w3
        served.close()
    else:
        anvil = Anvil(tmp_path / "anvil.log", L1_CHAIN_ID, block_time_seconds=None)
        yield anvil.url, anvil.w3
        anvil.stop()


def send_behind_its_back(w3: Web3, key: str, nonce: int) -> None:
    """Another sender of ``key`` (a wallet holding the same key) spends ``nonce``."""
    tx: dict[str, Any] = {
        "to": RECIPIENT, "value": 1, "gas": 21_000, "nonce": nonce, "chainId": L1_CHAIN_ID,
        "maxFeePerGas": 10 * 10**9, "maxPriorityFeePerGas": 10**9, "type": 2,
    }  # fmt: skip
    sent = w3.eth.send_raw_transaction(Account.sign_transaction(tx, key).raw_transaction)
    assert w3.eth.wait_for_transaction_receipt(sent, timeout=30)["status"] == 1


async def test_a_nonce_taken_behind_its_back_is_a_nonce_race(l1: tuple[str, Web3]) -> None:
    url, w3 = l1
    key = account(7)[1]
    tx = Transactor(connect(url), key, L1_CHAIN_ID)
    try:
        await tx.send(RECIPIENT, b"", "transfer", value=1, gas=21_000)  # the nonce is cached
        send_behind_its_back(w3, key, w3.eth.get_transaction_count(tx.address))
        with pytest.raises(L1TransactionRefused) as refused:
            await tx.send(RECIPIENT, b"", "transfer", value=1, gas=21_000)
        assert refused.value.reason is Refusal.NONCE_RACE, refused.value
        assert "nonce too low" in str(refused.value)
        assert failure_message(refused.value).startswith("nonce race on L1")
        # The nonce is read again: the next send lands after the other sender's transaction.
        receipt = await tx.send(RECIPIENT, b"", "transfer", value=1, gas=21_000)
        assert receipt.block_number == w3.eth.block_number
        assert w3.eth.get_transaction_count(tx.address) == 3
    finally:
        await tx.w3.provider.disconnect()


async def test_a_key_without_funds_is_told_so(l1: tuple[str, Web3]) -> None:
    url, _ = l1
    tx = Transactor(connect(url), "0x" + "42" * 32, L1_CHAIN_ID)  # never funded
    try:
        with pytest.raises(L1TransactionRefused) as refused:
            await tx.send(RECIPIENT, b"", "transfer", value=1, gas=21_000)
        assert refused.value.reason is Refusal.INSUFFICIENT_FUNDS, refused.value
        assert isinstance(refused.value, L1SendFailed)  # retried by the services, not fatal
        assert "insufficient funds" in failure_message(refused.value)
    finally:
        await tx.w3.provider.disconnect()


@pytest.mark.parametrize(
    ("message", "meaning"),
    [
        ("nonce too low: next nonce 5, tx nonce 4", Refusal.NONCE_RACE),  # geth, anvil
        ("replacement transaction underpriced", Refusal.NONCE_RACE),
        ("already known", Refusal.ALREADY_KNOWN),
        ("insufficient funds for gas * price + value", Refusal.INSUFFICIENT_FUNDS),
        ("transaction underpriced", Refusal.FEE_TOO_LOW),
        ("max fee per gas less than block base fee", Refusal.FEE_TOO_LOW),
        ("txpool is full", Refusal.POOL_FULL),
        ("sender not an eoa", Refusal.OTHER),
    ],
)
def test_refusal_messages(message: str, meaning: Refusal) -> None:
    assert refusal(message) is meaning
