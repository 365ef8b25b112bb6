"""The C derivation (src/derive.c) against the node's (rollup_node.protocol.derivation) on
random batches: well-formed and malformed, valid and invalid origins, deposits enqueued before
and after their block's origin. Every block of every batch must get the same origin, fallback
flag, deposits and sequenced transactions."""

from __future__ import annotations

import random

import pytest
import rlp

from rollup_node.config import RollupConfig
from rollup_node.faultproof.differential.world import Batch, QueueElement, World
from rollup_node.protocol import derivation as py

from .test_derive import CTC, _run, _user_deposit

CONFIG = RollupConfig(
    l2_genesis_timestamp=10_000,
    force_inclusion_blocks=6,
    deposit_gas_per_block=300_000,
    max_deposit_gas=100_000,
    l2_gas_limit=5_000_000,
    l1_addresses=CTC,
)
PARAMS = py.DerivationParams(10_000, 2, 6, 300_000)
SENDER = bytes.fromhex("5e0de00000000000000000000000000000000005")


def _scenario(rng: random.Random) -> tuple[World, int]:
    head = 20
    l1_block = rng.randint(8, head)
    queue = [
        QueueElement(
            SENDER,
            SENDER,
            rng.randint(0, 9),
            rng.choice([21_000, 60_000, 100_000]),
            False,
            b"",
            rng.randint(1, l1_block - 1),
        )
        for _ in range(rng.randint(0, 6))
    ]
    queue.sort(key=lambda e: e.l1_block)
    num_blocks = rng.randint(1, 3)
    # the CTC admits at most numBlocks·(D − M) of deposit gas per batch
    while sum(e.gas_limit for e in queue) > num_blocks * 200_000:
        queue.pop()
    counts = [0] * num_blocks
    for _ in queue:
        counts[rng.randrange(num_blocks)] += 1
    if rng.random() < 0.15 and queue:
        counts[0] += 1  # counts that do not add up
    txs = [bytes([2]) + rng.randbytes(3), bytes([0x7E, 1]), rng.randbytes(5)]
    parent_origin = rng.randint(0, 6)
    low = max(parent_origin, l1_block - 6)

    def origin() -> int:  # mostly inside the window rule 2 allows, sometimes anywhere
        return rng.randint(low, l1_block - 1) if rng.random() < 0.7 else rng.randint(0, l1_block)

    blocks = [[origin(), c, rng.sample(txs, rng.randint(0, 3))] for c in counts]
    if rng.random() < 0.15:
        blocks.append([1, 0, []])  # a block too many
    data = b"\x00" + rlp.encode(blocks)
    if rng.random() < 0.1:
        data = data[:-1]  # truncated
    batch = Batch(data, num_blocks, 0, len(queue), l1_block)
    return World(CONFIG, head, queue, [batch], parent_origin, 2), num_blocks


def _python(world: World) -> py.DerivedBatch:
    batch = world.batches[0]
    queue = [
        py.QueueElement(
            i,
            e.sender,
            e.to,
            e.mint,
            e.gas_limit,
            e.is_creation,
            e.data,
            e.l1_block,
            world.l1_timestamp(e.l1_block),
        )
        for i, e in enumerate(world.queue)
    ]
    ctc_batch = py.CtcBatch(
        0,
        batch.data,
        0,
        batch.num_blocks,
        0,
        len(queue),
        batch.l1_block,
        world.l1_hashes[batch.l1_block - 1],
        False,
    )
    timestamps = {n: world.l1_timestamp(n) for n in range(world.l1_head_number + 1)}
    return py.derive_batch(PARAMS, ctc_batch, queue, world.parent_origin, timestamps)


@pytest.mark.parametrize("seed", range(60))
def test_c_and_python_derive_the_same_blocks(derive_binary: str, seed: int) -> None:
    world, num_blocks = _scenario(random.Random(seed))
    world.build_l1()
    expected = _python(world)
    for block in expected.blocks:
        out = _run(derive_binary, world, block.number)
        assert out["malformed"] == int(expected.malformed)
        assert out["fallback"] == int(block.fallback)
        assert out["origin"][0] == block.origin_number
        assert out["deposit"][1:] == [_user_deposit(world, e.index) for e in block.deposits]
        assert out["tx"] == list(block.transactions)
        # the next block's parent is this one
        world.parent_origin = block.origin_number
    assert len(expected.blocks) == num_blocks
