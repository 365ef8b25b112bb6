"""chain/assembly on a real L2 chain: deposits before user transactions, a fill's result
returned with the sealed block, only §3.1 verdicts dropped, a number off the head refused."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from rollup_node.chain.assembly import NotOnHead, apply_sequenced, build_block
from rollup_node.chain.chain import Chain
from rollup_node.chain.genesis import open_l2_chain
from rollup_node.chain.store import ChainStore
from rollup_node.config import RollupConfig
from rollup_node.l1.reader import L1BlockInfo
from rollup_node.protocol.deposits import DEPOSIT_TX_TYPE
from rollup_node.protocol.errors import RejectReason
from rollup_node.protocol.l1_info import l1_info_deposit
from rollup_node.protocol.predeploys import SEQUENCER_FEE_VAULT
from tests.integration.helpers import account, sign

ORIGIN = L1BlockInfo(0, b"\x0a" * 32, b"\x00" * 32, 0, 10**9, b"\x0b" * 32)


@pytest.fixture
def chain(tmp_path: Path) -> Iterator[Chain]:
    store = ChainStore(tmp_path)
    yield open_l2_chain(store, RollupConfig())
    store.close()


def test_deposits_then_transactions_and_invalid_ones_dropped(chain: Chain) -> None:
    address, key = account(1)
    good = sign(key, to=address, nonce=0)
    replay = sign(key, to=address, nonce=0)  # the same nonce again: invalid at its position
    info = l1_info_deposit(ORIGIN.as_origin(), 0, 1)
    sealed, dropped = build_block(
        chain,
        1,
        2,
        SEQUENCER_FEE_VAULT,
        ORIGIN.mix_hash,
        [info],
        lambda builder: apply_sequenced(builder, [good, replay]),
    )
    txs = sealed.block.transactions
    assert [tx.type for tx in txs] == [DEPOSIT_TX_TYPE, 2]
    assert txs[1].raw == good
    assert [(raw, verdict.reason) for raw, verdict in dropped] == [
        (replay, RejectReason.NONCE_TOO_LOW)
    ]
    assert sealed.block.number == 1 and sealed.block.timestamp == 2


def test_a_number_not_after_the_head_builds_nothing(chain: Chain) -> None:
    def fill(_builder: object) -> None:
        raise AssertionError("must not be called")

    with pytest.raises(NotOnHead):
        build_block(chain, 2, 4, SEQUENCER_FEE_VAULT, ORIGIN.mix_hash, [], fill)
    assert chain.head_number() == 0
