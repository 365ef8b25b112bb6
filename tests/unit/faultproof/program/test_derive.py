"""Derivation of one block by the C program (SPEC §6, §10 steps 1–2) over a synthetic L1.

``build/native/derive`` (src/derive_main.c) runs the program up to execution with its oracle
served from a ``World`` and prints the derived block; the expected deposits are built with the
node's own protocol code (rollup_node.protocol), so both implementations are pinned together.
"""

from __future__ import annotations

import pytest
import rlp

from rollup_node.config import L1Addresses, RollupConfig
from rollup_node.faultproof.differential.world import Batch, QueueElement, World
from rollup_node.faultproof.oracle.host import run_native
from rollup_node.protocol.deposits import DepositTx, user_deposit_source_hash
from rollup_node.protocol.l1_info import L1Origin, l1_info_deposit

CTC = L1Addresses(canonical_transaction_chain="0xc7c7c7c7c7c7c7c7c7c7c7c7c7c7c7c7c7c7c7c7")
CONFIG = RollupConfig(l2_genesis_timestamp=10_000, force_inclusion_blocks=10, l1_addresses=CTC)
ALICE = bytes.fromhex("a11ce00000000000000000000000000000000001")
BOB = bytes.fromhex("b0b0000000000000000000000000000000000002")


def _run(binary: str, world: World, n: int) -> dict:
    result = run_native([binary], world.build(n), timeout=60)
    assert result.exit_code == 0, result.stderr.decode()
    out: dict = {"deposit": [], "tx": []}
    for line in result.stdout.decode().splitlines():
        key, _, value = line.partition(" ")
        if key in ("deposit", "tx"):
            out[key].append(bytes.fromhex(value))
        elif key == "origin":
            number, hash_ = value.split()
            out["origin"] = (int(number), bytes.fromhex(hash_))
        else:
            out[key] = int(value)
    return out


def _origin(world: World, number: int) -> L1Origin:
    return L1Origin(
        number=number,
        hash=world.l1_hashes[number],
        timestamp=world.l1_timestamp(number),
        base_fee=world.l1_base_fee(number),
        mix_hash=world.l1_mix_hash(number),
    )


def _user_deposit(world: World, index: int) -> bytes:
    e = world.queue[index]
    return DepositTx(
        source_hash=user_deposit_source_hash(world.queue_hash(index), index),
        sender=e.sender,
        to=None if e.is_creation else e.to,
        mint=e.mint,
        value=e.mint,
        gas=e.gas_limit,
        is_system_tx=False,
        data=e.data,
    ).encode()


def _batch(*blocks: tuple[int, int, list[bytes]]) -> bytes:
    return b"\x00" + rlp.encode([[origin, deposits, txs] for origin, deposits, txs in blocks])


def _world(batches: list[Batch], queue: list[QueueElement], parent_origin: int = 3) -> World:
    return World(
        config=CONFIG,
        l1_head_number=20,
        queue=queue,
        batches=batches,
        parent_origin=parent_origin,
        parent_sequence=4,
    )


QUEUE = [
    QueueElement(ALICE, BOB, 10**18, 100_000, False, b"\x01\x02", 4),
    QueueElement(BOB, b"\0" * 20, 0, 60_000, True, b"\x60\x00" * 40, 6),
    QueueElement(ALICE, BOB, 5, 21_000, False, b"", 9),
]
TX_A = bytes.fromhex("02c0ffee")
TX_B = bytes.fromhex("f86b01")


def test_well_formed_block_is_derived_as_declared(derive_binary: str) -> None:
    """Origin, sequence number, L1-info deposit, user deposits in queue order, then the txs."""
    batch = _batch((3, 0, [TX_A]), (6, 2, [TX_B, bytes([0x7E]) + b"\x01", TX_A]))
    world = _world([Batch(batch, 2, 0, 2, 12)], QUEUE)
    first = _run(derive_binary, world, 1)
    assert (first["fallback"], first["malformed"], first["sequence"]) == (0, 0, 5)
    assert first["origin"] == (3, world.l1_hashes[3])
    assert first["deposit"] == [l1_info_deposit(_origin(world, 3), 5, 1).encode()]
    assert first["tx"] == [TX_A]

    world.parent_origin, world.parent_sequence = 3, 5
    second = _run(derive_binary, world, 2)
    assert (second["fallback"], second["sequence"]) == (0, 0)
    assert second["deposit"] == [
        l1_info_deposit(_origin(world, 6), 0, 2).encode(),
        _user_deposit(world, 0),
        _user_deposit(world, 1),
    ]
    assert second["tx"] == [TX_B, TX_A]  # the deposit-typed one is dropped


