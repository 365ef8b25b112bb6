"""Plain, immutable records of blocks, transactions, receipts and logs.

These are what the chain store persists and what every reader (JSON-RPC, derivation, the
batcher, tests) consumes. They hold decoded fields so that readers never need py-evm objects.
All hashes and addresses are raw ``bytes`` (32 and 20 bytes); quantities are ``int``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ZERO_HASH = b"\x00" * 32


@dataclass(frozen=True, slots=True)
class LogRecord:
    """One log as emitted, with its position in the chain."""

    address: bytes
    topics: tuple[bytes, ...]
    data: bytes
    block_number: int
    block_hash: bytes
    transaction_hash: bytes
    transaction_index: int
    log_index: int  # index within the block
    removed: bool = False


@dataclass(frozen=True, slots=True)
class TxRecord:
    """A transaction included in a block (or pending), decoded.

    ``type`` is 0 (legacy), 1, 2 or 0x7E (deposit). Fee fields that do not apply to a type are
    ``None`` (e.g. ``max_fee_per_gas`` on legacy). For deposits ``source_hash``, ``mint`` and
    ``is_system_tx`` are set, signature fields are 0 and ``nonce`` is the sender's nonce before
    execution (the deposit nonce).
    """

    hash: bytes
    type: int
    raw: bytes  # EIP-2718 encoding (legacy: the RLP list)
    sender: bytes
    to: bytes | None  # None = contract creation
    nonce: int
    gas: int
    value: int
    data: bytes
    chain_id: int | None
    gas_price: int | None  # legacy / type 1
    max_fee_per_gas: int | None  # type 2
    max_priority_fee_per_gas: int | None  # type 2
    access_list: tuple[tuple[bytes, tuple[int, ...]], ...] = ()
    v: int = 0
    r: int = 0
    s: int = 0
    source_hash: bytes | None = None
    mint: int | None = None
    is_system_tx: bool | None = None
    # position, when included
    block_number: int | None = None
    block_hash: bytes | None = None
    transaction_index: int | None = None


@dataclass(frozen=True, slots=True)
class ReceiptRecord:
    """The receipt of an included transaction, with the rollup's extra fields.

    ``l1_fee`` and friends are ``None`` for deposits (they pay no L1 fee) and on the L1 chain.
    ``deposit_nonce``/``deposit_receipt_version`` are set only for deposits.
    """

    transaction_hash: bytes
    transaction_index: int
    block_number: int
    block_hash: bytes
    type: int
    sender: bytes
    to: bytes | None
    status: int
    cumulative_gas_used: int
    gas_used: int
    effective_gas_price: int
    contract_address: bytes | None
    logs: tuple[LogRecord, ...]
    logs_bloom: bytes  # 256 bytes
    l1_fee: int | None = None
    l1_gas_used: int | None = None
    l1_gas_price: int | None = None
    l1_fee_scalar: int | None = None
    deposit_nonce: int | None = None
    deposit_receipt_version: int | None = None


@dataclass(frozen=True, slots=True)
class BlockRecord:
    """A sealed block: its header fields, hash, encoded header and transactions."""

    hash: bytes
    number: int
    parent_hash: bytes
    timestamp: int
    coinbase: bytes
    state_root: bytes
    transactions_root: bytes
    receipts_root: bytes
    logs_bloom: bytes
    gas_limit: int
    gas_used: int
    base_fee_per_gas: int
    extra_data: bytes
    mix_hash: bytes
    nonce: bytes
    difficulty: int
    withdrawals_root: bytes
    blob_gas_used: int
    excess_blob_gas: int
    parent_beacon_block_root: bytes
    uncles_hash: bytes
    size: int  # bytes of the RLP-encoded block
    header_rlp: bytes
    transactions: tuple[TxRecord, ...] = field(default=())
