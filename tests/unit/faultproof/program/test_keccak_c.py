"""The C keccak-256 (src/keccak.c) against eth-hash on random inputs around the 136-byte rate."""

from __future__ import annotations

import random

from eth_hash.auto import keccak

from .conftest import Driver


def test_keccak_matches_eth_hash(testdriver: Driver) -> None:
    """Digests of lengths 0..600 (every block boundary case) and a few long inputs."""
    rng = random.Random(3)
    inputs = [rng.randbytes(n) for n in range(601)]
    inputs += [rng.randbytes(n) for n in (135 * 100, 136 * 100, 137 * 100, 100_000)]
    out = testdriver([f"keccak 0x{data.hex()}" for data in inputs])
    assert out == [keccak(data).hex() for data in inputs]
