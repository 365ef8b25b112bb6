"""Roots of Merkle Patricia tries built bottom-up, for the transaction and receipt roots.

A block's transaction and receipt tries (SPEC §3: the Ethereum header rules) map ``rlp(index)``
to each item. Inserting the items one by one into py-trie's ``HexaryTrie`` rewrites and
re-hashes the whole path on every insert; here the keys are sorted once and every node is
encoded once and hashed once, from the leaves up. The root is the same: a trie's root depends
only on its key/value set (a differential test pins this function to py-trie and to the
ethereum/tests TrieTests).

The trie rules used: keys are read as nibbles; a node is a leaf ``[hp(path, leaf), value]``,
an extension ``[hp(path), child]`` or a branch ``[child × 16, value]``; a child is referenced
by its RLP when that is shorter than 32 bytes and by its keccak otherwise; the root is the
keccak of the root node; an empty value means the key is absent.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import rlp
from eth.constants import BLANK_ROOT_HASH
from eth_hash.auto import keccak

from rollup_node.protocol.rlp_encoding import encode_list, encode_string

_EMPTY = b"\x80"  # rlp(b""): an empty branch slot or value
_NIBBLE = {c: i for i, c in enumerate("0123456789abcdef")}


def ordered_trie_root(items: Sequence[bytes]) -> bytes:
    """Root of the trie mapping ``rlp(index)`` to each item (transactions, receipts)."""
    return trie_root({rlp.encode(index): item for index, item in enumerate(items)})


def trie_root(items: Mapping[bytes, bytes]) -> bytes:
    """Root of the trie holding ``items`` (keys as given: hash them first for a secure trie)."""
    pairs = sorted((key.hex(), value) for key, value in items.items() if value)
    if not pairs:
        return BLANK_ROOT_HASH
    keys = [key for key, _ in pairs]
    values = [value for _, value in pairs]
    return keccak(_node(keys, values, 0, len(keys), 0))


def _node(keys: list[str], values: list[bytes], lo: int, hi: int, depth: int) -> bytes:
    """The RLP of the node holding sorted ``keys[lo:hi]`` (hex nibbles), which agree on their
    first ``depth`` nibbles."""
    first = keys[lo]
    if hi - lo == 1:
        return encode_list(
            encode_string(_hex_prefix(first[depth:], leaf=True)) + encode_string(values[lo])
        )
    last = keys[hi - 1]
    # Sorted: what the first and last keys share, all of them share.
    end = depth
    limit = min(len(first), len(last))
    while end < limit and first[end] == last[end]:
        end += 1
    if end > depth:
        child = _node(keys, values, lo, hi, end)
        return encode_list(encode_string(_hex_prefix(first[depth:end], leaf=False)) + _ref(child))
    value = _EMPTY
    if len(first) == depth:  # a key ending here holds the branch's value (sorted first)
        value = encode_string(values[lo])
        lo += 1
    slots = [_EMPTY] * 16
    start = lo
    while start < hi:
        nibble = keys[start][depth]
        stop = start + 1
        while stop < hi and keys[stop][depth] == nibble:
            stop += 1
        slots[_NIBBLE[nibble]] = _ref(_node(keys, values, start, stop, depth + 1))
        start = stop
    return encode_list(b"".join(slots) + value)


def _ref(node: bytes) -> bytes:
    """How a parent holds ``node``: inline below 32 bytes, else its hash as a string."""
    return node if len(node) < 32 else b"\xa0" + keccak(node)


def _hex_prefix(path: str, leaf: bool) -> bytes:
    """Compact (hex-prefix) encoding of a nibble path, flagged as leaf or extension."""
    flag = 2 if leaf else 0
    if len(path) % 2:
        return bytes.fromhex(f"{flag + 1:x}{path}")
    return bytes.fromhex(f"{flag:x}0{path}")
