"""Derivation rules (SPEC §6) over plain data: a table of batches and the blocks they yield."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from rollup_node.protocol.batch import BatchBlock, encode_batch
from rollup_node.protocol.deposits import user_deposit_source_hash
from rollup_node.protocol.derivation import (
    CtcBatch,
    DerivationParams,
    QueueElement,
    derive_batch,
    origin_window,
    pack_deposits,
)

D = 20_000_000
PARAMS = DerivationParams(
    l2_genesis_timestamp=1_000, l2_block_time=2, force_inclusion_blocks=30, deposit_gas_per_block=D
)
#: L1 block n has timestamp 1_000 + 12·n, so L2 block m (at 1_000 + 2·m) may name n ≤ m/6.
L1_TIMESTAMPS = {n: 1_000 + 12 * n for n in range(200)}
TX = bytes.fromhex("02c0")  # sequenced transactions are opaque here
DEPOSIT_TYPED = bytes.fromhex("7ec0")


def element(index: int, l1_block: int, gas: int = 100_000) -> QueueElement:
    return QueueElement(
        index, b"\x11" * 20, b"\x22" * 20, 5, gas, False, b"", l1_block, L1_TIMESTAMPS[l1_block]
    )


def batch(data: bytes, num_blocks: int, queue: int = 0, l1_block: int = 20, **kw) -> CtcBatch:
    fields = dict(
        index=0,
        batch_data=data,
        prev_total_blocks=10,
        num_blocks=num_blocks,
        prev_queue_index=0,
        queue_index_after=queue,
        l1_block_number=l1_block,
        l1_parent_hash=b"\xaa" * 32,
        forced=False,
    )
    fields.update(kw)
    return CtcBatch(**fields)


@dataclass
class Case:
    name: str
    batch: CtcBatch
    queue: list[QueueElement]
    parent_origin: int
    # per block: (origin, number of deposits, transactions kept, fallback)
    expected: list[tuple[int, int, int, bool]]
    malformed: bool = False
    notes: dict = field(default_factory=dict)


Q3 = [element(0, 1), element(1, 2), element(2, 2)]
BIG = [element(i, 1, 4_000_000) for i in range(6)]  # 24M of gas: more than D in one block

CASES = [
    Case(
        "well-formed, two blocks advancing the origin",
        batch(encode_batch([BatchBlock(1, 1, (TX,)), BatchBlock(2, 2, (TX, TX))]), 2, queue=3),
        Q3,
        1,
        [(1, 1, 1, False), (2, 2, 2, False)],
    ),
    Case(
        "origin behind the parent's: fallback keeps its deposits",
        batch(encode_batch([BatchBlock(0, 0, (TX,)), BatchBlock(2, 0, (TX,))]), 2),
        [],
        1,
        [(1, 0, 0, True), (2, 0, 1, False)],
    ),
    Case(
        "origin at the inclusion block (not before it): fallback",
        batch(encode_batch([BatchBlock(20, 0, (TX,))]), 1, l1_block=20, prev_total_blocks=200),
        [],
        1,
        [(1, 0, 0, True)],
    ),
    Case(
        "origin older than the sequencing window: fallback",
        batch(encode_batch([BatchBlock(5, 0, (TX,))]), 1, l1_block=40, prev_total_blocks=200),
        [],
        5,
        [(5, 0, 0, True)],
    ),
    Case(
        "origin's timestamp after the block's: fallback",
        # block 11 has timestamp 1_022; L1 block 2 is at 1_024
        batch(encode_batch([BatchBlock(2, 0, (TX,))]), 1),
        [],
        1,
        [(1, 0, 0, True)],
    ),
    Case(
        "deposit enqueued after the declared origin: fallback keeps the deposit",
        batch(encode_batch([BatchBlock(1, 2, (TX,))]), 1, queue=2),
        Q3[:2],
        1,
        [(1, 2, 0, True)],
    ),
    Case(
        "a fallback block's parent origin carries to the next block",
        batch(
            encode_batch([BatchBlock(3, 0, (TX,)), BatchBlock(0, 0, (TX,))]),
            2,
            prev_total_blocks=0,
        ),
        [],
        0,
        # block 1 (ts 1_002) cannot name L1 block 3 (ts 1_036); block 2 names 0 = parent's
        [(0, 0, 0, True), (0, 0, 1, False)],
    ),
    Case(
        "deposit-typed sequenced transactions are dropped",
        batch(encode_batch([BatchBlock(1, 0, (DEPOSIT_TYPED, TX, DEPOSIT_TYPED))]), 1),
        [],
        1,
        [(1, 0, 1, False)],
    ),
    Case(
        "wrong number of blocks: malformed, deposits packed",
        batch(encode_batch([BatchBlock(1, 3, (TX,))]), 2, queue=3),
        Q3,
        1,
        [(1, 3, 0, True), (1, 0, 0, True)],
        malformed=True,
    ),
    Case(
        "deposit counts do not add up: malformed",
        batch(encode_batch([BatchBlock(1, 1, ()), BatchBlock(1, 1, ())]), 2, queue=3),
        Q3,
        1,
        [(1, 3, 0, True), (1, 0, 0, True)],
        malformed=True,
    ),
    Case(
        "one block's deposit gas above D: malformed, packing splits at D",
        batch(encode_batch([BatchBlock(1, 6, ()), BatchBlock(1, 0, ())]), 2, queue=6),
        BIG,
        1,
        [(1, 5, 0, True), (1, 1, 0, True)],
        malformed=True,
    ),
    Case(
        "undecodable data: malformed",
        batch(b"\x01\xc0", 1, queue=1),
        Q3[:1],
        1,
        [(1, 1, 0, True)],
        malformed=True,
    ),
    Case(
        "forced batch: one fallback block with the forced deposits",
        batch(b"", 1, queue=3, forced=True),
        Q3,
        2,
        [(2, 3, 0, True)],
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_derive_batch(case: Case) -> None:
    derived = derive_batch(PARAMS, case.batch, case.queue, case.parent_origin, L1_TIMESTAMPS)
    assert derived.malformed == case.malformed
    got = [
        (b.origin_number, len(b.deposits), len(b.transactions), b.fallback) for b in derived.blocks
    ]
    assert got == case.expected
    first = case.batch.prev_total_blocks + 1
    assert [b.number for b in derived.blocks] == list(range(first, first + case.batch.num_blocks))
    assert all(b.timestamp == 1_000 + 2 * b.number for b in derived.blocks)
    consumed = [e for b in derived.blocks for e in b.deposits]
    assert consumed == case.queue  # every consumed element lands, once, in queue order


def test_timestamps_needed_lie_in_the_origin_window() -> None:
    """derive_batch reads L1 timestamps only inside origin_window (F headers behind P)."""
    for case in CASES:
        window = origin_window(PARAMS, case.batch, case.parent_origin)
        only = {n: L1_TIMESTAMPS[n] for n in window}
        full = derive_batch(PARAMS, case.batch, case.queue, case.parent_origin, L1_TIMESTAMPS)
        assert derive_batch(PARAMS, case.batch, case.queue, case.parent_origin, only) == full


def test_queue_must_match_the_consumed_range() -> None:
    with pytest.raises(ValueError):
        derive_batch(PARAMS, batch(encode_batch([BatchBlock(1, 0, ())]), 1, queue=2), Q3[:1], 1, {})


def test_packing_refuses_deposits_beyond_the_batch() -> None:
    with pytest.raises(ValueError):
        pack_deposits(PARAMS, 1, BIG)


def test_queue_element_hash_and_deposit() -> None:
    e = QueueElement(4, b"\x11" * 20, b"\x00" * 20, 7, 60_000, True, b"\x60\x00", 9, 1_108)
    deposit = e.deposit()
    assert deposit.to is None and deposit.mint == deposit.value == 7 and deposit.gas == 60_000
    assert deposit.source_hash == user_deposit_source_hash(e.hash, 4)
    # the hash is over the ABI encoding the CTC stores (9 head/tail words + padded data)
    from eth_abi import encode
    from eth_hash.auto import keccak

    words = encode(
        ["address", "address", "uint256", "uint64", "bool", "bytes", "uint256", "uint256"],
        [e.sender, e.to, 7, 60_000, True, b"\x60\x00", 9, 1_108],
    )
    assert len(words) == 10 * 32 and e.hash == keccak(words)
