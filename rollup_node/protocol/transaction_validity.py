"""Validity of a user transaction at a position in a block (SPEC §3.1).

A user transaction is valid exactly when execution-specs' Cancun ``check_transaction`` accepts
it and its sender can pay ``gas·maxFee + value + l1Fee``. py-evm is looser on several of these
(balance including the L1 fee, fee ordering, sender code, the init-code word gas in the
intrinsic cost), so the node runs this check before handing a transaction to py-evm. The same
functions serve the sequencer's intake (against the pending state) and block building.

The rules read plain data (``UserTransaction``, filled from the decoded transaction by
``chain/transactions.user_fields``); recovering the sender from the signature is the caller's
(``chain/transactions.verify_user_transaction``), after ``check_signature`` has passed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sized
from dataclasses import dataclass

from rollup_node.protocol.errors import RejectReason, TransactionRejected

SECP256K1N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
MAX_INIT_CODE_SIZE = 2 * 24576
INIT_CODE_WORD_GAS = 2
TX_BASE_GAS = 21_000
TX_CREATE_GAS = 32_000
TX_DATA_ZERO_GAS = 4
TX_DATA_NONZERO_GAS = 16
ACCESS_LIST_ADDRESS_GAS = 2_400
ACCESS_LIST_STORAGE_KEY_GAS = 1_900
#: Largest raw transaction accepted, as geth's txpool (128 KiB).
MAX_TX_SIZE = 128 * 1024


@dataclass(frozen=True, slots=True)
class UserTransaction:
    """The fields of a signed user transaction (types 0, 1, 2) that validity reads.

    ``chain_id`` is ``None`` for a legacy transaction signed without EIP-155 replay protection;
    ``to`` is ``None`` for a contract creation. A legacy or type-1 transaction's gas price is
    both its ``max_fee_per_gas`` and its ``max_priority_fee_per_gas``.
    """

    type_id: int
    chain_id: int | None
    r: int
    s: int
    nonce: int
    gas: int
    to: bytes | None
    value: int
    data: bytes
    max_fee_per_gas: int
    max_priority_fee_per_gas: int
    access_list: tuple[tuple[bytes, tuple[int, ...]], ...] = ()


@dataclass(frozen=True, slots=True)
class SenderState:
    """What the rule needs to know about the sender's account."""

    nonce: int
    balance: int
    has_code: bool


@dataclass(frozen=True, slots=True)
class BlockContext:
    """What the rule needs to know about the block the transaction would enter."""

    chain_id: int
    base_fee: int
    gas_available: int


def calldata_gas(data: bytes) -> int:
    """``4·zeroBytes + 16·nonZeroBytes`` of ``data``: the calldata part of the intrinsic cost,
    and, over the signed encoding, the L1 gas of the data fee (SPEC §3.4)."""
    zeros = data.count(0)
    return TX_DATA_ZERO_GAS * zeros + TX_DATA_NONZERO_GAS * (len(data) - zeros)


def intrinsic_gas_of(
    data: bytes, is_create: bool, access_list: Iterable[tuple[bytes, Sized]] = ()
) -> int:
    """Cancun's intrinsic cost: the base, calldata, creation with its init-code words, and the
    access list (its entries' addresses and storage keys). The one home of the rule: the
    validity check and the call executor (``eth_call``, ``eth_estimateGas``) both use it."""
    cost = TX_BASE_GAS + calldata_gas(data)
    if is_create:
        cost += TX_CREATE_GAS + INIT_CODE_WORD_GAS * ((len(data) + 31) // 32)
    for _, slots in access_list:
        cost += ACCESS_LIST_ADDRESS_GAS + ACCESS_LIST_STORAGE_KEY_GAS * len(slots)
    return cost


def intrinsic_gas(tx: UserTransaction) -> int:
    """The intrinsic cost of ``tx`` (``intrinsic_gas_of``)."""
    return intrinsic_gas_of(tx.data, tx.to is None, tx.access_list)


def check_signature(tx: UserTransaction, chain_id: int) -> None:
    """Check the chain id (EIP-155 for legacy) and a low-s signature in range; the caller then
    recovers the sender (an unrecoverable signature is ``BAD_SIGNATURE`` there too)."""
    if tx.chain_id is None:
        raise TransactionRejected(
            RejectReason.WRONG_CHAIN_ID, "legacy transaction without EIP-155 chain id"
        )
    if tx.chain_id != chain_id:
        raise TransactionRejected(
            RejectReason.WRONG_CHAIN_ID, f"have {tx.chain_id}, want {chain_id}"
        )
    if not 0 < tx.r < SECP256K1N or not 0 < tx.s <= SECP256K1N // 2:
        raise TransactionRejected(RejectReason.BAD_SIGNATURE, "r or s out of range (s must be low)")


def check_transaction(
    tx: UserTransaction,
    raw_size: int,
    sender: SenderState,
    l1_fee: int,
    block: BlockContext,
) -> None:
    """Raise ``TransactionRejected`` unless ``tx`` is valid at this position (signature checked)."""
    if raw_size > MAX_TX_SIZE:
        raise TransactionRejected(RejectReason.OVERSIZED, f"{raw_size} bytes > {MAX_TX_SIZE}")
    if tx.to is None and len(tx.data) > MAX_INIT_CODE_SIZE:
        raise TransactionRejected(
            RejectReason.INIT_CODE_TOO_LARGE, f"{len(tx.data)} bytes > {MAX_INIT_CODE_SIZE}"
        )
    needed = intrinsic_gas(tx)
    if tx.gas < needed:
        raise TransactionRejected(
            RejectReason.INTRINSIC_GAS_TOO_LOW, f"gas {tx.gas}, minimum needed {needed}"
        )
    if tx.gas > block.gas_available:
        raise TransactionRejected(
            RejectReason.GAS_ABOVE_BLOCK_LIMIT, f"gas {tx.gas} > {block.gas_available} available"
        )
    fee_cap = tx.max_fee_per_gas
    if tx.max_priority_fee_per_gas > tx.max_fee_per_gas:
        raise TransactionRejected(
            RejectReason.PRIORITY_ABOVE_MAX,
            f"tip cap {tx.max_priority_fee_per_gas} > fee cap {tx.max_fee_per_gas}",
        )
    if fee_cap < block.base_fee:
        raise TransactionRejected(
            RejectReason.FEE_BELOW_BASE_FEE, f"maxFeePerGas {fee_cap} < baseFee {block.base_fee}"
        )
    if tx.nonce < sender.nonce:
        raise TransactionRejected(
            RejectReason.NONCE_TOO_LOW, f"next nonce {sender.nonce}, tx nonce {tx.nonce}"
        )
    if tx.nonce > sender.nonce:
        raise TransactionRejected(
            RejectReason.NONCE_GAP, f"next nonce {sender.nonce}, tx nonce {tx.nonce}"
        )
    if tx.nonce >= 2**64 - 1:
        raise TransactionRejected(RejectReason.NONCE_GAP, "nonce at its maximum")
    if sender.has_code:
        raise TransactionRejected(RejectReason.SENDER_HAS_CODE)
    cost = tx.gas * fee_cap + tx.value + l1_fee
    if sender.balance < cost:
        raise TransactionRejected(
            RejectReason.INSUFFICIENT_FUNDS,
            f"balance {sender.balance}, cost {cost} (l1 fee {l1_fee})",
        )
