"""The bottom-up trie root (rollup_node/chain/trie_root.py) against py-trie and the ethereum/tests
TrieTests: a transaction or receipt root must never change with the way it is computed."""

from __future__ import annotations

import json
import random

import pytest
import rlp
from eth_hash.auto import keccak
from trie import HexaryTrie

from rollup_node.chain.trie_root import ordered_trie_root, trie_root
from tests.ethereum_tests import fixture_path


def py_trie_root(items: dict[bytes, bytes]) -> bytes:
    """py-trie's root of the same items, inserted one by one (what sealing used before)."""
    trie = HexaryTrie({})
    with trie.squash_changes() as batch:
        for key, value in items.items():
            batch[key] = value
    return trie.root_hash


def random_value(rng: random.Random) -> bytes:
    # Short values make nodes under 32 bytes, which parents hold inline instead of by hash.
    size = rng.choice([1, 1, 2, 3, 10, 31, 32, 55, 56, 100, 300])
    return rng.randbytes(size)


SIZES = [0, 1, 2, 3, 15, 16, 17, 127, 128, 129, 255, 256, 257, 1_000, 2_000]


@pytest.mark.parametrize("size", SIZES + random.Random(11).sample(range(2_001), 10))
def test_ordered_roots_equal_py_trie(size: int) -> None:
    rng = random.Random(size)
    items = [random_value(rng) for _ in range(size)]
    expected = py_trie_root({rlp.encode(i): item for i, item in enumerate(items)})
    assert ordered_trie_root(items) == expected


@pytest.mark.parametrize("seed", range(20))
def test_arbitrary_keys_equal_py_trie(seed: int) -> None:
    rng = random.Random(seed)
    # Keys of mixed lengths sharing prefixes: extensions, branches holding values, leaves.
    stems = [rng.randbytes(rng.randint(0, 3)) for _ in range(4)]
    items = {
        rng.choice(stems) + rng.randbytes(rng.randint(0, 4)): random_value(rng)
        for _ in range(rng.randint(1, 200))
    }
    assert trie_root(items) == py_trie_root(items)


def _fixture(name: str) -> dict:
    return json.loads(fixture_path("TrieTests", name).read_text())


def _bytes(text: str | None) -> bytes | None:
    if text is None:
        return None
    return bytes.fromhex(text[2:]) if text.startswith("0x") else text.encode()


def _final_items(inputs: list | dict) -> dict[bytes, bytes]:
    """The key/value set after applying the fixture's inputs in order (null or empty deletes)."""
    pairs = inputs.items() if isinstance(inputs, dict) else inputs
    items: dict[bytes, bytes] = {}
    for key, value in pairs:
        data = _bytes(value)
        if data:
            items[_bytes(key)] = data  # type: ignore[index]
        else:
            items.pop(_bytes(key), None)  # type: ignore[arg-type]
    return items


@pytest.mark.parametrize(
    ("name", "secure"),
    [
        ("trietest.json", False),
        ("trieanyorder.json", False),
        ("trietest_secureTrie.json", True),
        ("trieanyorder_secureTrie.json", True),
        ("hex_encoded_securetrie_test.json", True),
    ],
)
def test_trie_tests_fixtures(name: str, secure: bool) -> None:
    cases = _fixture(name)
    for case, test in cases.items():
        items = _final_items(test["in"])
        if secure:
            items = {keccak(key): value for key, value in items.items()}
        assert "0x" + trie_root(items).hex() == test["root"], case
