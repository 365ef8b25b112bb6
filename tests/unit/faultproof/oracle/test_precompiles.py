"""Precompile preimages computed by py-evm's precompiles."""

from __future__ import annotations

import eth_keys
import pytest

from rollup_node.faultproof.oracle.host import Oracle
from rollup_node.faultproof.oracle.keys import precompile_key
from rollup_node.faultproof.oracle.precompiles import PrecompileHintError, run_precompile
from rollup_node.faultproof.oracle.source import DictSource

ECRECOVER = (1).to_bytes(20, "big")
BN_ADD = (6).to_bytes(20, "big")
BN_MUL = (7).to_bytes(20, "big")
BN_PAIRING = (8).to_bytes(20, "big")


def _ecrecover_input() -> tuple[bytes, bytes]:
    key = eth_keys.keys.PrivateKey(b"\x07" * 32)
    digest = b"\x42" * 32
    signature = key.sign_msg_hash(digest)
    data = digest + (27 + signature.v).to_bytes(32, "big")
    data += signature.r.to_bytes(32, "big") + signature.s.to_bytes(32, "big")
    return data, key.public_key.to_canonical_address()


def test_ecrecover_and_gas() -> None:
    data, address = _ecrecover_input()
    assert run_precompile(ECRECOVER, 3000, data) == b"\x01" + bytes(12) + address
    assert run_precompile(ECRECOVER, 2999, data) == b"\x00"


def test_bn254() -> None:
    generator = (1).to_bytes(32, "big") + (2).to_bytes(32, "big")
    doubled = run_precompile(BN_ADD, 150, generator + generator)
    assert (
        doubled[0] == 1
        and run_precompile(BN_MUL, 6000, generator + (2).to_bytes(32, "big")) == doubled
    )
    assert run_precompile(BN_ADD, 150, b"\x01" * 128) == b"\x00"  # not on the curve
    assert run_precompile(BN_PAIRING, 45_000, b"") == b"\x01" + (1).to_bytes(32, "big")


def test_precompile_hint_stores_result() -> None:
    oracle = Oracle(DictSource())
    data, address = _ecrecover_input()
    oracle.hint(b"precompile " + ECRECOVER + (3000).to_bytes(8, "big") + data)
    assert (
        oracle.get_preimage(precompile_key(ECRECOVER, 3000, data)) == b"\x01" + bytes(12) + address
    )
    with pytest.raises(PrecompileHintError):
        oracle.hint(b"precompile " + (2).to_bytes(20, "big") + bytes(8))
