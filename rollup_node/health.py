"""Rollup-aware health: what ``/healthz`` and ``/readyz`` answer, and the gauges alerts use.

``/healthz`` asks "is this node doing its job?" — an orchestrator restarts or pages on a no:

- its own output root differs from one posted on L1: a live mismatch of the output-root
  watcher (a batch a dispute game deleted no longer counts), or a block the fault-proof
  program did not accept (``--check-with-program``); either means this node, or the proposer,
  is wrong, and a person must look;
- derivation has not read L1 for ``health_l1_stale_seconds`` (L1 unreachable, or refusing);
- the unsafe head has not moved for ``health_head_stall_seconds`` (the sequencer stopped
  producing, or a follower stopped deriving).

``/readyz`` asks "may traffic be sent here?" — a load balancer takes the node out on a no:
the node has not finished starting, L1 did not answer derivation's last poll
(``l1/health.py``), derivation has not read L1 yet or not recently (the same threshold), or it
is more than ``ready_max_l1_behind_blocks`` L1 blocks behind the L1 head it
reads up to (head minus confirmations), as in an initial sync.

Both answer a JSON body: the verdict, the reasons for a no, and the figures they were judged
on. The same figures are Prometheus gauges (``rollup_*``, see ``configs/``). The head's
progress is sampled when it is asked for (a probe, a scrape) and at start, so a stall is seen
within the threshold plus one probe interval; nothing runs in the background.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from prometheus_client import CollectorRegistry, Gauge

from rollup_node.chain.chain import Chain
from rollup_node.config import NodeConfig
from rollup_node.derivation.driver import Derivation
from rollup_node.l1.health import L1Health
from rollup_node.verifier.program_check import ProgramChecker
from rollup_node.verifier.watcher import OutputWatcher


@dataclass(frozen=True, slots=True)
class HealthThresholds:
    """The limits the probes judge by (``[node]`` ``health_*`` / ``ready_*`` keys)."""

    l1_stale_seconds: float = 60.0
    head_stall_seconds: float = 60.0
    max_l1_behind_blocks: int = 10

    @classmethod
    def of(cls, node: NodeConfig) -> HealthThresholds:
        """The thresholds a node config sets."""
        return cls(
            node.health_l1_stale_seconds,
            node.health_head_stall_seconds,
            node.ready_max_l1_behind_blocks,
        )


@dataclass(frozen=True, slots=True)
class ProbeAnswer:
    """One probe's verdict, why it is a no, and what it was judged on (the JSON body)."""

    ok: bool
    reasons: tuple[str, ...]
    figures: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        """The body ``/healthz`` or ``/readyz`` serves."""
        return {"ok": self.ok, "reasons": list(self.reasons), **self.figures}


def _number(quantity: object) -> int:
    return int(str(quantity), 16)


