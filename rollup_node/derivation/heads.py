"""Batch records and the safe and finalized heads (SPEC §6.6), kept in the L2 store.

For every derived batch the store holds ``D‖batchIndex → rlp([l1Number, l1Hash, lastL2Block,
queueIndexAfter])``: the L1 block the batch came from and the last L2 block it made. All inputs
of those blocks lie in that L1 block or before it, so the blocks stay valid exactly as long as
that L1 block stays canonical — which is what reorg handling checks. The record and the new safe
head are written in the same transaction as the batch's last block.
"""

from __future__ import annotations

from dataclasses import dataclass

import rlp

from rollup_node.chain.store import ChainStore

RECORD_PREFIX = b"D"


@dataclass(frozen=True, slots=True)
class BatchRecord:
    """Where a derived batch came from and how far it took the L2 chain."""

    batch_index: int
    l1_number: int
    l1_hash: bytes
    last_l2_block: int
    queue_index_after: int

    @property
    def key(self) -> bytes:
        """Its key in the store."""
        return RECORD_PREFIX + self.batch_index.to_bytes(8, "big")

    def encode(self) -> bytes:
        """Its value in the store."""
        return rlp.encode(
            [self.l1_number, self.l1_hash, self.last_l2_block, self.queue_index_after]
        )


def _decode(key: bytes, value: bytes) -> BatchRecord:
    l1_number, l1_hash, last, after = rlp.decode(value)
    return BatchRecord(
        int.from_bytes(key[1:], "big"),
        int.from_bytes(l1_number, "big"),
        l1_hash,
        int.from_bytes(last, "big"),
        int.from_bytes(after, "big"),
    )


class Heads:
    """The batch records and the safe/finalized heads of one L2 store."""

    def __init__(self, store: ChainStore) -> None:
        self.store = store
        self.records = [_decode(k, v) for k, v in store.scan(RECORD_PREFIX)]
        if store.safe_head() is None:
            store.write(store.head_writes(safe=self.safe, finalized=0))

    @property
    def safe(self) -> int:
        """The last L2 block derived from L1."""
        return self.records[-1].last_l2_block if self.records else 0

    @property
    def next_batch(self) -> int:
        """The index of the next batch to derive."""
        return self.records[-1].batch_index + 1 if self.records else 0

    def extras_for(self, record: BatchRecord) -> dict[bytes, bytes | None]:
        """The writes that record ``record`` and move the safe head (commit them with its
        last block), and remember it."""
        return {record.key: record.encode(), **self.store.head_writes(safe=record.last_l2_block)}

    def recorded(self, record: BatchRecord) -> None:
        """Note that ``record`` was written."""
        self.records.append(record)

    def truncate(self, keep: int) -> dict[bytes, bytes | None]:
        """Forget records after the first ``keep``; return the writes doing it."""
        dropped = self.records[keep:]
        self.records = self.records[:keep]
        writes: dict[bytes, bytes | None] = {r.key: None for r in dropped}
        finalized = self.store.finalized_head() or 0
        writes.update(self.store.head_writes(safe=self.safe, finalized=min(finalized, self.safe)))
        return writes

    def finalize(self, l1_finalized: int) -> int:
        """Move the finalized head to the last block derived from L1 blocks at or below
        ``l1_finalized``; return it."""
        finalized = 0
        for record in self.records:
            if record.l1_number > l1_finalized:
                break
            finalized = record.last_l2_block
        if finalized != (self.store.finalized_head() or 0):
            self.store.write(self.store.head_writes(finalized=finalized))
        return finalized
