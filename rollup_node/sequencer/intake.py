"""Transaction intake: validate on arrival, queue in arrival order, never lose an accepted one.

There is no mempool. A transaction is checked against the pending state — the head's state
plus the transactions already queued (nonce and spending per sender) — by the validity rule of
SPEC §3.1, and either queued or rejected at once with the reason. An accepted transaction is
written to the chain database before its hash is returned, so a crash cannot lose it; the block
that includes it deletes it from the journal in the same atomic commit.

On the rollup (``max_batch_bytes`` given) a transaction longer than
``max_batch_bytes − SINGLE_TX_OVERHEAD`` is refused as ``oversized``: no block holding it could
ever fit a batch (SPEC §5), and ``fill`` stops at the first transaction the block's batch room
does not admit, so every block the sequencer seals can be batched.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

import structlog
from eth.abc import SignedTransactionAPI
from eth.constants import EMPTY_SHA3
from eth.db.account import AccountDB
from eth_hash.auto import keccak

from rollup_node.chain.builder import BlockBuilder
from rollup_node.chain.chain import Chain
from rollup_node.chain.records import BlockRecord, TxRecord
from rollup_node.chain.transactions import SignedUserTransaction, verify_user_transaction
from rollup_node.protocol.batch import SINGLE_TX_OVERHEAD
from rollup_node.protocol.errors import RejectReason, TransactionRejected
from rollup_node.protocol.l1_fee import L1FeeParams, l1_fee, l1_fee_params
from rollup_node.protocol.transaction_validity import BlockContext, SenderState, check_transaction
from rollup_node.sequencer.batch_room import BatchRoom

log = structlog.get_logger("intake")

JOURNAL_PREFIX = b"Q"
MAX_QUEUED = 100_000


@dataclass(frozen=True, slots=True)
class QueuedTx:
    """An accepted transaction waiting for a block."""

    seq: int
    verified: SignedUserTransaction  # decoded, signature checked, sender recovered (once)
    max_cost: int  # gas·maxFee + value + L1 fee at acceptance

    @property
    def raw(self) -> bytes:
        """The transaction as submitted."""
        return self.verified.raw

    @property
    def tx(self) -> SignedTransactionAPI:
        """The decoded transaction."""
        return self.verified.tx

    @property
    def sender(self) -> bytes:
        """The recovered sender."""
        return self.verified.sender

    @property
    def record(self) -> TxRecord:
        """Its record, before inclusion."""
        return self.verified.record

    @property
    def journal_key(self) -> bytes:
        """Where the journal keeps it."""
        return JOURNAL_PREFIX + self.seq.to_bytes(8, "big")


@dataclass(slots=True)
class Fill:
    """The outcome of filling one block from the queue."""

    included: list[bytes] = field(default_factory=list)
    dropped: list[tuple[bytes, RejectReason]] = field(default_factory=list)
    journal: dict[bytes, bytes | None] = field(default_factory=dict)


class Intake:
    """The sequencer's FIFO of validated transactions, journaled in the chain store.

    ``max_batch_bytes``: the rollup's batch limit (SPEC §5); None on a chain without batches
    (the embedded L1).
    """

    def __init__(
        self,
        chain: Chain,
        next_base_fee: Callable[[], int],
        max_batch_bytes: int | None = None,
    ) -> None:
        self._chain = chain
        self._next_base_fee = next_base_fee
        self.max_tx_bytes = (
            None if max_batch_bytes is None else max_batch_bytes - SINGLE_TX_OVERHEAD
        )
        self._lock = threading.Lock()
        self._queue: OrderedDict[bytes, QueuedTx] = OrderedDict()  # by hash, in arrival order
        self._next_nonce: dict[bytes, int] = {}
        self._spend: dict[bytes, int] = {}
        self._count: dict[bytes, int] = {}
        self._seq = 0
        self._view: tuple[BlockRecord, AccountDB, L1FeeParams] | None = None
        self._recover()

    def _recover(self) -> None:
        """Reload the journal after a restart, dropping what was included meanwhile (and what
        is no longer valid: e.g. oversized for the batch limit in force)."""
        for key, raw in self._chain.store.scan(JOURNAL_PREFIX):
            seq = int.from_bytes(key[1:], "big")
            self._seq = max(self._seq, seq + 1)
            try:
                self._accept(raw, seq, journal=False)
            except TransactionRejected as exc:
                if exc.reason != RejectReason.ALREADY_KNOWN:
                    log.warning(
                        "journaled transaction refused", tx=keccak(raw).hex(), reason=str(exc)
                    )
                self._chain.store.write({key: None})

    def __len__(self) -> int:
        return len(self._queue)

    # --- TransactionIntake ------------------------------------------------------------
    def submit(self, raw: bytes) -> bytes:
        """Validate and queue ``raw``; return its hash or raise ``TransactionRejected``."""
        with self._lock:
            if len(self._queue) >= MAX_QUEUED:
                raise TransactionRejected(RejectReason.QUEUE_FULL, f"{MAX_QUEUED} queued")
            seq = self._seq
            queued = self._accept(raw, seq, journal=True)
            self._seq += 1
            return queued.record.hash

    def queued(self, tx_hash: bytes) -> TxRecord | None:
        """A queued transaction by hash."""
        item = self._queue.get(tx_hash)
        return item.record if item else None

    def pending_nonce(self, address: bytes) -> int | None:
        """The next nonce of ``address`` if it has queued transactions."""
        return self._next_nonce.get(address)

    # --- block production -------------------------------------------------------------
    def snapshot(self) -> list[QueuedTx]:
        """The queued transactions, oldest first."""
        with self._lock:
            return list(self._queue.values())

    def remove(self, hashes: list[bytes]) -> None:
        """Forget transactions a committed block included or dropped."""
        with self._lock:
            for tx_hash in hashes:
                item = self._queue.pop(tx_hash, None)
                if item is None:
                    continue
                self._spend[item.sender] -= item.max_cost
                self._count[item.sender] -= 1
                if not self._count[item.sender]:
                    del self._next_nonce[item.sender], self._spend[item.sender]
                    del self._count[item.sender]

    def fill(self, builder: BlockBuilder, room: BatchRoom | None = None) -> Fill:
        """Apply queued transactions to ``builder`` in order while they fit in its gas and,
        given a ``room``, in the block's single-block batch (SPEC §5).

        A transaction that no longer fits stops the filling (the rest waits, in order); one
        that became invalid at its position is dropped. Returns what to remove from the queue
        and the journal deletions to commit with the block.
        """
        fill = Fill()
        for item in self.snapshot():
            if item.tx.gas > builder.gas_available:
                break
            if room is not None and not room.admits(item.raw):
                break
            try:
                builder.apply_transaction(item.raw, item.verified)  # not verified twice
                fill.included.append(item.record.hash)
                if room is not None:
                    room.add(item.raw)
            except TransactionRejected as exc:
                log.warning(
                    "dropping queued transaction", tx=item.record.hash.hex(), reason=str(exc)
                )
                fill.dropped.append((item.record.hash, exc.reason))
            fill.journal[item.journal_key] = None
        return fill

    def settle(self, fill: Fill) -> None:
        """Forget what a committed block included or dropped."""
        self.remove(fill.included + [h for h, _ in fill.dropped])

    def requeue_ahead(
        self,
        raws: list[bytes],
        rewind: Callable[[dict[bytes, bytes | None]], object],
    ) -> int:
        """Put ``raws`` (the user transactions of blocks being dropped, in block order) at the
        head of the queue, ahead of everything queued, and call ``rewind(journal)``, which must
        drop the blocks and write ``journal`` in the same atomic commit — a crash then leaves
        either the blocks or their journaled transactions, never neither.

        The queue is renumbered (the journal replays in key order) and re-validated on the
        rewound head; transactions no longer valid are refused and forgotten. Returns how many
        of the whole queue were refused.
        """
        with self._lock:
            queued = [item.raw for item in self._queue.values()]
            journal: dict[bytes, bytes | None] = {
                item.journal_key: None for item in self._queue.values()
            }
            for offset, raw in enumerate(raws + queued):
                key = JOURNAL_PREFIX + (self._seq + offset).to_bytes(8, "big")
                journal[key] = raw
            rewind(journal)
            before = len(raws) + len(queued)
            self._queue.clear()
            self._next_nonce.clear()
            self._spend.clear()
            self._count.clear()
            self._view = None
            self._recover()
            return before - len(self._queue)

    # --- validation -------------------------------------------------------------------
    def _head_view(self) -> tuple[BlockRecord, AccountDB, L1FeeParams]:
        """The head block, its state and fee parameters; reused until the head moves."""
        head = self._chain.head()
        view = self._view
        if view is None or view[0].hash != head.hash:
            accounts = AccountDB(self._chain.store.state_db(), head.state_root)
            fee_params = l1_fee_params(
                accounts.get_storage,
                self._chain.rules.l1_fee_overhead,
                self._chain.rules.l1_fee_scalar,
            )
            view = self._view = (head, accounts, fee_params)
        return view

    def _accept(self, raw: bytes, seq: int, journal: bool) -> QueuedTx:
        tx_hash = keccak(raw)
        if tx_hash in self._queue or self._chain.store.transaction_location(tx_hash):
            raise TransactionRejected(RejectReason.ALREADY_KNOWN)
        if self.max_tx_bytes is not None and len(raw) > self.max_tx_bytes:
            raise TransactionRejected(
                RejectReason.OVERSIZED,
                f"{len(raw)} bytes > {self.max_tx_bytes} (no batch could carry it)",
            )
        verified = verify_user_transaction(raw, self._chain.chain_id)
        tx, fields, sender = verified.tx, verified.fields, verified.sender
        head, accounts, fee_params = self._head_view()
        fee = l1_fee(raw, fee_params)
        pending_spend = self._spend.get(sender, 0)
        account = SenderState(
            nonce=self._next_nonce.get(sender, accounts.get_nonce(sender)),
            balance=max(0, accounts.get_balance(sender) - pending_spend),
            has_code=accounts.get_code_hash(sender) != EMPTY_SHA3,
        )
        context = BlockContext(self._chain.chain_id, self._next_base_fee(), head.gas_limit)
        check_transaction(fields, len(raw), account, fee, context)
        cost = tx.gas * fields.max_fee_per_gas + tx.value + fee
        item = QueuedTx(seq, verified, cost)
        if journal:
            self._chain.store.write({item.journal_key: raw})
        self._queue[tx_hash] = item
        self._next_nonce[sender] = tx.nonce + 1
        self._spend[sender] = pending_spend + cost
        self._count[sender] = self._count.get(sender, 0) + 1
        return item
