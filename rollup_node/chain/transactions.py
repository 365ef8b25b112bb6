"""Decoding raw transactions into py-evm objects, deposits and ``TxRecord``s.

User transactions (legacy, 1, 2) decode through py-evm's Cancun builder; type 3 (blob) is
refused, as is a deposit (0x7E) arriving from outside derivation.

The sender is recovered straight from the raw bytes (``recover_sender``): the signed payload is
the transaction's own RLP list without its last three items (v, r, s), so its bytes are a
slice of the canonical raw encoding, hashed once and handed to libsecp256k1 through coincurve.
py-evm's own path re-encodes every field through generic RLP serializers first, which cost
about nine times the recovery itself. The result is stored as py-evm's cached ``sender`` so
execution does not recover it again.
"""

from __future__ import annotations

from dataclasses import dataclass

from coincurve import PublicKey
from eth.abc import SignedTransactionAPI
from eth.vm.forks.cancun.transactions import CancunTransactionBuilder
from eth_hash.auto import keccak

from rollup_node.chain.records import TxRecord
from rollup_node.protocol.deposits import DEPOSIT_TX_TYPE, DepositTx, decode_deposit
from rollup_node.protocol.errors import RejectReason, TransactionRejected
from rollup_node.protocol.rlp_encoding import encode_uint, list_header
from rollup_node.protocol.transaction_validity import UserTransaction, check_signature

USER_TX_TYPES = (1, 2)


def decode_user_transaction(raw: bytes) -> SignedTransactionAPI:
    """Decode a legacy, type-1 or type-2 transaction; refuse other types and bad encodings."""
    if not raw:
        raise TransactionRejected(RejectReason.MALFORMED, "empty transaction")
    first = raw[0]
    if first < 0x7F and first not in USER_TX_TYPES:
        raise TransactionRejected(RejectReason.UNSUPPORTED_TYPE, f"type {first:#x}")
    try:
        tx = CancunTransactionBuilder.decode(raw)
    except Exception as exc:  # py-evm raises rlp and validation errors of several kinds
        raise TransactionRejected(RejectReason.MALFORMED, str(exc) or type(exc).__name__) from exc
    if tx.encode() != raw:
        raise TransactionRejected(RejectReason.MALFORMED, "non-canonical encoding")
    return tx


def user_fields(tx: SignedTransactionAPI) -> UserTransaction:
    """The plain fields the validity rules of SPEC §3.1 read (``protocol/transaction_validity``)."""
    type_id = tx.type_id or 0
    dynamic = type_id == 2
    legacy_without_chain_id = type_id == 0 and tx.v in (27, 28)
    return UserTransaction(
        type_id=type_id,
        chain_id=None if legacy_without_chain_id else tx.chain_id,
        r=tx.r,
        s=tx.s,
        nonce=tx.nonce,
        gas=tx.gas,
        to=tx.to or None,
        value=tx.value,
        data=tx.data,
        max_fee_per_gas=tx.max_fee_per_gas if dynamic else tx.gas_price,
        max_priority_fee_per_gas=tx.max_priority_fee_per_gas if dynamic else tx.gas_price,
        access_list=tuple((address, tuple(slots)) for address, slots in tx.access_list),
    )


def recover_sender(tx: SignedTransactionAPI, raw: bytes) -> bytes:
    """The address that signed ``raw`` (canonical, decoded as ``tx``): keccak of the signed
    payload (EIP-155 for legacy: chain id, 0, 0 appended; typed: the type byte before it),
    recovered with ``tx``'s y parity, r and s. ``TransactionRejected(BAD_SIGNATURE)`` when the
    parity is not 0 or 1 or no key recovers; the ranges of r and s are ``check_signature``'s."""
    y_parity = tx.y_parity
    if y_parity not in (0, 1):
        raise TransactionRejected(RejectReason.BAD_SIGNATURE, f"y parity {y_parity}")
    typed = raw[0] < 0xC0
    body_start, body_end = _list_span(raw, 1 if typed else 0)
    unsigned_end = _item_starts(raw, body_start, body_end)[-3]  # v, r, s are the last three items
    unsigned = raw[body_start:unsigned_end]
    if not typed and tx.chain_id is not None:  # EIP-155: rlp([..., chain_id, 0, 0])
        unsigned += encode_uint(tx.chain_id) + b"\x80\x80"
    message = list_header(len(unsigned)) + unsigned
    if typed:
        message = raw[:1] + message
    signature = tx.r.to_bytes(32, "big") + tx.s.to_bytes(32, "big") + bytes([y_parity])
    try:
        public_key = PublicKey.from_signature_and_message(signature, keccak(message), hasher=None)
    except Exception as exc:  # coincurve raises ValueError or its own errors
        raise TransactionRejected(RejectReason.BAD_SIGNATURE, str(exc)) from exc
    sender = keccak(public_key.format(compressed=False)[1:])[12:]
    # py-evm reads ``tx.sender`` (a cached_property) during execution: fill its cache.
    tx.__dict__["sender"] = sender
    return sender


