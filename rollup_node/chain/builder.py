"""Executing an ordered list of transactions on a parent state into a sealed block.

One ``BlockBuilder`` builds one block. Transactions are applied one at a time, each checked
first by the validity rule of SPEC §3.1 (a rejected transaction leaves the state untouched);
trie roots, the bloom and the header are computed once, when the block is sealed — not after
every transaction as py-evm's ``MiningChain`` does — and the transaction and receipt tries are
built bottom-up (``chain/trie_root.py``), one encode and one hash per node. Synchronous and
CPU-bound: services run it in a worker thread.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import rlp
from eth.constants import BLANK_ROOT_HASH, EMPTY_SHA3, EMPTY_UNCLE_HASH
from eth.vm.execution_context import ExecutionContext
from eth.vm.forks.cancun import CancunVM
from eth.vm.forks.cancun.blocks import CancunBlockHeader
from eth_hash.auto import keccak

from rollup_node.chain.errors import ExecutionFault
from rollup_node.chain.records import BlockRecord, LogRecord, ReceiptRecord, TxRecord
from rollup_node.chain.statedb import StagedStateDB
from rollup_node.chain.store import block_record
from rollup_node.chain.transactions import (
    SignedUserTransaction,
    deposit_tx_record,
    verify_user_transaction,
)
from rollup_node.chain.trie_root import ordered_trie_root
from rollup_node.chain.vm import L1State, RollupState
from rollup_node.protocol.addresses import create_address
from rollup_node.protocol.deposits import DEPOSIT_TX_TYPE, DepositTx
from rollup_node.protocol.l1_fee import l1_gas_used
from rollup_node.protocol.receipts import DEPOSIT_RECEIPT_VERSION, encode_receipt, logs_bloom
from rollup_node.protocol.transaction_validity import (
    BlockContext,
    SenderState,
    check_transaction,
)

ZERO32 = b"\x00" * 32


@dataclass(frozen=True, slots=True)
class ChainRules:
    """What differs between the L2 chain and the embedded L1: chain id, VM state, L1 fee."""

    chain_id: int
    is_rollup: bool
    l1_fee_overhead: int = 0
    l1_fee_scalar: int = 0


@dataclass(frozen=True, slots=True)
class BlockEnv:
    """The header fields fixed before execution."""

    number: int
    timestamp: int
    parent_hash: bytes
    coinbase: bytes
    gas_limit: int
    base_fee: int
    mix_hash: bytes
    prev_hashes: tuple[bytes, ...] = ()  # most recent first, at most 256, for BLOCKHASH
    extra_data: bytes = b""

    def execution_context(self, chain_id: int, gas_limit: int | None = None) -> ExecutionContext:
        """py-evm's view of this environment (no difficulty, no blobs: SPEC §3.5); the one
        place a ``BlockEnv`` becomes an ``ExecutionContext``, for building and for calls.
        ``gas_limit`` overrides the block's (a call may ask for more gas than a block has)."""
        return ExecutionContext(
            coinbase=self.coinbase,
            timestamp=self.timestamp,
            block_number=self.number,
            difficulty=0,
            mix_hash=self.mix_hash,
            gas_limit=self.gas_limit if gas_limit is None else gas_limit,
            prev_hashes=self.prev_hashes,
            chain_id=chain_id,
            base_fee_per_gas=self.base_fee,
            excess_blob_gas=0,
        )


