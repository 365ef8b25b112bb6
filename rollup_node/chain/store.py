"""The durable chain store: LMDB, one atomic write transaction per block.

Layout (one LMDB environment, two sub-databases):

``state``  py-evm trie nodes and contract code, keyed by their keccak hash.
``chain``  ``H‖number`` → canonical block hash; ``B‖hash`` → block body; ``R‖hash`` → receipts;
           ``T‖txhash`` → (number, index); ``M‖name`` → metadata (head, safe, finalized, …);
           plus keys written by services in the same transaction as the block (``extras``);
           ``L…`` the log index (``log_index.py``), written and rewound with the blocks.

``commit_block`` writes the block's staged state, its body, receipts, indexes, the new head
and any extras in a single transaction, synced to disk before it returns: after a crash the
database holds every committed block and nothing of a half-written one.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Collection, Iterable, Iterator, Sequence
from functools import lru_cache
from pathlib import Path

import lmdb
import rlp
from eth.vm.forks.cancun.blocks import CancunBlockHeader

from rollup_node.chain import log_index
from rollup_node.chain.errors import StoreCorrupted
from rollup_node.chain.records import BlockRecord, LogRecord, ReceiptRecord, TxRecord
from rollup_node.chain.statedb import StagedStateDB
from rollup_node.chain.transactions import record_from_raw

SCHEMA_VERSION = b"1"
MAP_SIZE = 1 << 40  # address space only; the file grows as data is written
#: The safe and finalized L2 heads (SPEC §6.6). The store owns its whole key space: services
#: read these through ``safe_head``/``finalized_head`` and write them through ``head_writes``.
SAFE_KEY = b"Msafe"
FINALIZED_KEY = b"Mfinalized"


def _num(n: int) -> bytes:
    return n.to_bytes(8, "big")


def _opt(value: int | None) -> list[int]:
    return [] if value is None else [value]


def _unopt(item: list[bytes]) -> int | None:
    return rlp.sedes.big_endian_int.deserialize(item[0]) if item else None


def _int(item: bytes) -> int:
    return int.from_bytes(item, "big")


class ChainStore:
    """Blocks, receipts, indexes and state of one chain, in an LMDB environment at ``path``."""

    def __init__(self, path: str | os.PathLike[str], readonly: bool = False) -> None:
        """Open (or create) the store at ``path``.

        ``readonly`` opens an existing store for reading only, beside the process that writes
        it (LMDB serves any number of reader processes): a worker process that runs calls
        (``chain/call_process.py``) sees each block as soon as its commit returns.
        """
        self.path = Path(path)
        self._readonly = readonly
        if not readonly:
            self.path.mkdir(parents=True, exist_ok=True)
        # Commits are not fsynced one by one: a write transaction is safe against a crash of
        # the process as soon as it commits (the OS holds the pages), and ``commit_block``
        # forces everything to disk before a block counts as done — one fsync per block, not
        # per journaled transaction.
        self._env = lmdb.open(
            str(path),
            map_size=MAP_SIZE,
            max_dbs=4,
            max_readers=1024,
            sync=False,
            metasync=False,
            readahead=False,
            readonly=readonly,
            create=not readonly,
        )
        self._state_dbi = self._env.open_db(b"state", create=not readonly)
        self._chain_dbi = self._env.open_db(b"chain", create=not readonly)
        self._write_lock = threading.Lock()
        version = self.get_meta(b"schema")
        if readonly:
            if version != SCHEMA_VERSION:
                raise StoreCorrupted(
                    f"database schema {version!r}, this node reads {SCHEMA_VERSION!r}"
                )
        elif version is None:
            # A new store: every block it will hold is indexed as it is committed.
            self.write(
                {b"Mschema": SCHEMA_VERSION, log_index.COMPLETE_META: log_index.COMPLETE_VALUE},
                sync=True,
            )
        elif version != SCHEMA_VERSION:
            raise StoreCorrupted(
                f"database schema {version!r}, this node writes {SCHEMA_VERSION!r}"
            )
        self._block_cache = lru_cache(maxsize=256)(self._load_block)
        self._logs_cache = lru_cache(maxsize=4096)(self._load_block_logs)
        if not readonly and self._get(log_index.COMPLETE_META) != log_index.COMPLETE_VALUE:
            self._build_log_index()

    def close(self) -> None:
        """Flush and close the environment."""
        if not self._readonly:
            self._env.sync(True)
        self._env.close()

    def clear_stale_readers(self) -> int:
        """Free the reader slots of processes that ended without closing the store (a call
        worker killed at its deadline): a stale slot pins an old snapshot, whose pages LMDB
        could then never reuse. Returns how many were freed."""
        return self._env.reader_check()

    def state_db(self) -> StagedStateDB:
        """A fresh staged view of the state database (for building a block or a call)."""
        return StagedStateDB(self._env, self._state_dbi)

    # --- metadata ------------------------------------------------------------------------
    def get_meta(self, name: bytes) -> bytes | None:
        """A metadata value, or ``None``."""
        return self._get(b"M" + name)

    def put_meta(self, name: bytes, value: bytes) -> None:
        """Write one metadata value, synced to disk."""
        self.write({b"M" + name: value}, sync=True)

    def safe_head(self) -> int | None:
        """The safe L2 head derivation recorded, or ``None`` before derivation has run."""
        raw = self._get(SAFE_KEY)
        return None if raw is None else _int(raw)

    def finalized_head(self) -> int | None:
        """The finalized L2 head derivation recorded, or ``None`` before derivation has run."""
        raw = self._get(FINALIZED_KEY)
        return None if raw is None else _int(raw)

    @staticmethod
    def head_writes(
        safe: int | None = None, finalized: int | None = None
    ) -> dict[bytes, bytes | None]:
        """The writes that set the safe and/or finalized head (committed by the caller, with
        the block or batch record they belong to)."""
        writes: dict[bytes, bytes | None] = {}
        if safe is not None:
            writes[SAFE_KEY] = _num(safe)
        if finalized is not None:
            writes[FINALIZED_KEY] = _num(finalized)
        return writes

    def get(self, key: bytes) -> bytes | None:
        """A raw value of the chain database (for services' own keys)."""
        return self._get(key)

    def scan(self, prefix: bytes) -> Iterator[tuple[bytes, bytes]]:
        """All (key, value) pairs under ``prefix``, in key order."""
        with self._env.begin(db=self._chain_dbi, buffers=False) as txn:
            cursor = txn.cursor()
            if not cursor.set_range(prefix):
                return
            items = []
            for key, value in cursor:
                if not key.startswith(prefix):
                    break
                items.append((key, value))
        yield from items

    def write(self, items: dict[bytes, bytes | None], sync: bool = False) -> None:
        """Write (or, for ``None``, delete) chain-database keys in one transaction.

        Committed data survives a crash of the process at once; ``sync`` also forces it to
        disk (against power loss) before returning — block commits always do.
        """
        with self._write_lock, self._env.begin(write=True, db=self._chain_dbi) as txn:
            for key, value in items.items():
                if value is None:
                    txn.delete(key)
                else:
                    txn.put(key, value)
        if sync:
            self._env.sync(True)

    def _get(self, key: bytes) -> bytes | None:
        with self._env.begin(db=self._chain_dbi, buffers=False) as txn:
            return txn.get(key)

    # --- heads ---------------------------------------------------------------------------
    def head_number(self) -> int | None:
        """The number of the canonical head, or ``None`` for an empty store."""
        raw = self.get_meta(b"head")
        return None if raw is None else _int(raw)

    def canonical_hash(self, number: int) -> bytes | None:
        """The hash of canonical block ``number``."""
        return self._get(b"H" + _num(number))

    # --- blocks --------------------------------------------------------------------------
    def block_by_hash(self, block_hash: bytes) -> BlockRecord | None:
        """A stored block (canonical or not) by hash."""
        return self._block_cache(bytes(block_hash))

    def block_by_number(self, number: int) -> BlockRecord | None:
        """The canonical block ``number``."""
        block_hash = self.canonical_hash(number)
        return None if block_hash is None else self.block_by_hash(block_hash)

    def _load_block(self, block_hash: bytes) -> BlockRecord | None:
        raw = self._get(b"B" + block_hash)
        if raw is None:
            return None
        header_rlp, txs, size = rlp.decode(raw)
        header = rlp.decode(header_rlp, CancunBlockHeader)
        if header.hash != block_hash:
            raise StoreCorrupted(f"block {block_hash.hex()} stored under a wrong hash")
        number = header.block_number
        transactions = tuple(
            record_from_raw(tx_raw, sender, _int(nonce), (number, block_hash, index))
            for index, (tx_raw, sender, nonce) in enumerate(txs)
        )
        return block_record(header, transactions, _int(size))

    def receipts(self, block_hash: bytes) -> tuple[ReceiptRecord, ...]:
        """The receipts of a stored block, in transaction order."""
        raw = self._get(b"R" + block_hash)
        block = self.block_by_hash(block_hash)
        if raw is None or block is None:
            return ()
        return decode_receipts(raw, block)

    def transaction_location(self, tx_hash: bytes) -> tuple[int, int] | None:
        """``(block number, index)`` of a canonical transaction."""
        raw = self._get(b"T" + tx_hash)
        if raw is None:
            return None
        number, index = rlp.decode(raw)
        return _int(number), _int(index)

    # --- log index -----------------------------------------------------------------------
    def log_block_numbers(
        self,
        from_block: int,
        to_block: int,
        addresses: Collection[bytes],
        topics: Sequence[Collection[bytes] | None],
    ) -> list[int]:
        """Canonical blocks in the range that may hold a matching log (``log_index``)."""
        with self._env.begin(db=self._chain_dbi, buffers=False) as txn:
            return log_index.candidate_blocks(
                txn, self._chain_dbi, from_block, to_block, addresses, topics
            )

    def block_logs(self, number: int) -> tuple[LogRecord, ...] | None:
        """Every log of canonical block ``number`` (``None`` if there is no such block).

        Decoded logs are cached by block hash (a block's logs never change; RLP decoding is
        most of a log query's cost, and indexers repeat their queries).
        """
        block_hash = self.canonical_hash(number)
        return None if block_hash is None else self._logs_cache(block_hash, number)

    def _load_block_logs(self, block_hash: bytes, number: int) -> tuple[LogRecord, ...]:
        with self._env.begin(db=self._chain_dbi, buffers=False) as txn:
            body = txn.get(b"B" + block_hash)
            receipts = txn.get(b"R" + block_hash)
        if body is None or receipts is None:
            raise StoreCorrupted(f"canonical block {number} has no body or receipts")
        return tuple(log_index.decode_block_logs(number, block_hash, body, receipts))

    def _build_log_index(self, blocks_per_txn: int = 1000) -> None:
        """Index every canonical block of a store written before the index existed.

        Runs once, when such a store is opened; entries are idempotent, so a crash part-way
        only means the next start does it again. Nothing else writes meanwhile (the store is
        being opened).
        """
        head = self.head_number()
        for start in range(0, (head or 0) + 1, blocks_per_txn):
            numbers = range(start, min(start + blocks_per_txn, (head or 0) + 1))
            found = [(n, b) for n in numbers if (b := self.block_by_number(n)) is not None]
            entries = [(n, self.receipts(b.hash)) for n, b in found]
            with self._write_lock, self._env.begin(write=True, db=self._chain_dbi) as txn:
                for number, receipts in entries:
                    log_index.put_block(txn, self._chain_dbi, number, receipts)
        self.write({log_index.COMPLETE_META: log_index.COMPLETE_VALUE}, sync=True)

    # --- commits -------------------------------------------------------------------------
    def commit_block(
        self,
        block: BlockRecord,
        receipts: tuple[ReceiptRecord, ...],
        state_items: dict[bytes, bytes | None],
        extras: dict[bytes, bytes | None] | None = None,
    ) -> None:
        """Make ``block`` the new canonical head, with its state and extras, atomically."""
        body = rlp.encode(
            [
                block.header_rlp,
                [[tx.raw, tx.sender, tx.nonce] for tx in block.transactions],
                block.size,
            ]
        )
        # A block replacing another at its height (without a rewind first) takes its place
        # in the log index too.
        replaced_hash = self.canonical_hash(block.number)
        replaced = (
            self.receipts(replaced_hash)
            if replaced_hash is not None and replaced_hash != block.hash
            else ()
        )
        with self._write_lock, self._env.begin(write=True) as txn:
            for key, value in state_items.items():
                if value is None:
                    txn.delete(key, db=self._state_dbi)
                else:
                    txn.put(key, value, db=self._state_dbi)
            chain = self._chain_dbi
            log_index.delete_block(txn, chain, block.number, replaced)
            log_index.put_block(txn, chain, block.number, receipts)
            txn.put(b"B" + block.hash, body, db=chain)
            txn.put(b"R" + block.hash, encode_receipts(receipts), db=chain)
            txn.put(b"H" + _num(block.number), block.hash, db=chain)
            for index, tx in enumerate(block.transactions):
                txn.put(b"T" + tx.hash, rlp.encode([block.number, index]), db=chain)
            txn.put(b"Mhead", _num(block.number), db=chain)
            for key, value in (extras or {}).items():
                if value is None:
                    txn.delete(key, db=chain)
                else:
                    txn.put(key, value, db=chain)
        self._env.sync(True)

    def rewind_to(
        self, number: int, extras: dict[bytes, bytes | None] | None = None
    ) -> list[BlockRecord]:
        """Drop canonical blocks above ``number`` (an L1 reorg); return them, oldest first."""
        head = self.head_number()
        if head is None or number >= head:
            return []
        dropped = [b for n in range(number + 1, head + 1) if (b := self.block_by_number(n))]
        dropped_receipts = [self.receipts(block.hash) for block in dropped]
        with self._write_lock, self._env.begin(write=True, db=self._chain_dbi) as txn:
            for block, receipts in zip(dropped, dropped_receipts, strict=True):
                log_index.delete_block(txn, self._chain_dbi, block.number, receipts)
                txn.delete(b"H" + _num(block.number))
                for tx in block.transactions:
                    txn.delete(b"T" + tx.hash)
            txn.put(b"Mhead", _num(number))
            for key, value in (extras or {}).items():
                if value is None:
                    txn.delete(key)
                else:
                    txn.put(key, value)
        self._env.sync(True)
        return dropped

    def canonical_hashes(self, numbers: Iterable[int]) -> list[bytes]:
        """Canonical hashes of several blocks in one read transaction (missing ones skipped)."""
        with self._env.begin(db=self._chain_dbi, buffers=False) as txn:
            found = (txn.get(b"H" + _num(n)) for n in numbers)
            return [h for h in found if h is not None]


def block_record(
    header: CancunBlockHeader, transactions: tuple[TxRecord, ...], size: int
) -> BlockRecord:
    """The record of a block from its py-evm header and its transactions' records."""
    return BlockRecord(
        hash=header.hash,
        number=header.block_number,
        parent_hash=header.parent_hash,
        timestamp=header.timestamp,
        coinbase=header.coinbase,
        state_root=header.state_root,
        transactions_root=header.transaction_root,
        receipts_root=header.receipt_root,
        logs_bloom=header.bloom.to_bytes(256, "big"),
        gas_limit=header.gas_limit,
        gas_used=header.gas_used,
        base_fee_per_gas=header.base_fee_per_gas,
        extra_data=header.extra_data,
        mix_hash=header.mix_hash,
        nonce=header.nonce,
        difficulty=header.difficulty,
        withdrawals_root=header.withdrawals_root,
        blob_gas_used=header.blob_gas_used,
        excess_blob_gas=header.excess_blob_gas,
        parent_beacon_block_root=header.parent_beacon_block_root,
        uncles_hash=header.uncles_hash,
        size=size,
        header_rlp=rlp.encode(header),
        transactions=transactions,
    )


def encode_receipts(receipts: tuple[ReceiptRecord, ...]) -> bytes:
    """Serialize receipts with every field the RPC serves (not the consensus encoding)."""
    return rlp.encode(
        [
            [
                r.type,
                r.status,
                r.cumulative_gas_used,
                r.gas_used,
                r.effective_gas_price,
                r.contract_address or b"",
                [[log.address, list(log.topics), log.data] for log in r.logs],
                r.logs_bloom,
                _opt(r.l1_fee),
                _opt(r.l1_gas_used),
                _opt(r.l1_gas_price),
                _opt(r.l1_fee_scalar),
                _opt(r.deposit_nonce),
                _opt(r.deposit_receipt_version),
            ]
            for r in receipts
        ]
    )


def decode_receipts(raw: bytes, block: BlockRecord) -> tuple[ReceiptRecord, ...]:
    """The inverse of ``encode_receipts``, positioned in ``block``."""
    out = []
    log_index = 0
    for index, item in enumerate(rlp.decode(raw)):
        tx = block.transactions[index]
        logs = []
        for address, topics, data in item[6]:
            logs.append(
                LogRecord(
                    address,
                    tuple(topics),
                    data,
                    block.number,
                    block.hash,
                    tx.hash,
                    index,
                    log_index,
                )
            )
            log_index += 1
        out.append(
            ReceiptRecord(
                transaction_hash=tx.hash,
                transaction_index=index,
                block_number=block.number,
                block_hash=block.hash,
                type=_int(item[0]),
                sender=tx.sender,
                to=tx.to,
                status=_int(item[1]),
                cumulative_gas_used=_int(item[2]),
                gas_used=_int(item[3]),
                effective_gas_price=_int(item[4]),
                contract_address=item[5] or None,
                logs=tuple(logs),
                logs_bloom=item[7],
                l1_fee=_unopt(item[8]),
                l1_gas_used=_unopt(item[9]),
                l1_gas_price=_unopt(item[10]),
                l1_fee_scalar=_unopt(item[11]),
                deposit_nonce=_unopt(item[12]),
                deposit_receipt_version=_unopt(item[13]),
            )
        )
    return tuple(out)
