"""The log index (``chain/log_index.py``): ``Chain.logs`` answers exactly what a scan of every
block's receipts with ``log_matches`` answers, for random filters (address lists, topic OR-lists,
``None`` positions, block ranges), on a real embedded L1 chain whose contracts emit LOG0..LOG3 —
and still after a rewind, after a restart, and on a store written before the index existed.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from eth_account import Account
from prometheus_client import CollectorRegistry

from rollup_node.chain import log_index
from rollup_node.chain.chain import Chain
from rollup_node.chain.genesis import devnet_accounts
from rollup_node.chain.queries import log_matches
from rollup_node.chain.records import LogRecord
from rollup_node.devnet.l1 import EmbeddedL1
from rollup_node.metrics import NodeMetrics

CHAIN_ID = 900
TOPICS = [bytes([i]) * 32 for i in range(1, 6)]
# Six emitters: contract i emits LOG(i % 4) with topics taken from its calldata words.
EMITTERS = [bytes([0xE0 + i]) * 20 for i in range(6)]
UNKNOWN = b"\x77" * 20


def _log_code(topic_count: int) -> bytes:
    """Runtime code: LOGn of calldata[0:8] with topics calldata words 0..n-1."""
    code = b""
    for position in reversed(range(topic_count)):
        code += bytes([0x60, 32 * position, 0x35])  # PUSH1 offset, CALLDATALOAD
    code += bytes([0x60, 8, 0x60, 0, 0xA0 + topic_count, 0x00])  # size 8, offset 0, LOGn, STOP
    return code


class _Sender:
    def __init__(self, l1: EmbeddedL1) -> None:
        self.l1 = l1
        self.account = Account.from_key(devnet_accounts()[0][1])
        self.nonce = l1.chain.nonce(bytes.fromhex(self.account.address[2:]), l1.chain.head_number())

    def emit(self, rng: random.Random, blocks: int) -> None:
        for _ in range(blocks):
            for _ in range(rng.randrange(0, 5)):
                to = rng.choice(EMITTERS)
                data = b"".join(rng.choice(TOPICS) for _ in range(4))
                tx = {
                    "chainId": CHAIN_ID,
                    "nonce": self.nonce,
                    "to": to,
                    "value": 0,
                    "data": data,
                    "gas": 100_000,
                    "maxFeePerGas": 10**11,
                    "maxPriorityFeePerGas": 10**9,
                }
                self.l1.submit(bytes(self.account.sign_transaction(tx).raw_transaction))
                self.nonce += 1
            self.l1.mine()


def _open(path: Path) -> EmbeddedL1:
    return EmbeddedL1(path, CHAIN_ID, 3600.0, NodeMetrics(CollectorRegistry(), chain="l1"))


def _scan(chain: Chain, start: int, end: int, addresses, topics) -> list[LogRecord]:
    out = []
    for number in range(start, min(end, chain.head_number()) + 1):
        block = chain.block_by_number(number)
        assert block is not None
        for receipt in chain.block_receipts(block.hash):
            out.extend(log for log in receipt.logs if log_matches(log, addresses, topics))
    return out


def _random_filter(rng: random.Random, head: int):
    start = rng.randrange(0, head + 1)
    end = rng.randrange(start, head + 3)  # past the head sometimes
    addresses = rng.choice(
        [[], rng.sample(EMITTERS, rng.randrange(1, 4)), [UNKNOWN], [EMITTERS[0], UNKNOWN]]
    )
    topics = []
    for _ in range(rng.randrange(0, 5)):
        choice = rng.random()
        if choice < 0.4:
            topics.append(None)
        elif choice < 0.95:
            topics.append(rng.sample(TOPICS + [b"\x99" * 32], rng.randrange(1, 3)))
        else:
            topics.append([])
    return start, end, addresses, topics


def _check_random(chain: Chain, rng: random.Random, rounds: int) -> int:
    matched = 0
    head = chain.head_number()
    for _ in range(rounds):
        start, end, addresses, topics = _random_filter(rng, head)
        got = chain.logs(start, min(end, head), addresses, topics)
        want = _scan(chain, start, end, addresses, topics)
        assert got == want, (start, end, addresses, topics)
        matched += len(got)
    return matched


def _index_entries(l1: EmbeddedL1) -> set[bytes]:
    return {key for key, _ in l1.store.scan(b"L")}


def _expected_entries(chain: Chain) -> set[bytes]:
    keys: set[bytes] = set()
    for number in range(chain.head_number() + 1):
        block = chain.block_by_number(number)
        assert block is not None
        keys |= log_index.block_keys(number, chain.block_receipts(block.hash))
    return keys


@pytest.fixture
def l1(tmp_path: Path) -> Iterator[EmbeddedL1]:
    chain = _open(tmp_path)
    for i, address in enumerate(EMITTERS):
        chain.set_code(address, _log_code(i % 4))
    yield chain
    if not closed(chain):
        chain.close()


_closed: set[int] = set()


def closed(l1: EmbeddedL1) -> bool:
    return id(l1) in _closed


def _close(l1: EmbeddedL1) -> None:
    l1.close()
    _closed.add(id(l1))


def test_index_matches_full_scan_through_rewind_and_restart(l1: EmbeddedL1, tmp_path: Path) -> None:
    rng = random.Random(17)
    sender = _Sender(l1)
    sender.emit(rng, 30)
    assert _check_random(l1.chain, rng, 300) > 0
    assert _index_entries(l1) == _expected_entries(l1.chain)

    # A rewind removes the dropped blocks' entries in its transaction; new blocks re-use
    # the heights with other logs.
    snapshot_head = l1.chain.head_number() - 12
    snap = l1.snapshot()
    l1._snapshots[snap] = (snapshot_head, 0)
    assert l1.revert(snap)
    assert l1.chain.head_number() == snapshot_head
    assert _index_entries(l1) == _expected_entries(l1.chain)
    assert _check_random(l1.chain, rng, 150) > 0
    sender.nonce = l1.chain.nonce(bytes.fromhex(sender.account.address[2:]), snapshot_head)
    sender.emit(rng, 15)
    assert _index_entries(l1) == _expected_entries(l1.chain)
    assert _check_random(l1.chain, rng, 150) > 0

    # After a restart the same answers come from the stored index.
    entries = _index_entries(l1)
    _close(l1)
    reopened = _open(tmp_path)
    try:
        assert _index_entries(reopened) == entries
        assert _check_random(reopened.chain, rng, 150) > 0
    finally:
        reopened.close()


def test_store_without_index_is_indexed_once_when_opened(l1: EmbeddedL1, tmp_path: Path) -> None:
    rng = random.Random(5)
    _Sender(l1).emit(rng, 20)
    entries = _index_entries(l1)
    assert entries
    # What a store written before the index holds: no L entries, no completion mark.
    l1.store.write({key: None for key in entries} | {log_index.COMPLETE_META: None}, sync=True)
    assert l1.chain.logs(0, l1.chain.head_number(), [], []) == []
    _close(l1)
    reopened = _open(tmp_path)
    try:
        assert reopened.store.get(log_index.COMPLETE_META) == log_index.COMPLETE_VALUE
        assert _index_entries(reopened) == entries
        assert _check_random(reopened.chain, rng, 200) > 0
    finally:
        reopened.close()


def test_candidates_follow_matches_not_range(l1: EmbeddedL1) -> None:
    rng = random.Random(3)
    _Sender(l1).emit(rng, 10)
    head = l1.chain.head_number()
    lone = b"\x55" * 20
    l1.set_code(lone, _log_code(1))
    sender = _Sender(l1)
    tx = {
        "chainId": CHAIN_ID,
        "nonce": sender.nonce,
        "to": lone,
        "value": 0,
        "data": TOPICS[0] * 4,
        "gas": 100_000,
        "maxFeePerGas": 10**11,
        "maxPriorityFeePerGas": 10**9,
    }
    l1.submit(bytes(sender.account.sign_transaction(tx).raw_transaction))
    number = l1.mine()
    _Sender(l1).emit(rng, 10)
    # One block holds the lone emitter's log: the index names that block alone.
    assert l1.store.log_block_numbers(0, l1.chain.head_number(), [lone], []) == [number]
    assert l1.store.log_block_numbers(0, head, [lone], []) == []
    logs = l1.chain.logs(0, l1.chain.head_number(), [lone], [[TOPICS[0]]])
    assert [(log.address, log.block_number) for log in logs] == [(lone, number)]


def test_block_replaced_without_rewind_takes_its_place_in_the_index(tmp_path: Path) -> None:
    """``commit_block`` at a height that already has a canonical block (no rewind first) drops
    the old block's entries with it, in the same transaction."""
    chains = [
        EmbeddedL1(
            tmp_path / name,
            CHAIN_ID,
            3600.0,
            NodeMetrics(CollectorRegistry(), chain="l1"),
            genesis_timestamp=1_700_000_000,
        )
        for name in ("a", "b")
    ]
    try:
        for l1 in chains:
            l1.set_code(EMITTERS[1], _log_code(1))
        assert chains[0].chain.head().hash == chains[1].chain.head().hash
        for l1, topic in zip(chains, (TOPICS[0], TOPICS[1]), strict=True):
            sender = _Sender(l1)
            tx = {
                "chainId": CHAIN_ID,
                "nonce": sender.nonce,
                "to": EMITTERS[1],
                "value": 0,
                "data": topic,
                "gas": 100_000,
                "maxFeePerGas": 10**11,
                "maxPriorityFeePerGas": 10**9,
            }
            l1.submit(bytes(sender.account.sign_transaction(tx).raw_transaction))
        chains[0].mine()
        # Seal b's block at the same height and commit it over a's, as a store would see it.
        b = chains[1]
        head = b.chain.head()
        builder = b.chain.new_block(b.chain.next_env(head.timestamp + 7, b"\x00" * 20, head.hash))
        b.intake.fill(builder)
        sealed = builder.seal()
        a = chains[0]
        a.store.commit_block(sealed.block, sealed.receipts, sealed.state_items)
        number = sealed.block.number
        assert a.chain.block_by_number(number).hash == sealed.block.hash
        assert _index_entries(a) == _expected_entries(a.chain)
        assert a.chain.logs(0, number, [], [[TOPICS[0]]]) == []
        assert [log.topics for log in a.chain.logs(0, number, [EMITTERS[1]], [])] == [(TOPICS[1],)]
    finally:
        for l1 in chains:
            l1.close()
