"""The L1 data fee every non-deposit transaction pays (SPEC §3.4)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rollup_node.protocol.predeploys import L1_BLOCK, L1_BLOCK_BASEFEE_SLOT
from rollup_node.protocol.transaction_validity import calldata_gas

FEE_SCALAR_DECIMALS = 1_000_000


@dataclass(frozen=True, slots=True)
class L1FeeParams:
    """The consensus parameters of the fee and the L1 base fee the block's origin recorded."""

    l1_base_fee: int
    overhead: int
    scalar: int  # in millionths


def l1_fee_params(
    read_storage: Callable[[bytes, int], int], overhead: int, scalar: int
) -> L1FeeParams:
    """The fee's parameters at a point of a block: the consensus ``overhead`` and ``scalar``,
    and the L1 base fee the block's L1-info deposit stored in the L1Block predeploy
    (``read_storage(address, slot)`` of the state at that point). The one place that says
    where the fee's L1 base fee comes from: block building and the sequencer's intake."""
    return L1FeeParams(read_storage(L1_BLOCK, L1_BLOCK_BASEFEE_SLOT), overhead, scalar)


def l1_gas_used(raw_tx: bytes, overhead: int) -> int:
    """The L1 gas a transaction is charged for: the calldata gas of its signed EIP-2718
    encoding (the same rule as the intrinsic cost's) plus the fixed overhead."""
    return calldata_gas(raw_tx) + overhead


def l1_fee(raw_tx: bytes, params: L1FeeParams) -> int:
    """``(calldataGas + overhead) · l1BaseFee · scalar / 1,000,000``, integer division last."""
    return (
        l1_gas_used(raw_tx, params.overhead)
        * params.l1_base_fee
        * params.scalar
        // FEE_SCALAR_DECIMALS
    )
