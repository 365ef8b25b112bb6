"""The C RLP codec (src/rlp.c) against ethereum/tests' RLPTests and pyrlp's strict decoder.

The driver decodes strictly and re-encodes: a valid encoding must come back byte for byte, an
invalid or non-canonical one must be rejected (SPEC notation: canonical RLP only).
"""

from __future__ import annotations

import json
import random

import pytest
import rlp

from tests.ethereum_tests import absent_params

from .conftest import ETHEREUM_TESTS, Driver, fixture_file


def _vectors() -> list:
    """(id, encoding hex, valid) for every RLPTests vector; one skipped case naming the
    missing path when the fixtures are absent (collection must not fail for it)."""
    absent = absent_params(3, "RLPTests")
    if absent is not None:
        return absent
    root = ETHEREUM_TESTS / "RLPTests"
    files = ["rlptest.json", "invalidRLPTest.json"]
    files += [f"RandomRLPTests/{p.name}" for p in sorted((root / "RandomRLPTests").glob("*.json"))]
    out = []
    for name in files:
        for case, body in json.loads(fixture_file("RLPTests", name).read_text()).items():
            encoded = body["out"].removeprefix("0x").lower()
            valid = body["in"] != "INVALID"
            out.append(pytest.param(f"{name}:{case}", encoded, valid, id=f"{name}:{case}"))
    return out


@pytest.mark.parametrize(("case", "encoded", "valid"), _vectors())
def test_rlp_vectors(testdriver: Driver, case: str, encoded: str, valid: bool) -> None:
    """Valid vectors decode and re-encode identically; invalid ones are rejected."""
    (out,) = testdriver([f"rlp 0x{encoded}"])
    assert out == (encoded if valid else "invalid")


def _pyrlp_accepts(data: bytes) -> bool:
    try:
        rlp.decode(data, strict=True)
    except rlp.exceptions.DecodingError:
        return False
    return True


def _mutations(rng: random.Random) -> list[bytes]:
    """Valid encodings of random nested items, and byte-level corruptions of them."""

    def item(depth: int) -> object:
        if depth < 3 and rng.random() < 0.4:
            return [item(depth + 1) for _ in range(rng.randint(0, 4))]
        return rng.randbytes(rng.choice([0, 1, 1, 2, 55, 56, 60, 300]))

    samples = []
    for _ in range(400):
        encoded = bytearray(rlp.encode(item(0)))
        samples.append(bytes(encoded))
        mutated = bytearray(encoded)
        for _ in range(rng.randint(1, 3)):
            choice = rng.random()
            pos = rng.randrange(len(mutated) + 1)
            if choice < 0.4 and mutated:
                mutated[min(pos, len(mutated) - 1)] = rng.randrange(256)
            elif choice < 0.7:
                mutated.insert(pos, rng.randrange(256))
            elif mutated:
                del mutated[min(pos, len(mutated) - 1)]
        samples.append(bytes(mutated))
    # hand-picked non-canonical forms
    samples += [
        b"\x81\x00",
        b"\x81\x7f",
        b"\xb8\x05hello",
        b"\xb9\x00\x38" + b"a" * 56,
        b"\xf8\x01\x80",
        b"",
        b"\xc1",
        b"\x80\x80",
    ]
    return samples


def test_rlp_agrees_with_pyrlp_strict(testdriver: Driver) -> None:
    """Accept/reject decisions and re-encodings agree with pyrlp on random and corrupted inputs."""
    samples = [s for s in _mutations(random.Random(7)) if s]
    out = testdriver([f"rlp 0x{s.hex()}" for s in samples])
    for sample, got in zip(samples, out, strict=True):
        expected = sample.hex() if _pyrlp_accepts(sample) else "invalid"
        assert got == expected, sample.hex()
