"""``world.trie_nodes`` builds exactly the trie ``trie.HexaryTrie`` builds, with every hashed
node stored (the program fetches each by its hash)."""

from __future__ import annotations

import random

import pytest
import rlp
from eth_hash.auto import keccak
from trie import HexaryTrie

from rollup_node.faultproof.differential.world import trie_nodes


@pytest.mark.parametrize("count", [0, 1, 2, 3, 17, 300])
def test_trie_nodes_match_hexary_trie(count: int) -> None:
    rng = random.Random(count)
    items = {
        keccak(i.to_bytes(32, "big")): rlp.encode(rng.getrandbits(rng.choice([8, 64, 256])))
        for i in range(count)
    }
    items[keccak(b"absent")] = b""  # an empty value is no entry
    db: dict[bytes, bytes] = {}
    trie = HexaryTrie(db)
    for key, value in items.items():
        if value:
            trie[key] = value
    root, nodes = trie_nodes(items)
    assert root == trie.root_hash
    assert all(db.get(digest) == node for digest, node in nodes.items() if count)


def test_short_keys_embed_small_nodes() -> None:
    items = {bytes([i, i % 3]): b"x" for i in range(40)}
    db: dict[bytes, bytes] = {}
    trie = HexaryTrie(db)
    for key, value in items.items():
        trie[key] = value
    assert trie_nodes(items)[0] == trie.root_hash
