"""Prometheus metrics of the RPC server: request counts and latency by method and outcome.

The collectors live in a registry the caller passes in, so that two servers in one process
(the devnet's L1 and L2) do not clash; ``/metrics`` serves that registry.
"""

from __future__ import annotations

from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest

UNKNOWN_METHOD = "unknown"  # label for names that are not registered (bounds cardinality)
OK = "ok"


class RpcMetrics:
    """Counters and a latency histogram of JSON-RPC calls."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry if registry is not None else CollectorRegistry()
        self._requests = Counter(
            "rpc_requests",
            "JSON-RPC calls by method and outcome (ok or the error code)",
            ["method", "code"],
            registry=self.registry,
        )
        self._latency = Histogram(
            "rpc_request_duration_seconds",
            "Time to answer a JSON-RPC call, by method",
            ["method"],
            registry=self.registry,
        )

        self._internal_errors = Counter(
            "rpc_internal_errors",
            "JSON-RPC calls answered -32603: a bug of this node (each is logged with a traceback)",
            ["method"],
            registry=self.registry,
        )

        # Labelled children, looked up once: ``labels()`` costs more than the update itself.
        self._counters: dict[tuple[str, int | None], Any] = {}
        self._histograms: dict[str, Any] = {}

    def observe(self, method: str, error_code: int | None, seconds: float) -> None:
        """Record one call of ``method`` (a registered name or ``unknown``)."""
        counter = self._counters.get((method, error_code))
        if counter is None:
            code = OK if error_code is None else str(error_code)
            counter = self._counters[(method, error_code)] = self._requests.labels(
                method=method, code=code
            )
        histogram = self._histograms.get(method)
        if histogram is None:
            histogram = self._histograms[method] = self._latency.labels(method=method)
        counter.inc()
        histogram.observe(seconds)

    def internal_error(self, method: str) -> None:
        """Count one call of ``method`` that failed in a way no input should cause."""
        self._internal_errors.labels(method=method).inc()

    def exposition(self) -> bytes:
        """The registry in Prometheus' text format."""
        return generate_latest(self.registry)
