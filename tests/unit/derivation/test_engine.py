"""The engine on a real L2 chain: rule 4 (a sequenced transaction invalid at its position is
dropped, the block keeps the rest), confirming an identical block, replacing a different one
(its transactions back at the front of a sequencer's intake)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from eth_hash.auto import keccak

from rollup_node.chain.chain import Chain
from rollup_node.chain.genesis import open_l2_chain
from rollup_node.chain.store import ChainStore
from rollup_node.config import RollupConfig
from rollup_node.derivation.attributes import BlockAttributes
from rollup_node.derivation.engine import Engine, build, matches
from rollup_node.l1.reader import L1BlockInfo
from rollup_node.protocol.l1_info import l1_info_deposit
from rollup_node.protocol.predeploys import SEQUENCER_FEE_VAULT
from rollup_node.sequencer.intake import Intake
from tests.integration.helpers import account, sign

ORIGIN = L1BlockInfo(0, b"\x0a" * 32, b"\x00" * 32, 0, 10**9, b"\x0b" * 32)
TO = "0x" + "77" * 20


def attributes(number: int, transactions: tuple[bytes, ...]) -> BlockAttributes:
    deposit = l1_info_deposit(ORIGIN.as_origin(), number, number)
    return BlockAttributes(number, 2 * number, ORIGIN, (deposit,), transactions, False)


def test_invalid_transactions_are_dropped_and_blocks_confirmed_or_replaced(
    tmp_path: Path,
) -> None:
    store = ChainStore(tmp_path)
    try:
        chain = open_l2_chain(store, RollupConfig())
        _, key = account(1)
        good = sign(key, to=TO, nonce=0)
        gap = sign(key, to=TO, nonce=5)  # nonce too high at its position
        replay = good  # valid once, then nonce too low
        attrs = attributes(1, (good, gap, b"\x02\xff", replay))
        sealed, dropped = build(chain, attrs)
        assert dropped == 3
        assert [tx.raw for tx in sealed.block.transactions][1:] == [good]
        chain.commit(sealed)

        engine = Engine(chain)
        # the chain's block 1 is not made of exactly these inputs: not a match
        assert not matches(sealed.block, attrs)
        honest = attributes(1, (good,))
        assert matches(sealed.block, honest)
        block = asyncio.run(engine.apply(honest, {b"Mprobe": b"\x01"}))
        assert block.hash == sealed.block.hash and engine.replaced == 0
        assert store.get_meta(b"probe") == b"\x01"  # extras written even when confirming

        other = attributes(1, ())  # a derivation that disagrees: block 1 is replaced
        block = asyncio.run(engine.apply(other))
        assert engine.replaced == 1 and chain.head_number() == 1
        assert block.hash != sealed.block.hash and len(block.transactions) == 1
    finally:
        store.close()


def test_a_batch_is_applied_without_the_sequencer_building_in_between(tmp_path: Path) -> None:
    """While derivation replaces blocks 1..3, a sequencer waiting for the lock (behind
    schedule) gets it only after block 3: it never builds on a partly replaced chain."""
    store = ChainStore(tmp_path)
    try:
        chain = open_l2_chain(store, RollupConfig())
        engine = Engine(chain)
        seen: list[int] = []

        async def sequencer_waiting_for_the_lock() -> None:
            async with engine.lock:
                seen.append(chain.head_number())

        async def scenario() -> None:
            blocks = [(attributes(n, ()), {}) for n in (1, 2, 3)]
            applying = asyncio.create_task(engine.apply_all(blocks))
            await asyncio.sleep(0)  # derivation holds the lock
            waiting = asyncio.create_task(sequencer_waiting_for_the_lock())
            await asyncio.gather(applying, waiting)

        asyncio.run(scenario())
        assert seen == [3]
    finally:
        store.close()


def test_a_replaced_blocks_transactions_go_back_ahead_of_later_nonces(tmp_path: Path) -> None:
    """The sequencer put nonces 0 and 1 in block 1 and has 2 and 3 queued; derivation replaces
    block 1. Re-queued behind 2 and 3, nonces 0 and 1 would be "nonce too low" against the
    intake's pending state and lost; ahead of them, all four land in the next block, in order."""
    store = ChainStore(tmp_path)
    try:
        chain = open_l2_chain(store, RollupConfig())
        intake = Intake(chain, lambda: chain.next_env(0, SEQUENCER_FEE_VAULT, b"").base_fee)
        _, key = account(1)
        raws = [sign(key, to=TO, nonce=n) for n in range(4)]
        for raw in raws[:2]:
            intake.submit(raw)
        produce(chain, intake, timestamp=2)
        for raw in raws[2:]:
            intake.submit(raw)

        engine = Engine(chain, intake=intake)
        asyncio.run(engine.apply(attributes(1, ())))  # L1 says block 1 had no transactions
        assert engine.replaced == 1 and len(chain.head().transactions) == 1
        assert [item.raw for item in intake.snapshot()] == raws
        assert [item.raw for item in Intake(chain, lambda: 10**9).snapshot()] == raws  # journal
        assert produce(chain, intake, timestamp=4) == [keccak(raw) for raw in raws]
    finally:
        store.close()


def produce(chain: Chain, intake: Intake, timestamp: int) -> list[bytes]:
    """Build and commit the sequencer's next block from the queue; its transactions' hashes."""
    builder = chain.new_block(chain.next_env(timestamp, SEQUENCER_FEE_VAULT, ORIGIN.mix_hash))
    builder.apply_deposit(l1_info_deposit(ORIGIN.as_origin(), builder.env.number, 0))
    fill = intake.fill(builder)
    chain.commit(builder.seal(), fill.journal)
    intake.settle(fill)
    return fill.included