@pytest.mark.parametrize(
    ("origin", "parent_origin", "deposits", "fallback"),
    [
        (3, 4, 0, 1),  # before the parent's origin
        (12, 3, 0, 1),  # not before the inclusion block (P = 11)
        (11, 3, 0, 0),  # P itself is allowed
        (1, 1, 0, 1),  # origin + F < inclusion block (1 + 10 < 12)
        (2, 2, 0, 0),  # origin + F = inclusion block is allowed
        (5, 3, 2, 1),  # a deposit was enqueued after the origin (L1 block 6)
        (6, 3, 2, 0),  # deposits enqueued at or before the origin
    ],
)
def test_origin_rules(
    derive_binary: str, origin: int, parent_origin: int, deposits: int, fallback: int
) -> None:
    """Rule 2 decides; a fallback block keeps the parent's origin and the declared deposits."""
    world = _world(
        [Batch(_batch((origin, deposits, [TX_A])), 1, 0, deposits, 12)], QUEUE, parent_origin
    )
    out = _run(derive_binary, world, 1)
    effective = parent_origin if fallback else origin
    sequence = 5 if effective == parent_origin else 0
    assert (out["fallback"], out["malformed"]) == (fallback, 0)
    assert out["tx"] == ([] if fallback else [TX_A])
    assert out["origin"] == (effective, world.l1_hashes[effective])
    assert out["deposit"] == [
        l1_info_deposit(_origin(world, effective), sequence, 1).encode(),
        *(_user_deposit(world, i) for i in range(deposits)),
    ]


@pytest.mark.parametrize(("origin", "fallback"), [(17, 1), (16, 0)])
def test_origin_timestamp_rule(derive_binary: str, origin: int, fallback: int) -> None:
    """An origin whose timestamp is later than the L2 block's is refused."""
    config = RollupConfig(l2_genesis_timestamp=10_000, force_inclusion_blocks=30, l1_addresses=CTC)
    world = World(config, 20, [], [Batch(_batch((origin, 0, [TX_A])), 1, 0, 0, 19)], 3, 0)
    # L1 block 17's timestamp is 9800 + 204 = 10004 > block 1's 10002; block 16's is 9992
    assert _run(derive_binary, world, 1)["fallback"] == fallback


@pytest.mark.parametrize(
    "data",
    [
        b"\x01" + rlp.encode([[3, 0, []]]),  # reserved version
        _batch((3, 0, [])) + b"\x00",  # bytes after the list
        _batch((3, 1, [])),  # deposit counts do not add up
        _batch((3, 0, []), (3, 0, [])),  # two blocks for a one-block batch
        b"\x00" + rlp.encode([[3, 0, [[b"x"]]]]),  # a transaction that is a list
        b"\x00" + rlp.encode([[3, 0]]),  # a block of two items
        b"",
    ],
)
def test_malformed_batch_gives_fallback_blocks(derive_binary: str, data: bytes) -> None:
    """Rule 1: every block is a fallback block; deposits packed in queue order."""
    world = _world([Batch(data, 1, 0, 0, 12)], QUEUE)
    out = _run(derive_binary, world, 1)
    assert (out["fallback"], out["malformed"], out["tx"]) == (1, 1, [])
    assert out["deposit"] == [l1_info_deposit(_origin(world, 3), 5, 1).encode()]


def test_malformed_batch_packs_deposits_up_to_d(derive_binary: str) -> None:
    """Each fallback block takes deposits in order while their gas stays <= D."""
    config = RollupConfig(
        l2_genesis_timestamp=10_000,
        force_inclusion_blocks=10,
        deposit_gas_per_block=200_000,
        max_deposit_gas=100_000,
        l2_gas_limit=5_000_000,
        l1_addresses=CTC,
    )
    queue = [QueueElement(ALICE, BOB, i, 90_000, False, b"", 4) for i in range(5)]
    world = World(config, 20, queue, [Batch(b"\x00junk", 3, 0, 5, 12)], 3, 4)
    blocks = [_run(derive_binary, world, n)["deposit"][1:] for n in (1, 2, 3)]
    assert blocks == [
        [_user_deposit(world, 0), _user_deposit(world, 1)],
        [_user_deposit(world, 2), _user_deposit(world, 3)],
        [_user_deposit(world, 4)],
    ]


def test_forced_batch_is_one_fallback_block(derive_binary: str) -> None:
    """Rule 5: the forced deposits, on the parent's origin."""
    batches = [Batch(_batch((3, 0, [])), 1, 0, 0, 8), Batch(None, 1, 0, 3, 15)]
    world = _world(batches, QUEUE)
    out = _run(derive_binary, world, 2)
    assert (out["fallback"], out["tx"]) == (1, [])
    assert out["deposit"][1:] == [_user_deposit(world, i) for i in range(3)]


def test_block_beyond_the_ctc_is_not_derivable(derive_binary: str) -> None:
    """Block n after the CTC's total blocks at the L1 head: derivable 0."""
    world = _world([Batch(_batch((3, 0, [])), 1, 0, 0, 12)], QUEUE)
    assert _run(derive_binary, world, 2) == {"deposit": [], "tx": [], "derivable": 0}
