"""py-evm's Cancun state, adapted to the rollup's execution rules (SPEC §3).

This is the only module that subclasses py-evm. It changes exactly what SPEC §3 changes:

- user transactions also pay the L1 data fee, deducted with the gas purchase and credited to
  the L1 fee vault after execution;
- deposit transactions (type 0x7E) mint, run with a zero gas price, and on failure keep only
  the mint and the nonce increment, using all their gas;
- there is no beacon-roots (EIP-4788) system contract on L2.

Both states execute with ``precompiles.RollupComputation`` (py-evm's Cancun computation with
the precompiles where py-evm departs from execution-specs corrected). The embedded L1 uses
``L1State``: plain Cancun otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass

from eth.abc import ComputationAPI, SignedTransactionAPI
from eth.constants import CREATE_CONTRACT_ADDRESS
from eth.vm.forks.cancun.state import CancunState, CancunTransactionExecutor
from eth.vm.forks.spurious_dragon.state import collect_touched_accounts
from eth.vm.message import Message

from rollup_node.chain.precompiles import RollupComputation
from rollup_node.protocol.addresses import create_address
from rollup_node.protocol.deposits import DEPOSIT_TX_TYPE, DepositTx
from rollup_node.protocol.l1_fee import L1FeeParams, l1_fee, l1_fee_params
from rollup_node.protocol.predeploys import L1_FEE_VAULT
from rollup_node.protocol.transaction_validity import (
    INIT_CODE_WORD_GAS,
    MAX_INIT_CODE_SIZE,
    intrinsic_gas_of,
)

MAX_REFUND_QUOTIENT = 5


@dataclass(frozen=True, slots=True)
class DepositOutcome:
    """What executing a deposit produced."""

    status: int
    gas_used: int
    logs: tuple[tuple[bytes, tuple[bytes, ...], bytes], ...]
    contract_address: bytes | None
    deposit_nonce: int


class _DepositAsTransaction:
    """The few transaction attributes py-evm's computation reads, for a deposit."""

    type_id = DEPOSIT_TX_TYPE
    access_list: tuple = ()
    gas_price = 0
    max_fee_per_gas = 0
    max_priority_fee_per_gas = 0

    def __init__(self, deposit: DepositTx) -> None:
        self.sender = deposit.sender
        self.to = deposit.to or CREATE_CONTRACT_ADDRESS


def deposit_intrinsic_gas(deposit: DepositTx) -> int:
    """Cancun's intrinsic gas of the deposit's call or creation (no access list)."""
    return intrinsic_gas_of(deposit.data, deposit.to is None)


class RollupTransactionExecutor(CancunTransactionExecutor):
    """Cancun's executor plus the L1 data fee (SPEC §3.4)."""

    vm_state: RollupState

    def build_evm_message(self, transaction: SignedTransactionAPI) -> Message:
        message = super().build_evm_message(transaction)
        self.vm_state.delta_balance(transaction.sender, -self.vm_state.l1_fee_of(transaction))
        return message

    def finalize_computation(
        self, transaction: SignedTransactionAPI, computation: ComputationAPI
    ) -> ComputationAPI:
        computation = super().finalize_computation(transaction, computation)
        fee = self.vm_state.l1_fee_of(transaction)
        if fee:
            self.vm_state.delta_balance(L1_FEE_VAULT, fee)
        return computation

    def apply_deposit(self, deposit: DepositTx) -> DepositOutcome:
        """Execute a deposit by SPEC §3.2."""
        state = self.vm_state
        if deposit.mint:
            state.delta_balance(deposit.sender, deposit.mint)
        deposit_nonce = state.get_nonce(deposit.sender)
        state.increment_nonce(deposit.sender)
        state.lock_changes()  # the mint and the nonce survive whatever follows

        contract_address = (
            create_address(deposit.sender, deposit_nonce) if deposit.to is None else None
        )
        intrinsic = deposit_intrinsic_gas(deposit)
        # Failures py-evm would raise instead of returning (as the C program checks them too).
        if (
            deposit.gas < intrinsic
            or state.get_balance(deposit.sender) < deposit.value
            or (deposit.to is None and len(deposit.data) > MAX_INIT_CODE_SIZE)
        ):
            return DepositOutcome(0, deposit.gas, (), None, deposit_nonce)

        # py-evm charges a creation's init-code word gas inside the create message itself, so
        # the message starts with the gas left after the rest of the intrinsic cost only.
        init_code_gas = (
            INIT_CODE_WORD_GAS * ((len(deposit.data) + 31) // 32) if deposit.to is None else 0
        )
        snapshot = state.snapshot()
        message = Message(
            gas=deposit.gas - intrinsic + init_code_gas,
            to=deposit.to or CREATE_CONTRACT_ADDRESS,
            sender=deposit.sender,
            value=deposit.value,
            data=b"" if deposit.to is None else deposit.data,
            code=deposit.data if deposit.to is None else state.get_code(deposit.to),
            create_address=contract_address,
        )
        computation = self.build_computation(message, _DepositAsTransaction(deposit))
        state.clear_transient_storage()
        if computation.is_error:
            state.revert(snapshot)
            return DepositOutcome(0, deposit.gas, (), None, deposit_nonce)
        state.commit(snapshot)
        consumed = deposit.gas - computation.get_gas_remaining()
        refund = min(computation.get_gas_refund(), consumed // MAX_REFUND_QUOTIENT)
        for account in computation.get_accounts_for_deletion():
            state.delete_account(account)
        for account in collect_touched_accounts(computation):  # EIP-161 state clearing
            if state.account_exists(account) and state.account_is_empty(account):
                state.delete_account(account)
        logs = tuple(
            (address, tuple(t.to_bytes(32, "big") for t in topics), data)
            for address, topics, data in computation.get_log_entries()
        )
        return DepositOutcome(1, consumed - refund, logs, contract_address, deposit_nonce)


class RollupState(CancunState):
    """Cancun state with the rollup's executor and no beacon-roots contract."""

    transaction_executor_class = RollupTransactionExecutor
    computation_class = RollupComputation

    #: The consensus fee parameters; set by the chain when it builds the state.
    l1_fee_overhead: int = 0
    l1_fee_scalar: int = 0

    def set_system_contracts(self) -> None:
        """L2 has no beacon chain and so no EIP-4788 contract."""

    def l1_fee_params(self) -> L1FeeParams:
        """The fee parameters, with the L1 base fee the L1-info deposit stored in L1Block."""
        return l1_fee_params(self.get_storage, self.l1_fee_overhead, self.l1_fee_scalar)

    def l1_fee_of(self, transaction: SignedTransactionAPI) -> int:
        """The L1 data fee of a user transaction at this point of the block."""
        return l1_fee(transaction.encode(), self.l1_fee_params())

    def apply_deposit(self, deposit: DepositTx) -> DepositOutcome:
        """Execute one deposit transaction."""
        executor = self.get_transaction_executor()
        if not isinstance(executor, RollupTransactionExecutor):  # a subclass changed the class
            raise TypeError(f"deposits need RollupTransactionExecutor, not {type(executor)}")
        return executor.apply_deposit(deposit)


class L1State(CancunState):
    """The embedded L1's state: plain Cancun."""

    computation_class = RollupComputation
