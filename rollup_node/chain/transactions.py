"""Decoding raw transactions into py-evm objects, deposits and ``TxRecord``s.

User transactions (legacy, 1, 2) decode through py-evm's Cancun builder; type 3 (blob) is
refused, as is a deposit (0x7E) arriving from outside derivation.
"""

from __future__ import annotations

from eth.abc import SignedTransactionAPI
from eth.vm.forks.cancun.transactions import CancunTransactionBuilder
from eth_hash.auto import keccak

from rollup_node.chain.records import TxRecord
from rollup_node.protocol.deposits import DEPOSIT_TX_TYPE, DepositTx, decode_deposit
from rollup_node.protocol.errors import RejectReason, TransactionRejected
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


def signed_sender(tx: SignedTransactionAPI, fields: UserTransaction, chain_id: int) -> bytes:
    """The sender of ``tx`` once its chain id and signature values pass ``check_signature``;
    ``TransactionRejected(BAD_SIGNATURE)`` when no key recovers from it."""
    check_signature(fields, chain_id)
    try:
        return tx.sender
    except Exception as exc:  # eth-keys raises several types for unrecoverable signatures
        raise TransactionRejected(RejectReason.BAD_SIGNATURE, str(exc)) from exc


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