@dataclass(frozen=True, slots=True)
class GenesisAccount:
    """One account of a genesis alloc."""

    balance: int = 0
    nonce: int = 0
    code: bytes = b""
    storage: dict[int, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SealedBlock:
    """A built block, its receipts, and the state writes to commit with it."""

    block: BlockRecord
    receipts: tuple[ReceiptRecord, ...]
    state_items: dict[bytes, bytes | None]


@dataclass(slots=True)
class _Applied:
    """A transaction applied to the block, before the block hash is known."""

    tx: TxRecord
    status: int
    gas_used: int
    cumulative_gas_used: int
    effective_gas_price: int
    contract_address: bytes | None
    logs: tuple[tuple[bytes, tuple[bytes, ...], bytes], ...]
    l1_fee: int | None = None
    l1_gas_used: int | None = None
    l1_gas_price: int | None = None
    deposit_nonce: int | None = None


class BlockBuilder:
    """Builds one block on top of ``parent_state_root``."""

    def __init__(
        self, rules: ChainRules, state_db: StagedStateDB, parent_state_root: bytes, env: BlockEnv
    ) -> None:
        self.rules = rules
        self.env = env
        self._db = state_db
        state_class = RollupState if rules.is_rollup else L1State
        context = env.execution_context(rules.chain_id)
        self.state = state_class(state_db, context, parent_state_root)
        if isinstance(self.state, RollupState):
            self.state.l1_fee_overhead = rules.l1_fee_overhead
            self.state.l1_fee_scalar = rules.l1_fee_scalar
        self._applied: list[_Applied] = []
        self.gas_used = 0

    @property
    def gas_available(self) -> int:
        """Gas left in the block."""
        return self.env.gas_limit - self.gas_used

    @property
    def transaction_count(self) -> int:
        """Transactions applied so far."""
        return len(self._applied)

    # --- genesis -------------------------------------------------------------------------
    def set_account(self, address: bytes, account: GenesisAccount) -> None:
        """Write an account directly (genesis alloc only)."""
        self.state.set_balance(address, account.balance)
        self.state.set_nonce(address, account.nonce)
        if account.code:
            self.state.set_code(address, account.code)
        for slot, value in account.storage.items():
            self.state.set_storage(address, slot, value)

    # --- transactions --------------------------------------------------------------------
    def apply_deposit(self, deposit: DepositTx) -> None:
        """Execute a deposit (SPEC §3.2); deposits always fit (derivation bounds their gas)."""
        if not isinstance(self.state, RollupState):
            raise TypeError("deposits exist only on the rollup chain")
        self.state.lock_changes()
        outcome = self.state.apply_deposit(deposit)
        self.gas_used += outcome.gas_used
        self._applied.append(
            _Applied(
                tx=deposit_tx_record(deposit, outcome.deposit_nonce),
                status=outcome.status,
                gas_used=outcome.gas_used,
                cumulative_gas_used=self.gas_used,
                effective_gas_price=0,
                contract_address=outcome.contract_address,
                logs=outcome.logs,
                deposit_nonce=outcome.deposit_nonce,
            )
        )

    def check_user_transaction(
        self, raw: bytes, verified: SignedUserTransaction | None = None
    ) -> tuple[SignedUserTransaction, int]:
        """Validate a user transaction at this position (SPEC §3.1); return it and its L1 fee.

        ``verified``: the position-independent checks already passed for this chain (the
        sequencer's intake ran them on arrival), so decoding and sender recovery run once per
        transaction; the checks against the state at this position always run here.
        """
        if verified is None or verified.chain_id != self.rules.chain_id:
            verified = verify_user_transaction(raw, self.rules.chain_id)
        tx, fields, sender = verified.tx, verified.fields, verified.sender
        state = self.state
        fee = state.l1_fee_of(tx) if isinstance(state, RollupState) else 0
        account = SenderState(
            nonce=state.get_nonce(sender),
            balance=state.get_balance(sender),
            has_code=state.get_code_hash(sender) != EMPTY_SHA3,
        )
        context = BlockContext(self.rules.chain_id, self.env.base_fee, self.gas_available)
        check_transaction(fields, len(raw), account, fee, context)
        return verified, fee

    def apply_transaction(
        self, raw: bytes, verified: SignedUserTransaction | None = None
    ) -> TxRecord:
        """Apply a user transaction, or raise ``TransactionRejected`` leaving state untouched
        if it is not valid at this position (SPEC §3.1; derivation then drops it, §6 rule 4).

        Any failure once the rule has accepted it raises ``ExecutionFault`` (halt): the rule
        covers every check py-evm makes, and the fault-proof program executes whatever the
        rule accepts, so py-evm raising here is a database error or a bug, never a verdict.
        """
        verified, fee = self.check_user_transaction(raw, verified)
        tx, sender = verified.tx, verified.sender
        state = self.state
        state.lock_changes()
        try:
            computation = state.apply_transaction(tx)
        except Exception as exc:  # whatever py-evm or the store raise: see the docstring
            raise ExecutionFault(
                f"applying transaction 0x{keccak(raw).hex()} in block {self.env.number} failed "
                f"after it passed the validity rule: {type(exc).__name__}: {exc}"
            ) from exc
        gas_used = CancunVM.finalize_gas_used(tx, computation)
        self.gas_used += gas_used
        record = verified.record
        params = state.l1_fee_params() if isinstance(state, RollupState) else None
        self._applied.append(
            _Applied(
                tx=record,
                status=0 if computation.is_error else 1,
                gas_used=gas_used,
                cumulative_gas_used=self.gas_used,
                effective_gas_price=state.get_gas_price(tx),
                contract_address=None if tx.to else create_address(sender, tx.nonce),
                logs=tuple(
                    (address, tuple(t.to_bytes(32, "big") for t in topics), data)
                    for address, topics, data in computation.get_log_entries()
                ),
                l1_fee=fee if params else None,
                l1_gas_used=l1_gas_used(raw, params.overhead) if params else None,
                l1_gas_price=params.l1_base_fee if params else None,
            )
        )
        return record

    # --- sealing -------------------------------------------------------------------------
    def seal(self) -> SealedBlock:
        """Persist the state into the staging layer and assemble header, block and receipts."""
        self.state.persist()
        encoded_receipts = []
        blooms = []
        for applied in self._applied:
            bloom = logs_bloom(applied.logs)
            blooms.append(bloom)
            encoded_receipts.append(
                encode_receipt(
                    applied.tx.type,
                    applied.status,
                    applied.cumulative_gas_used,
                    bloom,
                    applied.logs,
                    applied.deposit_nonce,
                )
            )
        block_bloom = 0
        for bloom in blooms:
            block_bloom |= int.from_bytes(bloom, "big")
        raws = [a.tx.raw for a in self._applied]
        env = self.env
        header = CancunBlockHeader(
            parent_hash=env.parent_hash,
            uncles_hash=EMPTY_UNCLE_HASH,
            coinbase=env.coinbase,
            state_root=self.state.state_root,
            transaction_root=ordered_trie_root(raws),
            receipt_root=ordered_trie_root(encoded_receipts),
            bloom=block_bloom,
            difficulty=0,
            block_number=env.number,
            gas_limit=env.gas_limit,
            gas_used=self.gas_used,
            timestamp=env.timestamp,
            extra_data=env.extra_data,
            mix_hash=env.mix_hash,
            nonce=b"\x00" * 8,
            base_fee_per_gas=env.base_fee,
            withdrawals_root=BLANK_ROOT_HASH,
            blob_gas_used=0,
            excess_blob_gas=0,
            parent_beacon_block_root=ZERO32,
        )
        header_rlp = rlp.encode(header)
        block_hash = keccak(header_rlp)
        size = block_size(header_rlp, raws)
        txs = tuple(
            _positioned(a.tx, env.number, block_hash, i) for i, a in enumerate(self._applied)
        )
        block = block_record(header, txs, size)
        receipts = []
        first_log_index = 0
        for index, applied in enumerate(self._applied):
            receipts.append(self._receipt(applied, index, block, blooms[index], first_log_index))
            first_log_index += len(applied.logs)
        return SealedBlock(block, tuple(receipts), self._db.take_staged())

    def _receipt(
        self, applied: _Applied, index: int, block: BlockRecord, bloom: bytes, first_log_index: int
    ) -> ReceiptRecord:
        tx = block.transactions[index]
        logs = tuple(
            LogRecord(
                address, topics, data, block.number, block.hash, tx.hash, index, first_log_index + i
            )
            for i, (address, topics, data) in enumerate(applied.logs)
        )
        is_deposit = applied.tx.type == DEPOSIT_TX_TYPE
        return ReceiptRecord(
            transaction_hash=tx.hash,
            transaction_index=index,
            block_number=block.number,
            block_hash=block.hash,
            type=tx.type,
            sender=tx.sender,
            to=tx.to,
            status=applied.status,
            cumulative_gas_used=applied.cumulative_gas_used,
            gas_used=applied.gas_used,
            effective_gas_price=applied.effective_gas_price,
            contract_address=applied.contract_address,
            logs=logs,
            logs_bloom=bloom,
            l1_fee=applied.l1_fee,
            l1_gas_used=applied.l1_gas_used,
            l1_gas_price=applied.l1_gas_price,
            l1_fee_scalar=self.rules.l1_fee_scalar if applied.l1_fee is not None else None,
            deposit_nonce=applied.deposit_nonce,
            deposit_receipt_version=DEPOSIT_RECEIPT_VERSION if is_deposit else None,
        )


def _positioned(tx: TxRecord, number: int, block_hash: bytes, index: int) -> TxRecord:
    return replace(tx, block_number=number, block_hash=block_hash, transaction_index=index)


def _list_length(payload: int) -> int:
    if payload < 56:
        return 1 + payload
    return 1 + (payload.bit_length() + 7) // 8 + payload


def block_size(header_rlp: bytes, raw_txs: list[bytes]) -> int:
    """Bytes of ``rlp([header, transactions, uncles, withdrawals])`` without building it."""
    txs_payload = 0
    for raw in raw_txs:
        if raw[0] >= 0xC0:  # legacy: already an RLP list
            txs_payload += len(raw)
        else:  # typed: carried as a byte string
            txs_payload += len(rlp.encode(raw))
    payload = len(header_rlp) + _list_length(txs_payload) + 1 + 1
    return _list_length(payload)
