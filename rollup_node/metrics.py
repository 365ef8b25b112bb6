"""Prometheus metrics of the node's services, on a registry per node (tests run several)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge


class NodeMetrics:
    """Block production and intake metrics."""

    def __init__(self, registry: CollectorRegistry, chain: str = "l2") -> None:
        self.registry = registry
        self.blocks = Counter(f"{chain}_blocks_total", "Blocks produced", registry=registry)
        self.transactions = Counter(
            f"{chain}_transactions_total",
            "Transactions included in produced blocks",
            registry=registry,
        )
        self.rejects = Counter(
            f"{chain}_rejected_transactions_total",
            "Transactions refused at intake or dropped at block building, by reason",
            ["reason"],
            registry=registry,
        )
        self.dropped = Counter(
            f"{chain}_dropped_transactions_total",
            "Accepted transactions that became invalid before their block",
            registry=registry,
        )
        self.head = Gauge(f"{chain}_head_block", "Number of the head block", registry=registry)
