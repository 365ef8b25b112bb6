"""Account reads from the trie (``chain/account_reads.py``) answer what py-evm's ``AccountDB``
answers — balance, nonce, code, storage — for random accounts at every height of a real
embedded L1 chain (transfers, code, storage, nonce and balance writes), and the head cache
never serves a value of an earlier head.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from eth.db.account import AccountDB
from eth_account import Account
from eth_utils import ValidationError
from prometheus_client import CollectorRegistry

from rollup_node.chain.genesis import devnet_accounts
from rollup_node.devnet.l1 import EmbeddedL1
from rollup_node.metrics import NodeMetrics

CHAIN_ID = 900


@pytest.fixture
def l1(tmp_path: Path) -> Iterator[EmbeddedL1]:
    chain = EmbeddedL1(tmp_path, CHAIN_ID, 3600.0, NodeMetrics(CollectorRegistry(), chain="l1"))
    yield chain
    chain.close()


def _reference(l1: EmbeddedL1, number: int) -> AccountDB:
    block = l1.chain.block_by_number(number)
    assert block is not None
    return AccountDB(l1.store.state_db(), block.state_root)


def test_trie_reads_equal_account_db_at_random_heights(l1: EmbeddedL1) -> None:
    rng = random.Random(17)
    sender = Account.from_key(devnet_accounts()[0][1])
    targets = [rng.randbytes(20) for _ in range(12)]
    nonce = 0
    for _ in range(25):
        action = rng.random()
        target = rng.choice(targets)
        if action < 0.5:
            for _ in range(rng.randrange(1, 4)):
                tx = {
                    "chainId": CHAIN_ID,
                    "nonce": nonce,
                    "to": rng.choice(targets),
                    "value": rng.randrange(1, 10**18),
                    "gas": 21_000,
                    "maxFeePerGas": 10**11,
                    "maxPriorityFeePerGas": 10**9,
                }
                l1.submit(bytes(sender.sign_transaction(tx).raw_transaction))
                nonce += 1
            l1.mine()
        elif action < 0.65:
            l1.set_code(target, rng.randbytes(rng.randrange(1, 64)))
        elif action < 0.85:
            l1.set_storage_at(target, rng.randrange(0, 4), rng.randbytes(32))
        elif action < 0.93:
            l1.set_nonce(target, rng.randrange(0, 1000))
        else:
            l1.set_balance(target, rng.randrange(0, 10**20))
    chain = l1.chain
    head = chain.head_number()
    candidates = targets + [bytes.fromhex(sender.address[2:]), b"\x00" * 20, b"\x42" * 20]
    for _ in range(400):
        number = rng.randrange(0, head + 1)
        address = rng.choice(candidates)
        slot = rng.choice([0, 1, 2, 3, 2**256 - 1])
        want = _reference(l1, number)
        assert chain.balance(address, number) == want.get_balance(address)
        assert chain.nonce(address, number) == want.get_nonce(address)
        assert chain.code(address, number) == want.get_code(address)
        assert chain.storage_at(address, slot, number) == want.get_storage(address, slot).to_bytes(
            32, "big"
        )
    with pytest.raises(ValidationError):
        chain.balance(b"\x01" * 19, head)
    with pytest.raises(ValidationError):
        chain.storage_at(candidates[0], 2**256, head)


def test_head_cache_follows_the_head(l1: EmbeddedL1) -> None:
    chain = l1.chain
    address = b"\x33" * 20
    for value in (5, 7, 0, 11):
        l1.set_balance(address, value)
        l1.set_storage_at(address, 1, value.to_bytes(32, "big"))
        head = chain.head_number()
        # Read twice: the second is served from the cache of this head.
        for _ in range(2):
            assert chain.balance(address, head) == value
            assert chain.storage_at(address, 1, head) == value.to_bytes(32, "big")
        assert chain.balance(address, head - 2) == _reference(l1, head - 2).get_balance(address)
    # A rewind makes an older block the head again; its state is read, not a cached later one.
    l1._snapshots[99] = (chain.head_number() - 2, 0)
    assert l1.revert(99)
    assert chain.balance(address, chain.head_number()) == 0
