"""WebSocket subscriptions (``eth_subscribe``): ``newHeads``, ``logs``, ``newPendingTransactions``.

Each subscription belongs to one connection and pushes ``eth_subscription`` notifications
from ``ChainEvents`` to it; all of a connection's subscriptions end when it closes. A
``logs`` subscription follows new heads only (geth ignores a range given to it too).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rollup_node.chain.records import BlockRecord, ReceiptRecord
from rollup_node.rpc import errors
from rollup_node.rpc.dispatch import Connection
from rollup_node.rpc.errors import RpcError
from rollup_node.rpc.events import ChainEvents
from rollup_node.rpc.filters import log_matches, new_id
from rollup_node.rpc.formatting import data, format_header, format_log
from rollup_node.rpc.params import FilterCriteria

NEW_HEADS = "newHeads"
LOGS = "logs"
NEW_PENDING_TRANSACTIONS = "newPendingTransactions"
KINDS = (NEW_HEADS, LOGS, NEW_PENDING_TRANSACTIONS)


@dataclass(frozen=True, slots=True)
class Subscription:
    """One live subscription of a connection."""

    subscription_id: str
    connection: Connection
    kind: str
    criteria: FilterCriteria | None = None


def _notification(subscription_id: str, result: Any) -> dict[str, Any]:
    return {
        "jsonrpc": "2.0",
        "method": "eth_subscription",
        "params": {"subscription": subscription_id, "result": result},
    }


class Subscriptions:
    """Live subscriptions of all connections, fed by ``ChainEvents``."""

    def __init__(self, events: ChainEvents, max_per_connection: int) -> None:
        self._by_id: dict[str, Subscription] = {}
        self._max_per_connection = max_per_connection
        events.on_block(self._on_block)
        events.on_pending_transaction(self._on_pending)

    def subscribe(
        self, connection: Connection, kind: str, criteria: FilterCriteria | None = None
    ) -> str:
        """Start a subscription on ``connection``; return its id."""
        if kind not in KINDS:
            raise RpcError(errors.METHOD_NOT_FOUND, f'no "{kind}" subscription in eth namespace')
        owned = sum(1 for s in self._by_id.values() if s.connection is connection)
        if owned >= self._max_per_connection:
            raise errors.limit_exceeded(
                f"too many subscriptions on this connection (at most {self._max_per_connection})"
            )
        subscription_id = new_id()
        if owned == 0:
            connection.on_close(lambda: self._drop_connection(connection))
        self._by_id[subscription_id] = Subscription(subscription_id, connection, kind, criteria)
        return subscription_id

    def unsubscribe(self, connection: Connection, subscription_id: str) -> bool:
        """End a subscription of ``connection``; raise if it has none with this id."""
        subscription = self._by_id.get(subscription_id)
        if subscription is None or subscription.connection is not connection:
            raise RpcError(errors.SERVER_ERROR, "subscription not found")
        del self._by_id[subscription_id]
        return True

    def _drop_connection(self, connection: Connection) -> None:
        for subscription_id in [k for k, s in self._by_id.items() if s.connection is connection]:
            del self._by_id[subscription_id]

    def _on_block(self, block: BlockRecord, receipts: tuple[ReceiptRecord, ...]) -> None:
        header = None
        for subscription in list(self._by_id.values()):
            if subscription.kind == NEW_HEADS:
                header = header or format_header(block)
                subscription.connection.notify(_notification(subscription.subscription_id, header))
            elif subscription.kind == LOGS:
                criteria = subscription.criteria or FilterCriteria()
                for receipt in receipts:
                    for log in receipt.logs:
                        if log_matches(log, criteria.addresses, criteria.topics):
                            subscription.connection.notify(
                                _notification(subscription.subscription_id, format_log(log))
                            )

    def _on_pending(self, tx_hash: bytes) -> None:
        for subscription in list(self._by_id.values()):
            if subscription.kind == NEW_PENDING_TRANSACTIONS:
                subscription.connection.notify(
                    _notification(subscription.subscription_id, data(tx_hash))
                )
