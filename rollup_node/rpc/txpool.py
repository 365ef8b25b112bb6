"""The ``txpool_`` namespace: ``txpool_status`` and ``txpool_content``, as geth answers them.

The node has no mempool: the sequencer's intake (SPEC §1) checks a transaction on arrival by
the validity rule of SPEC §3.1 against the pending state and queues it in arrival order. Every
queued transaction is executable in order, so all of them are geth's ``pending``; ``queued``
(transactions waiting for a nonce gap to fill) is always empty, because the intake refuses a
nonce gap at once. A node without an intake (verifier, replica) answers zeros.

Shapes: ``txpool_status`` → ``{"pending": "0x…", "queued": "0x…"}``; ``txpool_content`` →
``{"pending": {sender: {nonce (decimal string): transaction}}, "queued": {}}`` with the sender
checksummed, as geth keys it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from eth_utils import to_checksum_address

from rollup_node.chain.records import TxRecord
from rollup_node.rpc.dispatch import CallContext, Method
from rollup_node.rpc.formatting import format_transaction, quantity


class QueuedTransaction(Protocol):
    """One transaction waiting in the intake."""

    @property
    def record(self) -> TxRecord:
        """Its record, before inclusion."""
        ...


class TxPool(Protocol):
    """The intake's queue (``sequencer.intake.Intake``)."""

    def snapshot(self) -> Sequence[QueuedTransaction]:
        """The queued transactions, oldest first."""
        ...


def methods(pool: TxPool | None) -> list[Method]:
    """``txpool_status`` and ``txpool_content`` over ``pool`` (``None``: nothing is queued)."""

    def queued() -> list[TxRecord]:
        return [] if pool is None else [item.record for item in pool.snapshot()]

    async def status(_: CallContext) -> dict[str, str]:
        return {"pending": quantity(len(queued())), "queued": quantity(0)}

    async def content(_: CallContext) -> dict[str, Any]:
        pending: dict[str, dict[str, Any]] = {}
        for record in queued():
            by_nonce = pending.setdefault(to_checksum_address(record.sender), {})
            by_nonce[str(record.nonce)] = format_transaction(record, None)
        return {"pending": pending, "queued": {}}

    return [Method("txpool_status", status), Method("txpool_content", content)]
