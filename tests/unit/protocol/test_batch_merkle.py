"""SCC batch trees (SPEC §4): roots, padding with zero[d], proofs of ceil(log2(size)) siblings."""

from __future__ import annotations

import pytest
from eth_hash.auto import keccak

from rollup_node.protocol.batch_merkle import (
    ZERO_LEAF,
    batch_proof,
    batch_root,
    verify_batch_proof,
)


def leaves(count: int) -> list[bytes]:
    return [keccak(i.to_bytes(32, "big")) for i in range(count)]


def test_one_root_is_its_own_batch_root() -> None:
    (only,) = leaves(1)
    assert batch_root([only]) == only
    assert batch_proof([only], 0) == []
    assert verify_batch_proof(only, 0, 1, [], only)


def test_odd_rows_pad_with_the_zero_of_their_level() -> None:
    a, b, c = leaves(3)
    assert batch_root([a, b, c]) == keccak(keccak(a + b) + keccak(c + ZERO_LEAF))
    a, b, c, d, e = leaves(5)
    zero1 = keccak(ZERO_LEAF + ZERO_LEAF)
    left = keccak(keccak(a + b) + keccak(c + d))
    right = keccak(keccak(e + ZERO_LEAF) + zero1)
    assert batch_root([a, b, c, d, e]) == keccak(left + right)


@pytest.mark.parametrize("size", [1, 2, 3, 4, 5, 7, 8, 9, 16, 33])
def test_every_leaf_proves_and_nothing_else_does(size: int) -> None:
    row = leaves(size)
    root = batch_root(row)
    for index, leaf in enumerate(row):
        proof = batch_proof(row, index)
        assert len(proof) == (size - 1).bit_length()  # ceil(log2(size))
        assert verify_batch_proof(leaf, index, size, proof, root)
        assert not verify_batch_proof(keccak(leaf), index, size, proof, root)
        if size > 1:
            assert not verify_batch_proof(
                leaf, index ^ 1 if (index ^ 1) < size else index - 1, size, proof, root
            )
            assert not verify_batch_proof(leaf, index, size, proof[:-1], root)


def test_bad_input() -> None:
    with pytest.raises(ValueError):
        batch_root([])
    with pytest.raises(IndexError):
        batch_proof(leaves(2), 2)
    assert not verify_batch_proof(leaves(1)[0], 3, 2, [b"\x00" * 32], b"\x00" * 32)
