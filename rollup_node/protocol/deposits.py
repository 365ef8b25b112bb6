"""Deposit transactions, type 0x7E (SPEC §3.2).

A deposit is created by derivation only — from a CTC queue element or as the L1-info
transaction at the head of a block — and never arrives through RPC. It carries no signature;
``mint`` wei are credited to ``sender`` before execution and stay whatever happens.
"""

from __future__ import annotations

from dataclasses import dataclass

import rlp
from eth_hash.auto import keccak

DEPOSIT_TX_TYPE = 0x7E

#: Domains of the source hash: user deposits and the L1-info deposit.
USER_DEPOSIT_DOMAIN = 0
L1_INFO_DEPOSIT_DOMAIN = 1


class MalformedDeposit(ValueError):
    """Bytes that are not a canonical deposit transaction."""


@dataclass(frozen=True, slots=True)
class DepositTx:
    """A deposit transaction's fields, in encoding order."""

    source_hash: bytes
    sender: bytes
    to: bytes | None  # None = contract creation
    mint: int
    value: int
    gas: int
    is_system_tx: bool
    data: bytes

    def encode(self) -> bytes:
        """``0x7E ‖ rlp([sourceHash, from, to, mint, value, gasLimit, isSystemTx, data])``."""
        fields = [
            self.source_hash,
            self.sender,
            self.to if self.to is not None else b"",
            self.mint,
            self.value,
            self.gas,
            1 if self.is_system_tx else 0,
            self.data,
        ]
        return bytes([DEPOSIT_TX_TYPE]) + rlp.encode(fields)

    @property
    def hash(self) -> bytes:
        """The transaction hash: keccak of the typed encoding."""
        return keccak(self.encode())


def decode_deposit(raw: bytes) -> DepositTx:
    """Decode a typed deposit transaction, refusing anything non-canonical."""
    if not raw or raw[0] != DEPOSIT_TX_TYPE:
        raise MalformedDeposit("not a deposit transaction (type byte is not 0x7e)")
    try:
        items = rlp.decode(raw[1:], strict=True)
    except rlp.exceptions.DecodingError as exc:
        raise MalformedDeposit(f"bad RLP: {exc}") from exc
    if not isinstance(items, list) or len(items) != 8:
        raise MalformedDeposit("a deposit is a list of exactly 8 items")
    if any(not isinstance(item, bytes) for item in items):
        raise MalformedDeposit("deposit fields are byte strings")
    source_hash, sender, to, mint, value, gas, is_system, data = items
    if len(source_hash) != 32 or len(sender) != 20 or len(to) not in (0, 20):
        raise MalformedDeposit("bad source hash or address length")
    ints = []
    for item in (mint, value, gas, is_system):
        if item[:1] == b"\x00":
            raise MalformedDeposit("integer with leading zero")
        ints.append(int.from_bytes(item, "big"))
    if ints[3] > 1:
        raise MalformedDeposit("isSystemTx is a boolean")
    return DepositTx(
        source_hash, sender, to or None, ints[0], ints[1], ints[2], bool(ints[3]), data
    )


def user_deposit_source_hash(queue_element_hash: bytes, queue_index: int) -> bytes:
    """``keccak(uint256(0) ‖ keccak(queueElementHash ‖ uint256(queueIndex)))``."""
    inner = keccak(queue_element_hash + queue_index.to_bytes(32, "big"))
    return keccak(USER_DEPOSIT_DOMAIN.to_bytes(32, "big") + inner)


def l1_info_source_hash(l1_origin_hash: bytes, l2_block_number: int) -> bytes:
    """``keccak(uint256(1) ‖ keccak(l1OriginHash ‖ uint256(l2BlockNumber)))``."""
    inner = keccak(l1_origin_hash + l2_block_number.to_bytes(32, "big"))
    return keccak(L1_INFO_DEPOSIT_DOMAIN.to_bytes(32, "big") + inner)
