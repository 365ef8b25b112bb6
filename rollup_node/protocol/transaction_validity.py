"""Validity of a user transaction at a position in a block (SPEC §3.1).

A user transaction is valid exactly when execution-specs' Cancun ``check_transaction`` accepts
it and its sender can pay ``gas·maxFee + value + l1Fee``. py-evm is looser on several of these
(balance including the L1 fee, fee ordering, sender code, the init-code word gas in the
intrinsic cost), so the node runs this check before handing a transaction to py-evm. The same
function serves the sequencer's intake (against the pending state) and block building.
"""

from __future__ import annotations

from dataclasses import dataclass

from eth.abc import SignedTransactionAPI

from rollup_node.chain.errors import RejectReason, TransactionRejected

SECP256K1N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
MAX_INIT_CODE_SIZE = 2 * 24576
INIT_CODE_WORD_GAS = 2
#: Largest raw transaction accepted, as geth's txpool (128 KiB).
MAX_TX_SIZE = 128 * 1024


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


def intrinsic_gas(tx: SignedTransactionAPI) -> int:
    """Cancun's intrinsic cost, including the init-code word gas of a creation."""
    cost = tx.intrinsic_gas
    if not tx.to:
        cost += INIT_CODE_WORD_GAS * ((len(tx.data) + 31) // 32)
    return cost


def max_fee_per_gas(tx: SignedTransactionAPI) -> int:
    """The most the sender pays per gas: ``maxFeePerGas`` or the legacy ``gasPrice``."""
    return tx.max_fee_per_gas if tx.type_id == 2 else tx.gas_price


def check_signature(tx: SignedTransactionAPI, chain_id: int) -> bytes:
    """Check chain id, EIP-155 (legacy) and a low-s signature; return the sender."""
    if tx.type_id is None and tx.v in (27, 28):
        raise TransactionRejected(
            RejectReason.WRONG_CHAIN_ID, "legacy transaction without EIP-155 chain id"
        )
    if tx.chain_id != chain_id:
        raise TransactionRejected(
            RejectReason.WRONG_CHAIN_ID, f"have {tx.chain_id}, want {chain_id}"
        )
    if not 0 < tx.r < SECP256K1N or not 0 < tx.s <= SECP256K1N // 2:
        raise TransactionRejected(RejectReason.BAD_SIGNATURE, "r or s out of range (s must be low)")
    try:
        return tx.sender
    except Exception as exc:  # eth-keys raises several types for unrecoverable signatures
        raise TransactionRejected(RejectReason.BAD_SIGNATURE, str(exc)) from exc


def check_transaction(
    tx: SignedTransactionAPI,
    raw_size: int,
    sender: SenderState,
    l1_fee: int,
    block: BlockContext,
) -> None:
    """Raise ``TransactionRejected`` unless ``tx`` is valid at this position (signature checked)."""
    if raw_size > MAX_TX_SIZE:
        raise TransactionRejected(RejectReason.OVERSIZED, f"{raw_size} bytes > {MAX_TX_SIZE}")
    if not tx.to and len(tx.data) > MAX_INIT_CODE_SIZE:
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
    fee_cap = max_fee_per_gas(tx)
    if tx.type_id == 2 and tx.max_priority_fee_per_gas > tx.max_fee_per_gas:
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
