"""The intake's part of SPEC §5 on a real chain store: filling stops at the block's batch room
(the rest waits, in order), and re-queuing a dropped block's transactions puts them ahead of
what is queued — in memory and in the journal a restart replays — in one commit with the
rewind."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from eth_account import Account
from eth_hash.auto import keccak

from rollup_node.chain.chain import Chain
from rollup_node.chain.genesis import devnet_accounts, open_l2_chain
from rollup_node.chain.store import ChainStore
from rollup_node.config import RollupConfig
from rollup_node.protocol.batch import BatchBlock, encode_batch
from rollup_node.protocol.errors import RejectReason, TransactionRejected
from rollup_node.protocol.predeploys import SEQUENCER_FEE_VAULT
from rollup_node.sequencer.batch_room import BatchRoom
from rollup_node.sequencer.intake import Intake

CONFIG = RollupConfig()
KEY = devnet_accounts()[1][1]


@pytest.fixture
def chain(tmp_path: Path) -> Iterator[Chain]:
    store = ChainStore(tmp_path / "l2")
    yield open_l2_chain(store, CONFIG)
    store.close()


def new_intake(chain: Chain) -> Intake:
    def base_fee() -> int:
        return chain.next_env(0, SEQUENCER_FEE_VAULT, b"").base_fee

    return Intake(chain, base_fee, CONFIG.max_batch_bytes)


def transfer(nonce: int, data: bytes = b"") -> bytes:
    tx = {
        "chainId": CONFIG.l2_chain_id,
        "nonce": nonce,
        "to": Account.from_key(KEY).address,
        "value": 1,
        "gas": 21_000 + 16 * len(data),
        "maxFeePerGas": 2 * 10**9,
        "maxPriorityFeePerGas": 10**7,
        "data": data,
    }
    return bytes(Account.sign_transaction(tx, KEY).raw_transaction)


def produce(chain: Chain, intake: Intake, room: BatchRoom | None = None) -> list[bytes]:
    """Build and commit one block from the queue; return its transactions' hashes."""
    head = chain.head()
    builder = chain.new_block(chain.next_env(head.timestamp + 1, SEQUENCER_FEE_VAULT, bytes(32)))
    fill = intake.fill(builder, room)
    chain.commit(builder.seal(), fill.journal)
    intake.settle(fill)
    return fill.included


def queued_nonces(intake: Intake) -> list[int]:
    return [item.tx.nonce for item in intake.snapshot()]


def test_oversized_is_refused_before_anything_else(chain: Chain) -> None:
    intake = new_intake(chain)
    limit = CONFIG.max_batch_bytes - 64
    raw = transfer(0, b"\x01" * (limit - 100))
    raw = transfer(0, b"\x01" * (limit - 100 + limit - len(raw) + 1))
    assert len(raw) == limit + 1
    with pytest.raises(TransactionRejected) as refused:
        intake.submit(raw)
    assert refused.value.reason == RejectReason.OVERSIZED
    assert len(intake) == 0


def test_fill_stops_at_the_batch_room_and_keeps_the_order(chain: Chain) -> None:
    intake = new_intake(chain)
    raws = [transfer(n) for n in range(5)]
    for raw in raws:
        intake.submit(raw)
    origin, deposits = 7, 0
    room_for_two = len(encode_batch([BatchBlock(origin, deposits, tuple(raws[:2]))]))
    included = produce(chain, intake, BatchRoom(origin, deposits, room_for_two))
    assert included == [keccak(raw) for raw in raws[:2]]
    assert queued_nonces(intake) == [2, 3, 4]
    assert produce(chain, intake) == [keccak(raw) for raw in raws[2:]]


def test_requeued_transactions_go_ahead_of_the_queue_and_survive_a_restart(chain: Chain) -> None:
    intake = new_intake(chain)
    first = [transfer(0), transfer(1)]
    for raw in first:
        intake.submit(raw)
    assert produce(chain, intake) == [keccak(raw) for raw in first]
    later = [transfer(2), transfer(3)]
    for raw in later:
        intake.submit(raw)  # queued on top of block 1's nonces
    refused = intake.requeue_ahead(first, lambda journal: chain.rewind_to(0, journal))
    assert refused == 0 and chain.head_number() == 0
    assert queued_nonces(intake) == [0, 1, 2, 3]
    # The journal, replayed by a restarted intake, holds the same order.
    assert queued_nonces(new_intake(chain)) == [0, 1, 2, 3]
    assert produce(chain, intake) == [keccak(raw) for raw in first + later]


def test_requeue_forgets_what_is_no_longer_valid(chain: Chain) -> None:
    intake = new_intake(chain)
    intake.submit(transfer(0))
    produce(chain, intake)
    intake.submit(transfer(1))
    # Block 1 is dropped, but its transaction is not handed back: nonce 1 now has a gap.
    assert intake.requeue_ahead([], lambda journal: chain.rewind_to(0, journal)) == 1
    assert len(intake) == 0 and len(new_intake(chain)) == 0
