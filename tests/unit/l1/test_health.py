"""L1 reachability (``l1/health.py``): the flag, the status, the metrics, and a warning at the
first failure and then once a minute, not at every retry."""

from __future__ import annotations

from prometheus_client import CollectorRegistry
from structlog.testing import capture_logs

from rollup_node.l1.health import L1Health


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _metric(registry: CollectorRegistry, name: str) -> float:
    value = registry.get_sample_value(name)
    assert value is not None, name
    return value


def test_unreachable_from_a_failed_poll_to_the_next_good_one() -> None:
    registry, clock = CollectorRegistry(), Clock()
    health = L1Health(registry, clock=clock)
    assert health.reachable and health.status()["l1Reachable"] is True
    assert _metric(registry, "l1_reachable") == 1
    refused = ConnectionRefusedError("Cannot connect to host 127.0.0.1:9")
    with capture_logs() as logs:
        for _ in range(130):  # a poll every second for 130 s (backoff ignored)
            health.failed(refused)
            clock.now += 1.0
        status = health.status()
        health.succeeded()
        health.succeeded()
    assert status == {
        "l1Reachable": False,
        "l1UnreachableSeconds": 130.0,
        "l1Error": "Cannot connect to host 127.0.0.1:9",
    }
    warnings = [entry for entry in logs if entry["log_level"] == "warning"]
    assert [entry["seconds"] for entry in warnings] == [0.0, 60.0, 120.0]
    assert warnings[-1]["failed_polls"] == 121
    assert [entry["event"] for entry in logs if entry["log_level"] == "info"] == [
        "L1 reachable again"
    ]
    assert health.reachable and health.status()["l1Error"] is None
    assert _metric(registry, "l1_request_failures_total") == 130
    assert _metric(registry, "l1_reachable") == 1


def test_the_gauge_is_zero_while_l1_fails_and_a_new_outage_warns_at_once() -> None:
    registry, clock = CollectorRegistry(), Clock()
    health = L1Health(registry, clock=clock)
    health.failed(TimeoutError())
    assert not health.reachable
    assert _metric(registry, "l1_reachable") == 0
    assert health.status()["l1Error"] == "TimeoutError"
    health.succeeded()
    clock.now += 5.0
    with capture_logs() as logs:
        health.failed(TimeoutError())
    assert [entry["event"] for entry in logs] == ["L1 unreachable; retrying"]
