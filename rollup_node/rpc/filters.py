"""Poll filters (``eth_newFilter`` and friends) and the log-matching rule they share.

A filter collects what happened since it was last polled: new block hashes, pending
transaction hashes, or logs matching its criteria (read from each new head's receipts, so no
block is re-scanned). Like geth, a filter that is not polled for ``timeout_seconds`` is
removed; ids are random 128-bit quantities.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum

from rollup_node.chain.queries import log_matches  # the rule's home; re-exported here
from rollup_node.chain.records import BlockRecord, LogRecord, ReceiptRecord
from rollup_node.rpc.events import ChainEvents
from rollup_node.rpc.params import FilterCriteria


def new_id() -> str:
    """A random identifier in quantity form, as geth gives filters and subscriptions."""
    return hex(secrets.randbits(128))


class FilterKind(Enum):
    """What a poll filter collects."""

    BLOCKS = "blocks"
    PENDING_TRANSACTIONS = "pending"
    LOGS = "logs"


@dataclass
class PollFilter:
    """One installed filter and what it has collected since the last poll."""

    kind: FilterKind
    criteria: FilterCriteria | None
    # Block bounds of a log filter, resolved at install time (None = open-ended).
    from_block: int | None = None
    to_block: int | None = None
    last_polled: float = field(default_factory=time.monotonic)
    hashes: list[bytes] = field(default_factory=list)
    logs: list[LogRecord] = field(default_factory=list)

    def collect_block(self, block: BlockRecord, receipts: tuple[ReceiptRecord, ...]) -> None:
        """Take what this filter wants from a new head."""
        if self.kind is FilterKind.BLOCKS:
            self.hashes.append(block.hash)
        elif self.kind is FilterKind.LOGS:
            assert self.criteria is not None
            if self.from_block is not None and block.number < self.from_block:
                return
            if self.to_block is not None and block.number > self.to_block:
                return
            for receipt in receipts:
                for log in receipt.logs:
                    if log_matches(log, self.criteria.addresses, self.criteria.topics):
                        self.logs.append(log)


class FilterRegistry:
    """Installed poll filters, fed by ``ChainEvents`` and expired when idle."""

    def __init__(self, events: ChainEvents, timeout_seconds: float, max_filters: int) -> None:
        self._filters: dict[str, PollFilter] = {}
        self._timeout_seconds = timeout_seconds
        self._max_filters = max_filters
        self._clock: Callable[[], float] = time.monotonic
        events.on_block(self._on_block)
        events.on_pending_transaction(self._on_pending)

    def install(self, poll_filter: PollFilter) -> str | None:
        """Add a filter and return its id, or ``None`` when the registry is full."""
        self.expire()
        if len(self._filters) >= self._max_filters:
            return None
        poll_filter.last_polled = self._clock()
        filter_id = new_id()
        self._filters[filter_id] = poll_filter
        return filter_id

    def get(self, filter_id: str) -> PollFilter | None:
        """The filter with this id (marking it as used), or ``None`` if unknown or expired."""
        self.expire()
        poll_filter = self._filters.get(filter_id)
        if poll_filter is not None:
            poll_filter.last_polled = self._clock()
        return poll_filter

    def take_changes(self, filter_id: str) -> PollFilter | None:
        """The filter, with its collected hashes and logs moved out; ``None`` if unknown."""
        poll_filter = self.get(filter_id)
        if poll_filter is None:
            return None
        taken = PollFilter(
            poll_filter.kind, poll_filter.criteria, hashes=poll_filter.hashes, logs=poll_filter.logs
        )
        poll_filter.hashes, poll_filter.logs = [], []
        return taken

    def remove(self, filter_id: str) -> bool:
        """Uninstall a filter; ``False`` if there was none with this id."""
        self.expire()
        return self._filters.pop(filter_id, None) is not None

    def expire(self) -> None:
        """Drop filters idle for longer than the timeout."""
        deadline = self._clock() - self._timeout_seconds
        for filter_id in [k for k, f in self._filters.items() if f.last_polled < deadline]:
            del self._filters[filter_id]

    def _on_block(self, block: BlockRecord, receipts: tuple[ReceiptRecord, ...]) -> None:
        self.expire()
        for poll_filter in self._filters.values():
            poll_filter.collect_block(block, receipts)

    def _on_pending(self, tx_hash: bytes) -> None:
        for poll_filter in self._filters.values():
            if poll_filter.kind is FilterKind.PENDING_TRANSACTIONS:
                poll_filter.hashes.append(tx_hash)
