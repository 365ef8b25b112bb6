"""Base-fee update, blob fee and gas-weighted reward percentiles."""

from __future__ import annotations

import dataclasses

from rollup_node.rpc.fees import blob_base_fee, block_rewards, fee_history, next_base_fee
from tests.unit.rpc.fake_backend import FakeChain


def test_next_base_fee_follows_the_1559_rule(chain: FakeChain) -> None:
    block = chain.blocks[0]
    full = dataclasses.replace(block, gas_used=block.gas_limit, base_fee_per_gas=1000)
    half = dataclasses.replace(block, gas_used=block.gas_limit // 2, base_fee_per_gas=1000)
    empty = dataclasses.replace(block, gas_used=0, base_fee_per_gas=1000)
    assert next_base_fee(full) == 1125
    assert next_base_fee(half) == 1000
    assert next_base_fee(empty) == 875
    tiny = dataclasses.replace(block, gas_used=block.gas_limit // 2 + 1, base_fee_per_gas=7)
    assert next_base_fee(tiny) == 8  # the increase is at least 1 wei


def test_blob_base_fee_minimum() -> None:
    assert blob_base_fee(0) == 1
    assert blob_base_fee(10_000_000) > 1


def test_rewards_are_gas_weighted(chain: FakeChain) -> None:
    block = chain.blocks[1]
    receipts = chain.block_receipts(block.hash)
    # Sorted by tip: deposit (0, 21000 gas), 1559 (1e6, 21032 gas), legacy (21000 gas).
    # Block gas 63032: 30% = 18909 is reached by the first, 50% = 31516 by the second.
    tips = [0, 1_000_000, 2_000_000_000 - block.base_fee_per_gas]
    assert block.gas_used == 63_032
    assert block_rewards(block, receipts, [0, 30, 50, 70, 100]) == [
        tips[0],
        tips[0],
        tips[1],
        tips[2],
        tips[2],
    ]
    empty = chain.blocks[0]
    assert block_rewards(empty, (), [10, 90]) == [0, 0]


def test_fee_history_has_next_base_fee(chain: FakeChain) -> None:
    history = fee_history(chain.blocks, [chain.block_receipts(b.hash) for b in chain.blocks], [50])
    assert history.oldest_block == 0
    assert history.base_fees[:-1] == tuple(b.base_fee_per_gas for b in chain.blocks)
    assert history.base_fees[-1] == next_base_fee(chain.blocks[-1])
    assert len(history.blob_base_fees) == len(chain.blocks) + 1
    assert history.gas_used_ratio[1] == chain.blocks[1].gas_used / chain.blocks[1].gas_limit
