"""The L1 data fee every non-deposit transaction pays (SPEC §3.4)."""

from __future__ import annotations

from dataclasses import dataclass

FEE_SCALAR_DECIMALS = 1_000_000


@dataclass(frozen=True, slots=True)
class L1FeeParams:
    """The consensus parameters of the fee and the L1 base fee the block's origin recorded."""

    l1_base_fee: int
    overhead: int
    scalar: int  # in millionths


def calldata_gas(raw_tx: bytes) -> int:
    """``4·zeroBytes + 16·nonZeroBytes`` of the signed EIP-2718 encoding."""
    zeros = raw_tx.count(0)
    return 4 * zeros + 16 * (len(raw_tx) - zeros)


def l1_gas_used(raw_tx: bytes, overhead: int) -> int:
    """The L1 gas a transaction is charged for: its calldata gas plus the fixed overhead."""
    return calldata_gas(raw_tx) + overhead


def l1_fee(raw_tx: bytes, params: L1FeeParams) -> int:
    """``(calldataGas + overhead) · l1BaseFee · scalar / 1,000,000``, integer division last."""
    return (
        l1_gas_used(raw_tx, params.overhead)
        * params.l1_base_fee
        * params.scalar
        // FEE_SCALAR_DECIMALS
    )
