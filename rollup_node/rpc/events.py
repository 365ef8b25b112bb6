"""The feed of chain events that poll filters and WebSocket subscriptions consume.

One subscription to the backend's new-head feed, fanned out to any number of listeners, plus
the hashes of transactions accepted through this server (the node's only intake, so the
"pending transactions" feed of a sequencer). Listeners run on the event loop thread; a
listener that raises is logged and does not stop the others.
"""

from __future__ import annotations

from collections.abc import Callable

import structlog

from rollup_node.chain.records import BlockRecord, ReceiptRecord
from rollup_node.rpc.backend import ChainBackend, NewBlockCallback

log = structlog.get_logger(__name__)

PendingTxCallback = Callable[[bytes], None]


class ChainEvents:
    """Fans new head blocks and newly accepted transaction hashes out to listeners."""

    def __init__(self, backend: ChainBackend) -> None:
        self._backend = backend
        self._block_listeners: list[NewBlockCallback] = []
        self._pending_listeners: list[PendingTxCallback] = []
        self._unsubscribe: Callable[[], None] | None = None

    def start(self) -> None:
        """Subscribe to the backend's new heads (idempotent)."""
        if self._unsubscribe is None:
            self._unsubscribe = self._backend.subscribe_blocks(self._publish_block)

    def stop(self) -> None:
        """Drop the backend subscription."""
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    def on_block(self, listener: NewBlockCallback) -> Callable[[], None]:
        """Call ``listener(block, receipts)`` for every new head; returns the remover."""
        self._block_listeners.append(listener)
        return lambda: self._block_listeners.remove(listener)

    def on_pending_transaction(self, listener: PendingTxCallback) -> Callable[[], None]:
        """Call ``listener(tx_hash)`` for every transaction accepted; returns the remover."""
        self._pending_listeners.append(listener)
        return lambda: self._pending_listeners.remove(listener)

    def publish_pending_transaction(self, tx_hash: bytes) -> None:
        """Announce a transaction this server handed to the chain."""
        for listener in list(self._pending_listeners):
            try:
                listener(tx_hash)
            except Exception:  # noqa: BLE001 - one bad listener must not starve the others
                log.exception("rpc.pending_listener_failed")

    def _publish_block(self, block: BlockRecord, receipts: tuple[ReceiptRecord, ...]) -> None:
        for listener in list(self._block_listeners):
            try:
                listener(block, receipts)
            except Exception:  # noqa: BLE001
                log.exception("rpc.block_listener_failed", block=block.number)
