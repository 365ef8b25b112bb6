"""The transactor estimates gas for the block its transaction lands in (``pending``).

A CTC batch may consume deposits enqueued in the current head block: valid in the next block,
refused in the head's own context, which is where anvil and geth estimate by default. The
probe contract below has the same shape: a call reverts in the block that last marked it.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from web3 import Web3

from rollup_node.chain.genesis import devnet_accounts
from rollup_node.l1.transactor import Transactor, connect
from tests.e2e.l1 import ANVIL, Anvil
from tests.integration.helpers import init_code

# calldata → store NUMBER in slot 0; no calldata → revert if NUMBER == slot 0.
PROBE = bytes.fromhex("36600d574360005414601357005b43600055005b600080fd")


@pytest.mark.skipif(
    ANVIL is None, reason="anvil not installed: npm install --prefix tests/e2e/anvil"
)
def test_estimates_for_the_next_block(tmp_path: Path) -> None:
    anvil = Anvil(tmp_path / "anvil.log", 900, block_time_seconds=None)  # a block per tx
    try:
        w3 = Web3(Web3.HTTPProvider(anvil.url))
        sender = w3.eth.accounts[1]
        created = w3.eth.send_transaction({"from": sender, "data": init_code(PROBE)})
        probe = w3.eth.wait_for_transaction_receipt(created)["contractAddress"]
        marked = w3.eth.send_transaction({"from": sender, "to": probe, "data": "0x01"})
        assert w3.eth.wait_for_transaction_receipt(marked)["status"] == 1
        # anvil's default estimate runs in the head block, where the probe reverts
        with pytest.raises(Exception, match="revert"):
            w3.eth.estimate_gas({"from": sender, "to": probe})

        async def send() -> int:
            l1 = connect(anvil.url)
            try:
                tx = Transactor(l1, devnet_accounts()[2][1], 900)
                return (await tx.send(probe, b"", "probe")).block_number
            finally:
                await l1.provider.disconnect()

        assert asyncio.run(send()) == w3.eth.block_number
    finally:
        anvil.stop()
