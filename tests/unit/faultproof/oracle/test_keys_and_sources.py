"""Preimage keys, verified sources and the hint router."""

from __future__ import annotations

import logging

import pytest

from rollup_node.faultproof.mips.memory import keccak256
from rollup_node.faultproof.oracle.hints import HintError, HintRouter, parse_hint
from rollup_node.faultproof.oracle.keys import (
    KeyType,
    PreimageKeyError,
    keccak_key,
    key_type,
    local_key,
    precompile_key,
)
from rollup_node.faultproof.oracle.source import (
    ChainedSource,
    DictSource,
    PreimageMismatch,
    PreimageNotFound,
)


def test_key_layouts() -> None:
    assert local_key(5) == b"\x01" + bytes(30) + b"\x05"
    assert keccak_key(b"abc") == b"\x02" + keccak256(b"abc")[1:]
    address = bytes(19) + b"\x08"
    digest = keccak256(address + (45_000).to_bytes(8, "big") + b"in")
    assert precompile_key(address, 45_000, b"in") == b"\x06" + digest[1:]
    assert key_type(local_key(1)) == KeyType.LOCAL
    with pytest.raises(PreimageKeyError):
        key_type(b"\x09" + bytes(31))
    with pytest.raises(PreimageKeyError):
        precompile_key(b"\x01", 0, b"")


def test_dict_source_refuses_mismatched_preimages() -> None:
    source = DictSource()
    key = source.put_keccak(b"hello")
    assert source.get_preimage(key) == b"hello"
    with pytest.raises(PreimageMismatch):
        source.put(key, b"not hello")
    with pytest.raises(PreimageMismatch):
        source.put(local_key(1), bytes(33))
    with pytest.raises(PreimageMismatch):
        source.put(precompile_key(bytes(20), 1, b""), b"\x05")
    with pytest.raises(PreimageNotFound):
        source.get_preimage(keccak_key(b"unknown"))


def test_chained_source_asks_in_order() -> None:
    first, second = DictSource(), DictSource()
    first.put(local_key(1), b"first")
    second.put(local_key(1), b"second")
    second.put(local_key(2), b"only second")
    chain = ChainedSource([first, second])
    assert chain.get_preimage(local_key(1)) == b"first"
    assert chain.get_preimage(local_key(2)) == b"only second"
    with pytest.raises(PreimageNotFound):
        chain.get_preimage(local_key(3))


def test_hint_router_dispatches_and_ignores_unknown(caplog: pytest.LogCaptureFixture) -> None:
    router = HintRouter()
    seen: list[bytes] = []
    router.register("l1-block", seen.append)
    router.route(b"l1-block \x00\x01 \x02")
    assert seen == [b"\x00\x01 \x02"]
    with caplog.at_level(logging.INFO):
        router.route(b"l2-unknown data")
        router.route(b"no-space")
    assert router.ignored == 2 and seen == [b"\x00\x01 \x02"]
    assert parse_hint(b"a b") == ("a", b"b")
    with pytest.raises(HintError):
        router.register("bad type", seen.append)
