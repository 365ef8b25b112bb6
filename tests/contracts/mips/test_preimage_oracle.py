"""PreimageOracle.sol: parts of local, keccak and precompile preimages match the Python host."""

from __future__ import annotations

import functools
import hashlib

import ckzg
import eth_keys
import pytest
from eth.precompiles.point_evaluation import TRUSTED_SETUP_PATH
from eth_utils import keccak

from rollup_node.faultproof.oracle.keys import keccak_key, local_key, precompile_key
from rollup_node.faultproof.oracle.precompiles import run_precompile
from tests.contracts.chain_helpers import reverts
from tests.contracts.mips.conftest import LOCAL_CONTEXT, OnChainVM


def _address(number: int) -> bytes:
    return number.to_bytes(20, "big")


def _expected_part(value: bytes, offset: int) -> tuple[bytes, int]:
    full = len(value).to_bytes(8, "big") + value
    part = full[offset : offset + 32]
    return part.ljust(32, b"\0"), len(part)


def _read(vm: OnChainVM, key: bytes, offset: int) -> tuple[bytes, int]:
    dat, length = vm.oracle.functions.readPreimage(key, offset).call()
    return bytes(dat), length


def _transact(vm: OnChainVM, call, gas: int | None = None) -> int:
    """Send ``call``; return the receipt status."""
    tx = {"from": vm.sender} | ({"gas": gas} if gas else {})
    return vm.w3.eth.wait_for_transaction_receipt(call.transact(tx)).status


def test_keccak_parts(onchain_vm: OnChainVM) -> None:
    value = bytes(range(100))
    key = keccak_key(value)
    for offset in (0, 7, 8, 40, 107):
        _transact(onchain_vm, onchain_vm.oracle.functions.loadKeccak256PreimagePart(offset, value))
        assert _read(onchain_vm, key, offset) == _expected_part(value, offset)
    with reverts("PartOffsetOutOfBounds()"):
        onchain_vm.oracle.functions.loadKeccak256PreimagePart(108, value).call()


def test_local_data_is_localized_for_the_caller(onchain_vm: OnChainVM) -> None:
    word = b"\xab" * 8 + b"\xff" * 24
    call = onchain_vm.oracle.functions.loadLocalData(4, LOCAL_CONTEXT, word, 8, 0)
    _transact(onchain_vm, call)
    raw = local_key(4)
    digest = keccak(raw + LOCAL_CONTEXT + bytes(12) + bytes.fromhex(onchain_vm.sender[2:]))
    localized = b"\x01" + digest[1:]
    assert _read(onchain_vm, localized, 0) == _expected_part(b"\xab" * 8, 0)
    with reverts("LocalDataTooLarge()"):
        onchain_vm.oracle.functions.loadLocalData(4, LOCAL_CONTEXT, word, 33, 0).call()


def _ecrecover_input() -> bytes:
    key = eth_keys.keys.PrivateKey(b"\x09" * 32)
    digest = b"\x13" * 32
    signature = key.sign_msg_hash(digest)
    return (
        digest
        + (27 + signature.v).to_bytes(32, "big")
        + signature.r.to_bytes(32, "big")
        + signature.s.to_bytes(32, "big")
    )


@functools.cache
def _kzg_input() -> bytes:
    setup = ckzg.load_trusted_setup(TRUSTED_SETUP_PATH, 0)
    blob = b"".join((index % 1000).to_bytes(32, "big") for index in range(4096))
    commitment = ckzg.blob_to_kzg_commitment(blob, setup)
    z = (12345).to_bytes(32, "big")
    proof, y = ckzg.compute_kzg_proof(blob, z, setup)
    versioned = b"\x01" + hashlib.sha256(commitment).digest()[1:]
    return versioned + z + y + commitment + proof


GENERATOR = (1).to_bytes(32, "big") + (2).to_bytes(32, "big")
CALLS = [
    ("ecrecover", 1, 3000, _ecrecover_input()),
    ("ecrecover short of gas", 1, 2999, _ecrecover_input()),
    ("bn254 add", 6, 150, GENERATOR + GENERATOR),
    ("bn254 add off curve", 6, 150, b"\x01" * 128),
    ("bn254 mul", 7, 6000, GENERATOR + (5).to_bytes(32, "big")),
    ("bn254 pairing empty", 8, 45_000, b""),
    ("kzg point evaluation", 10, 50_000, _kzg_input()),
    ("kzg bad proof", 10, 50_000, _kzg_input()[:-1] + b"\x00"),
]


@pytest.mark.parametrize(("name", "number", "gas", "data"), CALLS, ids=[c[0] for c in CALLS])
def test_precompile_parts_match_host(
    onchain_vm: OnChainVM, name: str, number: int, gas: int, data: bytes
) -> None:
    address = _address(number)
    value = run_precompile(address, gas, data)
    key = precompile_key(address, gas, data)
    for offset in range(0, len(value) + 8, 32):
        call = onchain_vm.oracle.functions.loadPrecompilePreimagePart(offset, address, gas, data)
        assert _transact(onchain_vm, call, gas=1_000_000) == 1
        assert _read(onchain_vm, key, offset) == _expected_part(value, offset)


def test_precompile_call_needs_enough_gas_left(onchain_vm: OnChainVM) -> None:
    call = onchain_vm.oracle.functions.loadPrecompilePreimagePart(0, _address(8), 45_000, b"")
    assert _transact(onchain_vm, call, gas=60_000) == 0  # NotEnoughGas: cannot starve the call
    assert _transact(onchain_vm, call, gas=200_000) == 1
