"""The L1 transactor waiting for receipts, against anvil: a transaction L1 cannot include
any more — dropped from its pool, or queued behind a nonce gap — fails within seconds
(``L1SendFailed``) instead of holding the key until the receipt timeout, and the next send
re-reads the nonce and lands."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from rollup_node.l1.transactor import DROPPED_AFTER_SECONDS, L1SendFailed, Transactor, connect
from tests.e2e.l1 import ANVIL, Anvil
from tests.integration.helpers import account

pytestmark = [
    pytest.mark.anvil,
    pytest.mark.skipif(ANVIL is None, reason="npm install --prefix tests/e2e/anvil"),
]
RECIPIENT = "0x00000000000000000000000000000000000000AA"


@pytest.fixture
def anvil(tmp_path: Path) -> Iterator[Anvil]:
    node = Anvil(tmp_path / "anvil.log", chain_id=900, block_time_seconds=None)  # automine
    yield node
    node.stop()


def transactor(anvil: Anvil) -> Transactor:
    return Transactor(connect(anvil.url), account(6)[1], 900)


async def test_a_dropped_transaction_fails_fast_and_the_next_send_lands(anvil: Anvil) -> None:
    anvil.w3.provider.make_request("evm_setAutomine", [False])
    tx = transactor(anvil)
    tx_hash = await tx.broadcast(await tx.sign(RECIPIENT, b"", value=1, gas=21_000))
    assert await tx.includable(tx_hash)  # queued with no gap
    anvil.w3.provider.make_request("anvil_dropTransaction", ["0x" + tx_hash.hex()])
    started = time.monotonic()
    with pytest.raises(L1SendFailed, match="dropped"):
        await tx.wait(tx_hash, "transfer")
    assert time.monotonic() - started < DROPPED_AFTER_SECONDS + 2
    anvil.w3.provider.make_request("evm_setAutomine", [True])
    receipt = await tx.send(RECIPIENT, b"", "transfer", value=1, gas=21_000)
    assert receipt.block_number >= 1
    assert anvil.w3.eth.get_transaction_count(tx.address) == 1  # nonce 0 reused


async def test_a_transaction_behind_a_nonce_gap_fails_fast(anvil: Anvil) -> None:
    tx = transactor(anvil)
    await tx.sign(RECIPIENT, b"", value=1, gas=21_000)  # nonce 0, never sent: the gap
    gapped = await tx.broadcast(await tx.sign(RECIPIENT, b"", value=2, gas=21_000))
    assert not await tx.includable(gapped)
    with pytest.raises(L1SendFailed, match="dropped"):
        await tx.wait(gapped, "transfer")
    await tx.send(RECIPIENT, b"", "transfer", value=3, gas=21_000)  # fills nonce 0
    assert anvil.w3.eth.get_balance(RECIPIENT) >= 3


async def test_an_included_transaction_returns_its_receipt(anvil: Anvil) -> None:
    tx = transactor(anvil)
    receipt = await tx.send(RECIPIENT, b"", "transfer", value=5, gas=21_000)
    assert await tx.includable(receipt.transaction_hash)
    assert anvil.w3.eth.get_balance(RECIPIENT) == 5
