"""The batch room of a block being filled: SPEC §5, "Every block must fit in a batch".

A block the sequencer builds must fit a batch on its own:
``0x00 ‖ rlp([[l1OriginNumber, numDeposits, txs]])`` at most ``max_batch_bytes``. The producer
asks ``admits`` before each queued transaction and seals the block when the answer is no (the
transaction waits, in order, for the next block). The size is kept incrementally — the
transactions' RLP lengths summed, the prefixes computed by ``rollup_node.protocol.batch``, the
same arithmetic the batcher packs by — so no block is re-encoded per transaction.

Any transaction the intake accepted (at most ``max_batch_bytes − SINGLE_TX_OVERHEAD`` bytes)
is admitted by a block with no sequenced transaction yet, so the queue always moves.
"""

from __future__ import annotations

from dataclasses import dataclass

from rollup_node.protocol.batch import batch_length, block_entry_length, rlp_string_length


@dataclass(slots=True)
class BatchRoom:
    """How much of ``max_batch_bytes`` one block's single-block batch uses so far."""

    l1_origin_number: int
    num_deposits: int  # user deposits (the L1-info deposit is not declared, SPEC §5)
    max_batch_bytes: int
    txs_payload_length: int = 0  # sum of the sequenced transactions' RLP string lengths

    @property
    def batch_bytes(self) -> int:
        """Bytes of the block's single-block batch as filled so far."""
        return batch_length(
            block_entry_length(self.l1_origin_number, self.num_deposits, self.txs_payload_length)
        )

    def admits(self, raw: bytes) -> bool:
        """Whether the batch stays within ``max_batch_bytes`` with ``raw`` added."""
        entry = block_entry_length(
            self.l1_origin_number,
            self.num_deposits,
            self.txs_payload_length + rlp_string_length(raw),
        )
        return batch_length(entry) <= self.max_batch_bytes

    def add(self, raw: bytes) -> None:
        """Count ``raw`` as included in the block."""
        self.txs_payload_length += rlp_string_length(raw)
