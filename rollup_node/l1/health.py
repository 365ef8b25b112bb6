"""Whether L1 answers, and what the node says while it does not.

An unreachable L1 is not fatal: derivation retries with backoff (``l1/errors.py``) and carries
on when L1 is back, as op-node does. But it must not go unseen. Derivation polls L1 in every
mode, and reports each poll's outcome here. From the first failed poll to the next good one:

- ``reachable`` is false: the node's ``/readyz`` answers 503 (``node.py``);
- ``rollup_syncStatus`` says so: ``l1Reachable``, for how long, and the last error (``status``);
- the counter ``l1_request_failures_total`` counts the failed polls and the gauge
  ``l1_reachable`` is 0;
- a warning is logged at the first failure, then once a minute while it lasts (not at every
  retry), and an info line when L1 answers again.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import structlog
from prometheus_client import CollectorRegistry, Counter, Gauge

log = structlog.get_logger("l1")

#: While L1 stays unreachable, the warning is repeated this often.
WARN_EVERY_SECONDS = 60.0


class L1Health:
    """The L1's reachability as the node's L1 polls see it (see module doc)."""

    def __init__(
        self,
        registry: CollectorRegistry | None = None,
        warn_every_seconds: float = WARN_EVERY_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._warn_every = warn_every_seconds
        self._clock = clock
        self._failing_since: float | None = None
        self._failures_now = 0  # failed polls since the last good one
        self._last_warning = 0.0
        self._last_error = ""
        registry = registry if registry is not None else CollectorRegistry()
        self._failures = Counter(
            "l1_request_failures_total",
            "L1 polls that failed for want of L1 (refused, timed out, busy); retried",
            registry=registry,
        )
        self._reachable = Gauge(
            "l1_reachable", "1 while L1 answers, 0 from a failed poll to the next good one",
            registry=registry,
        )  # fmt: skip
        self._reachable.set(1)

    @property
    def reachable(self) -> bool:
        """False from a failed poll until the next good one."""
        return self._failing_since is None

    def failed(self, error: BaseException) -> None:
        """A poll failed because L1 is away or busy (``l1.errors.classify`` said retry)."""
        now = self._clock()
        self._failures.inc()
        self._reachable.set(0)
        self._failures_now += 1
        self._last_error = str(error) or type(error).__name__
        if self._failing_since is None:
            self._failing_since = now
        elif now - self._last_warning < self._warn_every:
            return
        self._last_warning = now
        log.warning(
            "L1 unreachable; retrying",
            seconds=round(now - self._failing_since, 1),
            failed_polls=self._failures_now,
            error=self._last_error,
        )

    def succeeded(self) -> None:
        """A poll went through."""
        if self._failing_since is not None:
            log.info(
                "L1 reachable again",
                after_seconds=round(self._clock() - self._failing_since, 1),
                failed_polls=self._failures_now,
            )
            self._failing_since = None
            self._failures_now = 0
            self._reachable.set(1)

    def status(self) -> dict[str, Any]:
        """What ``rollup_syncStatus`` reports (JSON-ready)."""
        if self._failing_since is None:
            return {"l1Reachable": True, "l1UnreachableSeconds": 0, "l1Error": None}
        return {
            "l1Reachable": False,
            "l1UnreachableSeconds": round(self._clock() - self._failing_since, 1),
            "l1Error": self._last_error,
        }
