"""Rollup-aware ``/healthz`` and ``/readyz`` (rollup_node/health.py) on real nodes.

One devnet (embedded L1, sequencer, batcher, proposer) serves the module; followers of it show
each condition with thresholds of seconds: a verifier that never reaches its L1 read target
(``confirmations`` far above L1's height) has a stalled head; a replica whose program check is
given a wrong root (``Faults``, tests only) has a program mismatch; a verifier whose block
executor is held (as by a long block) falls behind L1; stopping the devnet takes a
verifier's L1 away. A second devnet proposes one wrong root (``Faults``), which its own
output-root watcher finds. Every answer is read over HTTP as an orchestrator would.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml
from prometheus_client.parser import text_string_to_metric_families

from rollup_node.chain.genesis import devnet_accounts
from rollup_node.faults import Faults
from tests.e2e.rollup_helpers import follower, sequencer, wait_for
from tests.node_harness import RunningNode

CONFIGS = Path(__file__).parents[2] / "configs"
# PromQL words that look like metric names: keywords and the ``le`` label of histograms.
PROMQL_WORDS = {"and", "or", "unless", "bool", "offset", "by", "without", "on", "ignoring", "le"}
SUFFIXES = {"counter": ("_total",), "histogram": ("_bucket", "_sum", "_count")}

# Thresholds of a few seconds: each test waits for its condition, not for a default minute.
QUICK = {"health_l1_stale_seconds": 5.0, "health_head_stall_seconds": 3.0, "play_disputes": False}


def probe(node: RunningNode, path: str) -> tuple[int, dict[str, Any]]:
    """The status code and JSON body of ``/healthz`` or ``/readyz``."""
    answer = requests.get(node.url + path, timeout=10)
    assert answer.headers["Content-Type"].startswith("application/json")
    return answer.status_code, answer.json()


def failing_with(node: RunningNode, path: str, words: str) -> dict[str, Any] | None:
    """The body of a 503 from ``path`` whose reasons include ``words`` (None otherwise)."""
    status, body = probe(node, path)
    if status == 503 and any(words in reason for reason in body["reasons"]):
        return body
    return None


@pytest.fixture(scope="module")
def devnet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningNode]:
    """A devnet with the rollup services, stopped by the last test (or at teardown)."""
    node = sequencer(tmp_path_factory.mktemp("health-devnet"))
    yield node
    node.stop()


def test_a_devnet_that_derives_and_produces_is_healthy_and_ready(devnet: RunningNode) -> None:
    wait_for("a safe block", lambda: devnet.node.l2.safe_number() > 0)
    wait_for("readiness", lambda: probe(devnet, "/readyz")[0] == 200)
    status, body = probe(devnet, "/healthz")
    assert status == 200 and body["ok"] and body["reasons"] == []
    assert body["outputRootMismatches"] == [] and body["programMismatches"] == []
    assert body["l1ReadAgeSeconds"] < 60
    _, ready = probe(devnet, "/readyz")
    assert ready["l1BehindBlocks"] <= 10 and ready["l1Read"] > 0
    registry = devnet.node.registry
    assert registry.get_sample_value("rollup_healthy") == 1.0
    assert registry.get_sample_value("rollup_ready") == 1.0


def test_an_unsafe_head_that_does_not_move_fails_healthz(
    devnet: RunningNode, tmp_path: Path
) -> None:
    # L1 is read (every poll), but no block is ever confirmed enough to derive: block 0 stays.
    verifier = follower(tmp_path / "stuck", devnet, "verifier", node=QUICK, confirmations=10_000)
    try:
        body = wait_for(
            "the stall to fail /healthz",
            lambda: failing_with(verifier, "/healthz", "unsafe head stalled at block 0"),
            timeout=30,
        )
        assert not any("L1" in reason for reason in body["reasons"]), body  # L1 is read
        assert body["unsafeHeadStalledSeconds"] >= QUICK["health_head_stall_seconds"]
        assert verifier.node.registry.get_sample_value("rollup_healthy") == 0.0
    finally:
        verifier.stop()


def test_a_root_the_program_does_not_accept_fails_healthz(
    devnet: RunningNode, tmp_path: Path
) -> None:
    node = {"check_with_program": True, "faults": Faults(program_check_wrong_root_at=1)}
    replica = follower(tmp_path / "checked", devnet, "replica", node=node)
    try:
        body = wait_for(
            "the program mismatch to fail /healthz",
            lambda: failing_with(replica, "/healthz", "program mismatch"),
            timeout=60,
        )
        assert "L2 block 1 (invalid)" in body["reasons"][0]
        assert [int(m["l2BlockNumber"], 16) for m in body["programMismatches"]] == [1]
    finally:
        replica.stop()


def test_derivation_behind_l1_fails_readyz(devnet: RunningNode, tmp_path: Path) -> None:
    node = {"ready_max_l1_behind_blocks": 0, "play_disputes": False}
    verifier = follower(tmp_path / "behind", devnet, "verifier", node=node)
    gate = threading.Event()
    try:
        wait_for("the verifier to sync", lambda: probe(verifier, "/readyz")[0] == 200)
        # Occupy the block executor as a long block would: the next batch's blocks wait, so
        # derivation has read L1's head but not yet through it.
        verifier.node.executor.submit(gate.wait, 60)
        body = wait_for(
            "derivation to fall behind", lambda: failing_with(verifier, "/readyz", "sync behind")
        )
        assert body["l1BehindBlocks"] >= 1 and body["l1Read"] < body["l1Head"]
        assert probe(verifier, "/healthz")[0] == 200  # behind is not unhealthy
        gate.set()
        wait_for("derivation to catch up", lambda: probe(verifier, "/readyz")[0] == 200)
    finally:
        gate.set()
        verifier.stop()


def promql_metric_names(expr: str) -> set[str]:
    """The metric names a PromQL expression reads: identifiers left once label matchers,
    ranges and grouping lists are removed, other than function calls and keywords."""
    expr = re.sub(r"\{[^}]*\}|\[[^\]]*\]", "", expr)
    expr = re.sub(r"\b(by|without|on|ignoring)\s*\([^)]*\)", "", expr)
    found = re.findall(r"\b([a-zA-Z_:][a-zA-Z0-9_:]*)\b(?!\s*\()", expr)
    return set(found) - PROMQL_WORDS


def configured_metric_names() -> set[str]:
    """Every metric name the alert rules and the Grafana dashboard use."""
    rules = yaml.safe_load((CONFIGS / "prometheus-alerts.yml").read_text())
    exprs = [rule["expr"] for group in rules["groups"] for rule in group["rules"]]
    dashboard = json.loads((CONFIGS / "grafana-dashboard.json").read_text())
    exprs += [target["expr"] for panel in dashboard["panels"] for target in panel["targets"]]
    return set().union(*(promql_metric_names(expr) for expr in exprs))


def exported_metric_names(node: RunningNode) -> set[str]:
    """The sample names a node's ``/metrics`` can carry (a labelled family with no child yet
    has no sample: its names are its type's)."""
    text = requests.get(node.url + "/metrics", timeout=10).text
    names: set[str] = set()
    for family in text_string_to_metric_families(text):
        names |= {family.name, *(sample.name for sample in family.samples)}
        names |= {family.name + suffix for suffix in SUFFIXES.get(family.type, ())}
    return names


