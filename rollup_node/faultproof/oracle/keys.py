"""Preimage keys: 32 bytes whose first byte is the key type (SPEC §8, §9).

- type 1, local: the §9 input ident, big-endian in the low bytes (``01 00 … 00 ident``);
- type 2, keccak: ``keccak(data)`` with byte 0 set to 2;
- type 6, precompile: ``6 ‖ keccak(address20 ‖ u64 requiredGas ‖ input)[1:]``, whose value is
  ``status byte (1 ok / 0 fail) ‖ output``.
"""

from __future__ import annotations

from enum import IntEnum

from rollup_node.faultproof.mips.memory import keccak256


class KeyType(IntEnum):
    """The first byte of a preimage key."""

    LOCAL = 1
    KECCAK = 2
    PRECOMPILE = 6


class LocalIdent(IntEnum):
    """The fault-proof program's local inputs (SPEC §9)."""

    L1_HEAD_HASH = 1
    PRE_STATE_OUTPUT_ROOT = 2
    DISPUTED_OUTPUT_ROOT = 3
    L2_BLOCK_NUMBER = 4
    L2_CHAIN_ID = 5
    CONSENSUS_CONFIG_HASH = 6


class PreimageKeyError(ValueError):
    """A malformed preimage key or key input."""


def local_key(ident: int) -> bytes:
    """The type-1 key of local input ``ident``."""
    if not 0 <= ident < 1 << 64:
        raise PreimageKeyError(f"local ident {ident} out of range")
    return bytes([KeyType.LOCAL]) + ident.to_bytes(31, "big")


def keccak_key(data: bytes) -> bytes:
    """The type-2 key of the preimage ``data``."""
    return bytes([KeyType.KECCAK]) + keccak256(data)[1:]


def precompile_input(address: bytes, required_gas: int, call_input: bytes) -> bytes:
    """``address20 ‖ u64 requiredGas ‖ input``: the precompile hint data and key preimage."""
    if len(address) != 20:
        raise PreimageKeyError(f"precompile address must be 20 bytes, got {len(address)}")
    if not 0 <= required_gas < 1 << 64:
        raise PreimageKeyError(f"required gas {required_gas} does not fit in u64")
    return address + required_gas.to_bytes(8, "big") + call_input


def precompile_key(address: bytes, required_gas: int, call_input: bytes) -> bytes:
    """The type-6 key of a precompile call's result."""
    digest = keccak256(precompile_input(address, required_gas, call_input))
    return bytes([KeyType.PRECOMPILE]) + digest[1:]


def key_type(key: bytes) -> KeyType:
    """The type of a 32-byte key; raises ``PreimageKeyError`` for a wrong size or unknown type."""
    if len(key) != 32:
        raise PreimageKeyError(f"preimage key must be 32 bytes, got {len(key)}")
    try:
        return KeyType(key[0])
    except ValueError:
        raise PreimageKeyError(f"unknown preimage key type {key[0]}") from None
