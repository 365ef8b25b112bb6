"""A non-validation failure while building a block halts the node (issue 14, SPEC §6 rule 4).

A real devnet node whose L2 store fails to read one contract's code (``tests/faulty_store``):
a transaction calling that contract makes py-evm's state read raise inside block building.
Before, the builder called that "malformed" and the block was sealed without the transaction
— a different block than the fault-proof program derives. Now the sequencer raises
``ExecutionFault``, the supervisor stops the node, no block holds the transaction, and it is
still in the intake's journal: a node restarted on a sound store includes it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from eth_hash.auto import keccak
from eth_utils import to_checksum_address

from rollup_node.chain.errors import ExecutionFault
from rollup_node.chain.genesis import open_l2_chain
from rollup_node.node import Node
from rollup_node.protocol.predeploys import GAS_PRICE_ORACLE
from tests.faulty_store import FaultyStore
from tests.integration.helpers import account, sign, wait_receipts
from tests.node_harness import RunningNode


class NodeOnFaultyStore(Node):
    """The devnet node with its L2 chain on a ``FaultyStore`` (armed by the test)."""

    def _open_l2(self) -> None:
        store = FaultyStore(self.data_dir / "l2")
        self._stores.append(store)
        self.l2 = open_l2_chain(store, self.rollup)


def test_a_store_error_in_block_building_halts_the_node(tmp_path: Path) -> None:
    running = RunningNode(tmp_path, node_class=NodeOnFaultyStore, rollup_services=False)
    try:
        chain = running.node.l2
        assert chain is not None and isinstance(chain.store, FaultyStore)
        oracle = to_checksum_address(GAS_PRICE_ORACLE)
        chain.store.failing_key = keccak(bytes(running.w3.eth.get_code(oracle)))
        _, key = account(2)
        raw = sign(key, to=oracle, nonce=0, gas=100_000)
        tx_hash = running.w3.eth.send_raw_transaction(raw)

        with pytest.raises(ExecutionFault, match="after it passed the validity rule"):
            running.run(running.node.wait(), timeout=30)
        tx = running.w3.eth.get_transaction(tx_hash)
        assert tx["blockNumber"] is None  # no block was sealed without it; still queued
    finally:
        running.stop()

    restarted = RunningNode(tmp_path, rollup_services=False)
    try:
        (receipt,) = wait_receipts(restarted.w3, [tx_hash])
        assert receipt["blockNumber"] > 0
    finally:
        restarted.stop()