@dataclass(frozen=True, slots=True)
class SignedUserTransaction:
    """A user transaction whose position-independent checks passed (SPEC §3.1: encoding, type,
    chain id, signature ranges, sender recovery) for ``chain_id``; what remains are the checks
    against the state at its position (nonce, balance, fees, gas), ``check_transaction``."""

    raw: bytes
    tx: SignedTransactionAPI
    fields: UserTransaction
    sender: bytes
    record: TxRecord
    chain_id: int


def verify_user_transaction(raw: bytes, chain_id: int) -> SignedUserTransaction:
    """Decode ``raw``, check its chain id and signature ranges and recover its sender, or raise
    ``TransactionRejected`` (the caller refuses or drops the transaction; never retried)."""
    tx = decode_user_transaction(raw)
    fields = user_fields(tx)
    check_signature(fields, chain_id)
    sender = recover_sender(tx, raw)
    return SignedUserTransaction(raw, tx, fields, sender, user_tx_record(tx, raw, sender), chain_id)


def _list_span(data: bytes, start: int) -> tuple[int, int]:
    """(payload start, payload end) of the RLP list at ``start``."""
    first = data[start]
    if first < 0xF8:
        return start + 1, start + 1 + first - 0xC0
    size_bytes = first - 0xF7
    payload = start + 1 + size_bytes
    return payload, payload + int.from_bytes(data[start + 1 : payload], "big")


def _item_starts(data: bytes, start: int, end: int) -> list[int]:
    """Where each item of the list payload ``data[start:end]`` begins (canonical RLP)."""
    starts = []
    position = start
    while position < end:
        starts.append(position)
        first = data[position]
        if first < 0x80:
            position += 1
        elif first < 0xB8:
            position += 1 + first - 0x80
        elif first < 0xC0:
            size_bytes = first - 0xB7
            size = int.from_bytes(data[position + 1 : position + 1 + size_bytes], "big")
            position += 1 + size_bytes + size
        elif first < 0xF8:
            position += 1 + first - 0xC0
        else:
            size_bytes = first - 0xF7
            size = int.from_bytes(data[position + 1 : position + 1 + size_bytes], "big")
            position += 1 + size_bytes + size
    return starts


def user_tx_record(
    tx: SignedTransactionAPI,
    raw: bytes,
    sender: bytes,
    position: tuple[int, bytes, int] | None = None,
) -> TxRecord:
    """The record of a decoded user transaction (``position`` = number, block hash, index)."""
    type_id = tx.type_id or 0
    number, block_hash, index = position if position else (None, None, None)
    return TxRecord(
        hash=keccak(raw),
        type=type_id,
        raw=raw,
        sender=sender,
        to=tx.to or None,
        nonce=tx.nonce,
        gas=tx.gas,
        value=tx.value,
        data=tx.data,
        chain_id=tx.chain_id,
        gas_price=tx.gas_price if type_id != 2 else None,
        max_fee_per_gas=tx.max_fee_per_gas if type_id == 2 else None,
        max_priority_fee_per_gas=tx.max_priority_fee_per_gas if type_id == 2 else None,
        access_list=tuple((a, tuple(slots)) for a, slots in tx.access_list),
        v=tx.v if type_id == 0 else tx.y_parity,
        r=tx.r,
        s=tx.s,
        block_number=number,
        block_hash=block_hash,
        transaction_index=index,
    )


def deposit_tx_record(
    deposit: DepositTx, nonce: int, position: tuple[int, bytes, int] | None = None
) -> TxRecord:
    """The record of a deposit; ``nonce`` is the sender's nonce before execution."""
    raw = deposit.encode()
    number, block_hash, index = position if position else (None, None, None)
    return TxRecord(
        hash=keccak(raw),
        type=DEPOSIT_TX_TYPE,
        raw=raw,
        sender=deposit.sender,
        to=deposit.to,
        nonce=nonce,
        gas=deposit.gas,
        value=deposit.value,
        data=deposit.data,
        chain_id=None,
        gas_price=0,
        max_fee_per_gas=None,
        max_priority_fee_per_gas=None,
        source_hash=deposit.source_hash,
        mint=deposit.mint,
        is_system_tx=deposit.is_system_tx,
        block_number=number,
        block_hash=block_hash,
        transaction_index=index,
    )


def record_from_raw(
    raw: bytes, sender: bytes, nonce: int, position: tuple[int, bytes, int] | None
) -> TxRecord:
    """Rebuild a stored transaction's record without recovering its signature again."""
    if raw[:1] == bytes([DEPOSIT_TX_TYPE]):
        return deposit_tx_record(decode_deposit(raw), nonce, position)
    return user_tx_record(CancunTransactionBuilder.decode(raw), raw, sender, position)
