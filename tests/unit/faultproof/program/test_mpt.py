"""The C Merkle Patricia Trie (src/mpt.c) against ethereum/tests' TrieTests and py-trie.

Every vector runs twice: on a trie kept in memory, and with the trie committed to a node map and
reopened from its root after every update, which is the program's path (nodes resolved by hash,
collapses that must fetch a sibling).
"""

from __future__ import annotations

import json
import random

import pytest
from eth_hash.auto import keccak
from trie import HexaryTrie

from tests.ethereum_tests import absent_params

from .conftest import Driver, fixture_file

ORDERED_FILES = ("trietest.json", "trietest_secureTrie.json")
ANY_ORDER_FILES = (
    "trieanyorder.json",
    "trieanyorder_secureTrie.json",
    "hex_encoded_securetrie_test.json",
)


def _bytes(text: str | None) -> bytes | None:
    """TrieTests encoding: 0x-prefixed strings are hex, others UTF-8; null deletes."""
    if text is None:
        return None
    if text.startswith("0x"):
        return bytes.fromhex(text[2:])
    return text.encode()


def _cases() -> list:
    absent = absent_params(4, "TrieTests")
    if absent is not None:
        return absent
    cases = []
    for name in ORDERED_FILES + ANY_ORDER_FILES:
        vectors = json.loads(fixture_file("TrieTests", name).read_text())
        for case, body in vectors.items():
            pairs = body["in"].items() if isinstance(body["in"], dict) else body["in"]
            ops = [(_bytes(k), _bytes(v)) for k, v in pairs]
            cases.append(pytest.param(name, case, ops, body["root"], id=f"{name}:{case}"))
    return cases


def _commands(ops: list[tuple[bytes, bytes | None]], secure: bool, reload: bool) -> list[str]:
    """Driver commands applying ops, then reading every key back and the root."""
    commands = ["new"]
    for key, value in ops:
        trie_key = keccak(key) if secure else key
        if value:
            commands.append(f"put {trie_key.hex()} {value.hex()}")
        else:
            commands.append(f"del {trie_key.hex()}")
        if reload:
            commands.append("reload")
    for key, _ in ops:
        commands.append(f"get {(keccak(key) if secure else key).hex()}")
    commands.append("root")
    return commands


def _expected_gets(ops: list[tuple[bytes, bytes | None]]) -> list[str]:
    final: dict[bytes, bytes] = {}
    for key, value in ops:
        if value:
            final[key] = value
        else:
            final.pop(key, None)
    return [final[key].hex() if key in final else "-" for key, _ in ops]


@pytest.mark.parametrize("reload", [False, True], ids=["in-memory", "reloaded"])
@pytest.mark.parametrize(
    ("file", "case", "ops", "root"),
    _cases(),
)
def test_trie_vectors(
    testdriver: Driver,
    file: str,
    case: str,
    ops: list[tuple[bytes, bytes | None]],
    root: str,
    reload: bool,
) -> None:
    """The root of every TrieTests vector, and each key reads back its final value."""
    secure = "secure" in file.lower()
    out = testdriver(_commands(ops, secure, reload))
    assert out[-1] == root.removeprefix("0x")
    assert out[:-1] == _expected_gets(ops)


def test_random_updates_match_py_trie(testdriver: Driver) -> None:
    """Random inserts, overwrites and deletes on short, shared-prefix keys agree with py-trie."""
    rng = random.Random(5)
    for round_ in range(40):
        reference = HexaryTrie({})
        commands = ["new"]
        roots = []
        keys = [
            bytes(rng.choice(b"\x00\x01\x10\x11") for _ in range(rng.randint(0, 4)))
            for _ in range(30)
        ]
        for _ in range(60):
            key = rng.choice(keys)
            if rng.random() < 0.3:
                commands.append(f"del 0x{key.hex()}")
                del reference[key]
            else:
                value = rng.randbytes(rng.choice([1, 3, 20, 40]))
                commands.append(f"put 0x{key.hex()} {value.hex()}")
                reference[key] = value
            if round_ % 2:
                commands.append("reload")
            commands.append("root")
            roots.append(reference.root_hash.hex())
        out = testdriver(commands)
        assert out == roots


def _next_prev_cases() -> list:
    absent = absent_params(3, "TrieTests", "trietestnextprev.json")
    if absent is not None:
        return absent
    vectors = json.loads(fixture_file("TrieTests", "trietestnextprev.json").read_text())
    return [(name, body["in"], body["tests"]) for name, body in vectors.items()]


@pytest.mark.parametrize("reload", [False, True], ids=["in-memory", "reloaded"])
@pytest.mark.parametrize(("case", "keys", "queries"), _next_prev_cases())
def test_next_prev_vectors(
    testdriver: Driver, case: str, keys: list[str], queries: list[list[str]], reload: bool
) -> None:
    """trietestnextprev.json: the nearest keys after and before each query, in key order."""
    commands = ["new"] + [f"put 0x{k.encode().hex()} 01" for k in keys]
    if reload:
        commands.append("reload")
    for key, _, _ in queries:
        commands += [f"prev 0x{key.encode().hex()}", f"next 0x{key.encode().hex()}"]
    out = testdriver(commands)
    expected = []
    for _, prev, nxt in queries:
        expected += [prev.encode().hex() or "-", nxt.encode().hex() or "-"]
    assert out == expected
