"""The Merkle tree of a State Commitment Chain batch (SPEC §4).

Leaves are the output roots themselves; a node is ``keccak(left ‖ right)``; a row of odd length
is padded with ``zero[d]`` where ``zero[0] = keccak(bytes32(0))`` and
``zero[d+1] = keccak(zero[d] ‖ zero[d])``. A proof for leaf ``i`` is its siblings from the
bottom up, exactly ``ceil(log2(size))`` of them (none for a batch of one root).
"""

from __future__ import annotations

from collections.abc import Sequence

from eth_hash.auto import keccak

ZERO_LEAF = keccak(b"\x00" * 32)


def _next_row(row: list[bytes], zero: bytes) -> list[bytes]:
    if len(row) % 2:
        row = [*row, zero]
    return [keccak(row[i] + row[i + 1]) for i in range(0, len(row), 2)]


def batch_root(leaves: Sequence[bytes]) -> bytes:
    """The batch root of ``leaves`` (at least one)."""
    if not leaves:
        raise ValueError("a batch has at least one output root")
    row, zero = list(leaves), ZERO_LEAF
    while len(row) > 1:
        row, zero = _next_row(row, zero), keccak(zero + zero)
    return row[0]


def batch_proof(leaves: Sequence[bytes], index: int) -> list[bytes]:
    """The siblings proving ``leaves[index]``, bottom-up."""
    if not 0 <= index < len(leaves):
        raise IndexError(f"leaf {index} is outside a batch of {len(leaves)}")
    row, zero, siblings = list(leaves), ZERO_LEAF, []
    while len(row) > 1:
        sibling = index ^ 1
        siblings.append(row[sibling] if sibling < len(row) else zero)
        row, zero, index = _next_row(row, zero), keccak(zero + zero), index // 2
    return siblings


def verify_batch_proof(
    leaf: bytes, index: int, size: int, siblings: Sequence[bytes], root: bytes
) -> bool:
    """Whether ``leaf`` sits at ``index`` of a ``size``-leaf batch with ``root``."""
    if not 0 <= index < size or len(siblings) != (size - 1).bit_length():
        return False
    node = leaf
    for depth, sibling in enumerate(siblings):
        node = keccak(node + sibling) if (index >> depth) & 1 == 0 else keccak(sibling + node)
    return node == root