def test_alert_rules_and_dashboard_use_the_nodes_metric_names(
    devnet: RunningNode, tmp_path: Path
) -> None:
    used = configured_metric_names()
    assert {"rollup_healthy", "rollup_output_root_mismatches_open", "l2_blocks_total"} <= used
    assert promql_metric_names("sum by (le) (rate(a_bucket{x='1'}[5m])) - b > 2") == {
        "a_bucket",
        "b",
    }
    # A verifier that challenges and checks with the program exports what a devnet does not.
    challenger_key = "0x" + devnet_accounts()[3][1].removeprefix("0x")
    node = {"challenger_key": challenger_key, "check_with_program": True}
    verifier = follower(tmp_path / "watching", devnet, "verifier", node=node)
    try:
        exported = exported_metric_names(devnet) | exported_metric_names(verifier)
    finally:
        verifier.stop()
    assert used <= exported, f"not exported by the node: {sorted(used - exported)}"


def test_l1_out_of_reach_fails_healthz_and_readyz(devnet: RunningNode, tmp_path: Path) -> None:
    verifier = follower(tmp_path / "cut-off", devnet, "verifier", node=QUICK)
    try:
        wait_for("the verifier to sync", lambda: probe(verifier, "/readyz")[0] == 200)
        devnet.stop()  # the embedded L1 goes with it (this is the module's last test)
        body = wait_for(
            "stale L1 to fail /healthz",
            lambda: failing_with(verifier, "/healthz", "L1 not read for"),
            timeout=30,
        )
        assert body["l1ReadAgeSeconds"] >= QUICK["health_l1_stale_seconds"]
        wait_for("stale L1 to fail /readyz", lambda: failing_with(verifier, "/readyz", "L1 not"))
    finally:
        verifier.stop()


def test_a_posted_root_that_differs_from_ours_fails_healthz(tmp_path: Path) -> None:
    devnet = sequencer(tmp_path / "liar", Faults(wrong_output_root_once=2))
    try:
        body = wait_for(
            "the watcher's mismatch to fail /healthz",
            lambda: failing_with(devnet, "/healthz", "output root mismatch"),
            timeout=60,
        )
        assert "the root posted for L2 block 2" in body["reasons"][0]
        [mismatch] = body["outputRootMismatches"]
        assert mismatch["postedOutputRoot"] != mismatch["localOutputRoot"]
        assert devnet.node.registry.get_sample_value("rollup_output_root_mismatches_open") == 1.0
    finally:
        devnet.stop()
