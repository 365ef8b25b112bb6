"""Paged Merkle memory: roots equal a naive tree, proofs verify, caches stay correct."""

from __future__ import annotations

import random

import pytest

from rollup_node.faultproof.mips.memory import (
    PROOF_SIZE,
    TREE_DEPTH,
    ZERO_HASHES,
    Memory,
    keccak256,
    verify_proof,
)


def naive_root(words: dict[int, int]) -> bytes:
    leaves: dict[int, bytearray] = {}
    for addr, value in words.items():
        leaf = leaves.setdefault(addr >> 5, bytearray(32))
        leaf[addr & 31 : (addr & 31) + 4] = value.to_bytes(4, "big")
    level = {index: bytes(leaf) for index, leaf in leaves.items()}
    for height in range(TREE_DEPTH):
        parents: dict[int, bytes] = {}
        for index in {index >> 1 for index in level}:
            left = level.get(2 * index, ZERO_HASHES[height])
            right = level.get(2 * index + 1, ZERO_HASHES[height])
            parents[index] = keccak256(left + right)
        level = parents
    return level.get(0, ZERO_HASHES[TREE_DEPTH])


def test_empty_root_is_zero_subtree() -> None:
    assert Memory().merkle_root() == ZERO_HASHES[TREE_DEPTH]


def test_root_matches_naive_tree_after_every_write() -> None:
    rng = random.Random(1)
    memory, words = Memory(), {}
    addresses = [rng.randrange(0, 1 << 32) & ~3 for _ in range(20)] + [0, 0xFFFFFFFC, 0x1000]
    for addr in addresses + addresses[:5]:
        value = rng.getrandbits(32)
        memory.set_word(addr, value)
        words[addr] = value
        assert memory.merkle_root() == naive_root(words)


def test_proofs_verify_and_detect_tampering() -> None:
    memory = Memory()
    memory.write(0x400000, bytes(range(256)) * 20)
    root = memory.merkle_root()
    for addr in (0x400000, 0x400FFC, 0x401234, 0x7FFFF000, 0):
        proof = memory.merkle_proof(addr)
        assert len(proof) == PROOF_SIZE and verify_proof(root, addr, proof)
        if memory.read(addr & ~31, 64) != bytes(64):  # two equal zero leaves swap freely
            assert not verify_proof(root, addr ^ 0x20, proof)
        assert not verify_proof(root, addr, proof[:-1] + bytes([proof[-1] ^ 1]))


def test_bulk_write_read_and_copy_are_independent() -> None:
    memory = Memory()
    memory.write(0x1FFE, b"\xaa\xbb\xcc\xdd")
    assert memory.read(0x1FFC, 8) == b"\0\0\xaa\xbb\xcc\xdd\0\0"
    assert memory.get_word(0x2000) == 0xCCDD0000
    clone = memory.copy()
    clone.set_word(0x2000, 1)
    assert memory.get_word(0x2000) == 0xCCDD0000
    assert clone.merkle_root() != memory.merkle_root()


def test_root_after_one_write_costs_tree_depth_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    from rollup_node.faultproof.mips import memory as memory_module

    memory = Memory()
    memory.write(0x10000000, bytes(range(256)) * 64)  # 16 KiB over four pages
    memory.merkle_root()
    calls = []
    real = memory_module.keccak256
    monkeypatch.setattr(memory_module, "keccak256", lambda data: calls.append(1) or real(data))
    memory.set_word(0x10001234, 0xDEADBEEF)
    memory.merkle_root()
    assert len(calls) == TREE_DEPTH
