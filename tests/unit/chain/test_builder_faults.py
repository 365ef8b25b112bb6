"""Only a validity verdict drops a transaction (SPEC §3.1, §6 rule 4); any other failure while
applying one halts (``ExecutionFault``) — on a real chain whose store fails to read one
contract's code, the way a damaged database would, while py-evm executes a call to it."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import lmdb
import pytest
from eth_hash.auto import keccak
from eth_utils import to_checksum_address

from rollup_node.chain.chain import Chain
from rollup_node.chain.errors import ExecutionFault
from rollup_node.chain.genesis import open_l2_chain
from rollup_node.config import RollupConfig
from rollup_node.derivation.attributes import BlockAttributes
from rollup_node.derivation.engine import Engine, build
from rollup_node.l1.reader import L1BlockInfo
from rollup_node.protocol.errors import RejectReason, TransactionRejected
from rollup_node.protocol.l1_info import l1_info_deposit
from rollup_node.protocol.predeploys import GAS_PRICE_ORACLE, SEQUENCER_FEE_VAULT
from tests.faulty_store import FaultyStore
from tests.integration.helpers import account, sign

ORIGIN = L1BlockInfo(0, b"\x0a" * 32, b"\x00" * 32, 0, 10**9, b"\x0b" * 32)
ORACLE = to_checksum_address(GAS_PRICE_ORACLE)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[FaultyStore]:
    store = FaultyStore(tmp_path)
    yield store
    store.close()


@pytest.fixture
def chain(store: FaultyStore) -> Chain:
    chain = open_l2_chain(store, RollupConfig())
    # From now on the oracle's code cannot be read: only a call to it touches that key.
    store.failing_key = keccak(chain.code(GAS_PRICE_ORACLE, 0))
    return chain


def test_a_store_error_inside_execution_halts_instead_of_dropping(chain: Chain) -> None:
    _, key = account(1)
    builder = chain.new_block(chain.next_env(2, SEQUENCER_FEE_VAULT, bytes(32)))
    with pytest.raises(ExecutionFault) as fault:
        builder.apply_transaction(sign(key, to=ORACLE, nonce=0))
    assert isinstance(fault.value.__cause__, lmdb.CorruptedError)
    assert "block 1" in str(fault.value)


def test_a_validation_error_still_drops_only_that_transaction(chain: Chain) -> None:
    _, key = account(1)
    builder = chain.new_block(chain.next_env(2, SEQUENCER_FEE_VAULT, bytes(32)))
    with pytest.raises(TransactionRejected) as rejected:
        builder.apply_transaction(sign(key, to=ORACLE, nonce=3))  # checked before execution
    assert rejected.value.reason == RejectReason.NONCE_GAP
    builder.apply_transaction(sign(key, to="0x" + "77" * 20, nonce=0))
    assert builder.transaction_count == 1


def test_derivation_halts_rather_than_derive_a_block_without_the_transaction(
    chain: Chain,
) -> None:
    _, key = account(1)
    deposit = l1_info_deposit(ORIGIN.as_origin(), 1, 1)
    valid = sign(key, to="0x" + "77" * 20, nonce=0)
    faulted = sign(key, to=ORACLE, nonce=1)
    attrs = BlockAttributes(1, 2, ORIGIN, (deposit,), (valid, faulted), False)
    with pytest.raises(ExecutionFault):
        build(chain, attrs)
    engine = Engine(chain)
    with pytest.raises(ExecutionFault):
        asyncio.run(engine.apply(attrs))
    assert chain.head_number() == 0  # no block 1 without the faulted transaction