class NodeHealth:
    """Judges the node's health and readiness from its chain and rollup services.

    ``derivation``, ``watcher`` and ``program_checker`` are those the node runs (``None``: it
    does not, e.g. the node-core devnet has no derivation); ``l1`` is the reachability
    derivation's polls report; ``started`` says whether the node
    finished starting; ``clock`` is monotonic seconds.
    """

    def __init__(
        self,
        chain: Chain,
        thresholds: HealthThresholds,
        registry: CollectorRegistry,
        started: Callable[[], bool],
        derivation: Derivation | None = None,
        watcher: OutputWatcher | None = None,
        program_checker: ProgramChecker | None = None,
        l1: L1Health | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.chain = chain
        self.thresholds = thresholds
        self.started = started
        self.derivation = derivation
        self.watcher = watcher
        self.program_checker = program_checker
        self.l1 = l1 or L1Health()
        self._clock = clock
        self._since = clock()  # L1 counts as read at start: the first read has this long
        self._head = self._head_id()
        self._head_moved_at = self._since
        gauges = {
            "rollup_healthy": ("1 when /healthz answers 200, else 0", self._healthy_value),
            "rollup_ready": ("1 when /readyz answers 200, else 0", self._ready_value),
            "rollup_l1_read_age_seconds": (
                "Seconds since derivation last read L1 (since start if it never did)",
                self.l1_read_age_seconds,
            ),
            "rollup_unsafe_head_stalled_seconds": (
                "Seconds since the unsafe head last moved, as seen by probes and scrapes",
                self.head_stalled_seconds,
            ),
            "rollup_l1_behind_blocks": (
                "L1 blocks derivation has yet to read up to L1's head minus confirmations",
                self.l1_behind_blocks,
            ),
            "rollup_output_root_mismatches_open": (
                "Posted output roots that differ from this node's and still stand on L1",
                lambda: len(self._root_mismatches()),
            ),
            "rollup_unsafe_l2_block": ("The unsafe L2 head", chain.head_number),
            "rollup_safe_l2_block": ("The safe L2 head", chain.safe_number),
            "rollup_finalized_l2_block": ("The finalized L2 head", chain.finalized_number),
        }
        for name, (documentation, read) in gauges.items():
            Gauge(name, documentation, registry=registry).set_function(read)

    # --- figures --------------------------------------------------------------------------
    def _head_id(self) -> tuple[int, bytes | None]:
        number = self.chain.head_number()
        block = self.chain.block_by_number(number)
        return number, None if block is None else block.hash

    def head_stalled_seconds(self) -> float:
        """Seconds since the unsafe head (number or hash) was last seen to change."""
        now = self._clock()
        head = self._head_id()
        if head != self._head:
            self._head, self._head_moved_at = head, now
        return now - self._head_moved_at

    def l1_read_age_seconds(self) -> float:
        """Seconds since derivation's last complete read of L1 (0 without derivation)."""
        if self.derivation is None:
            return 0.0
        last = self.derivation.status.l1_read_at
        return self._clock() - (self._since if last is None else last)

    def l1_behind_blocks(self) -> int:
        """L1 blocks between what derivation read and what it may read (head − confirmations)."""
        if self.derivation is None:
            return 0
        status = self.derivation.status
        return max(0, status.l1_head - self.derivation.confirmations - status.l1_safe)

    def _root_mismatches(self) -> list[dict[str, object]]:
        if self.watcher is None:
            return []
        return [m for m in self.watcher.disputes() if m["status"] != "deleted"]

    def _program_mismatches(self) -> list[dict[str, object]]:
        if self.program_checker is None:
            return []
        return list(self.program_checker.status()["mismatches"])  # type: ignore[call-overload]

    # --- verdicts -------------------------------------------------------------------------
    def health(self) -> ProbeAnswer:
        """``/healthz``: roots agree, L1 is read, the unsafe head moves (module docstring)."""
        reasons: list[str] = []
        roots = self._root_mismatches()
        for m in roots:
            reasons.append(
                f"output root mismatch: the root posted for L2 block {_number(m['l2BlockNumber'])}"
                f" (SCC batch {_number(m['sccBatchIndex'])}) differs from this node's"
            )
        program = self._program_mismatches()
        for m in program:
            reasons.append(
                f"program mismatch: the fault-proof program did not accept this node's root of "
                f"L2 block {_number(m['l2BlockNumber'])} ({m['verdict']})"
            )
        age = self.l1_read_age_seconds()
        if age > self.thresholds.l1_stale_seconds:
            reasons.append(
                f"L1 not read for {age:.0f} s: L1 unreachable or refusing, or derivation stuck "
                f"(limit {self.thresholds.l1_stale_seconds:g} s)"
            )
        stalled = self.head_stalled_seconds()
        if stalled > self.thresholds.head_stall_seconds:
            reasons.append(
                f"unsafe head stalled at block {self._head[0]} for {stalled:.0f} s "
                f"(limit {self.thresholds.head_stall_seconds:g} s)"
            )
        figures = {
            "unsafeL2": self._head[0],
            "unsafeHeadStalledSeconds": round(stalled, 1),
            "l1ReadAgeSeconds": round(age, 1),
            "outputRootMismatches": roots,
            "programMismatches": program,
        }
        return ProbeAnswer(not reasons, tuple(reasons), figures)

    def readiness(self) -> ProbeAnswer:
        """``/readyz``: started, L1 read recently, derivation caught up (module docstring)."""
        if not self.started():
            return ProbeAnswer(False, ("starting",))
        reasons: list[str] = []
        figures: dict[str, Any] = {}
        l1 = self.l1.status()
        if not l1["l1Reachable"]:
            reasons.append(f"L1 unreachable for {l1['l1UnreachableSeconds']} s: {l1['l1Error']}")
        if self.derivation is not None:
            status = self.derivation.status
            age = self.l1_read_age_seconds()
            behind = self.l1_behind_blocks()
            if status.l1_read_at is None:
                reasons.append("derivation has not read L1 yet")
            elif age > self.thresholds.l1_stale_seconds:
                reasons.append(f"L1 not read for {age:.0f} s; sync state unknown")
            if behind > self.thresholds.max_l1_behind_blocks:
                reasons.append(
                    f"sync behind: derivation has read L1 up to block {status.l1_safe}, "
                    f"{behind} blocks short of {status.l1_head - self.derivation.confirmations} "
                    f"(limit {self.thresholds.max_l1_behind_blocks})"
                )
            figures = {
                "l1Head": status.l1_head,
                "l1Read": status.l1_safe,
                "l1BehindBlocks": behind,
                "l1ReadAgeSeconds": round(age, 1),
            }
        return ProbeAnswer(not reasons, tuple(reasons), figures)

    def _healthy_value(self) -> float:
        return float(self.health().ok)

    def _ready_value(self) -> float:
        return float(self.readiness().ok)
