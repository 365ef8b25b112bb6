"""WebSocket subscriptions (``eth_subscribe``, SPEC §12): ``newHeads``, ``logs``,
``newPendingTransactions``, ``syncing``.

Each subscription belongs to one connection and pushes ``eth_subscription`` notifications
from ``ChainEvents`` to it; all of a connection's subscriptions end when it closes. Options are
checked per kind, as geth does: ``logs`` takes a filter object and follows new heads only
(geth ignores a range given to it too); ``newPendingTransactions`` takes an optional boolean
(web3.py always sends ``false``), ``true`` notifying the whole transaction instead of its hash;
``newHeads`` and ``syncing`` take none. ``syncing`` notifies when ``eth_syncing`` changes; it
never does here, because a node serves its own chain and ``eth_syncing`` is always ``false``,
so the subscription is accepted and stays quiet, as on a synced geth.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rollup_node.chain.records import BlockRecord, ReceiptRecord, TxRecord
from rollup_node.rpc import errors, params
from rollup_node.rpc.dispatch import Connection
from rollup_node.rpc.errors import RpcError
from rollup_node.rpc.events import ChainEvents
from rollup_node.rpc.filters import log_matches, new_id
from rollup_node.rpc.formatting import data, format_header, format_log, format_transaction
from rollup_node.rpc.params import FilterCriteria, ParamError

NEW_HEADS = "newHeads"
LOGS = "logs"
NEW_PENDING_TRANSACTIONS = "newPendingTransactions"
SYNCING = "syncing"
KINDS = (NEW_HEADS, LOGS, NEW_PENDING_TRANSACTIONS, SYNCING)


def subscription_options(value: object) -> FilterCriteria | bool:
    """The optional second argument of ``eth_subscribe``: a filter object (``logs``) or a
    boolean (``newPendingTransactions``); which kind takes which is checked on subscribing."""
    if isinstance(value, bool):
        return value
    if isinstance(value, dict):
        return params.filter_criteria(value)
    raise ParamError("want a filter object or a boolean")


@dataclass(frozen=True, slots=True)
class Subscription:
    """One live subscription of a connection."""

    subscription_id: str
    connection: Connection
    kind: str
    criteria: FilterCriteria | None = None
    full_transactions: bool = False


def _check_options(kind: str, options: FilterCriteria | bool | None) -> None:
    """``logs`` takes a filter, ``newPendingTransactions`` a boolean, the others nothing."""
    if options is None:
        return
    if kind == LOGS and isinstance(options, FilterCriteria):
        return
    if kind == NEW_PENDING_TRANSACTIONS and isinstance(options, bool):
        return
    wanted = {LOGS: "a filter object", NEW_PENDING_TRANSACTIONS: "a boolean"}.get(
        kind, "no options"
    )
    raise errors.invalid_params(f"invalid argument 1 (options): {kind} takes {wanted}")


def _notification(subscription_id: str, result: Any) -> dict[str, Any]:
    return {
        "jsonrpc": "2.0",
        "method": "eth_subscription",
        "params": {"subscription": subscription_id, "result": result},
    }


class Subscriptions:
    """Live subscriptions of all connections, fed by ``ChainEvents``."""

    def __init__(
        self,
        events: ChainEvents,
        max_per_connection: int,
        transaction: Callable[[bytes], TxRecord | None] = lambda _: None,
    ) -> None:
        """``transaction`` finds a queued or included transaction by hash (full pending
        notifications; one it no longer finds is notified by hash)."""
        self._by_id: dict[str, Subscription] = {}
        self._max_per_connection = max_per_connection
        self._transaction = transaction
        events.on_block(self._on_block)
        events.on_pending_transaction(self._on_pending)

    def subscribe(
        self, connection: Connection, kind: str, options: FilterCriteria | bool | None = None
    ) -> str:
        """Start a subscription on ``connection``; return its id.

        ``options`` as ``subscription_options`` parsed it; one the kind does not take is
        invalid params (-32602), an unknown kind -32601.
        """
        if kind not in KINDS:
            raise RpcError(errors.METHOD_NOT_FOUND, f'no "{kind}" subscription in eth namespace')
        _check_options(kind, options)
        criteria = options if isinstance(options, FilterCriteria) else None
        full = options is True
        owned = sum(1 for s in self._by_id.values() if s.connection is connection)
        if owned >= self._max_per_connection:
            raise errors.limit_exceeded(
                f"too many subscriptions on this connection (at most {self._max_per_connection})"
            )
        subscription_id = new_id()
        if owned == 0:
            connection.on_close(lambda: self._drop_connection(connection))
        self._by_id[subscription_id] = Subscription(
            subscription_id, connection, kind, criteria, full
        )
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
        full: Any = None
        for subscription in list(self._by_id.values()):
            if subscription.kind != NEW_PENDING_TRANSACTIONS:
                continue
            result: Any = data(tx_hash)
            if subscription.full_transactions:
                if full is None:
                    record = self._transaction(tx_hash)
                    full = data(tx_hash) if record is None else format_transaction(record, None)
                result = full
            subscription.connection.notify(_notification(subscription.subscription_id, result))
