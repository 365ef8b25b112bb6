"""Hostile-input fuzz of a real node: N requests over HTTP and WebSocket, L2 and embedded L1.

Starts ``rollup-node devnet`` as a child process (so that a crash is seen, not suffered),
sends the seeded corpus of ``tests/integration/hostile.py`` (malformed JSON, deep nesting,
out-of-range numbers and ids, wrong types for every method, garbage raw transactions, batches
up to 1,000, bodies of 1-6 MB) half to the L2 and half to the embedded L1, each alternately
over HTTP and one WebSocket, and judges every answer: JSON-RPC 2.0 with an EIP-1474 code,
strict JSON, never -32603 (HTTP 413 for a body over the limit is fine). The node's RSS growth
is measured from after a short warm-up (another seed) to the end. The last line: requests,
crashes, non-JSON answers, internal errors, RSS growth.
Usage: ``python bench/rpc_fuzz.py [requests] [seed]`` (default 10,000 and 1).
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.integration.hostile import DevnetProcess, FuzzReport, fuzz, hostile_bodies  # noqa: E402


async def _run(total: int, seed: int, base: Path) -> int:
    node = DevnetProcess(base / "data", base / "node.log")
    try:
        node.wait_ready()
        rss_start = node.rss_bytes()
        targets = [("l2", node.l2_url, node.l2_ws), ("l1", node.l1_url, node.l1_ws)]
        # Warm-up (another seed, 5% of the run): buffers and caches a first giant body or a
        # first batch allocates once are not growth; the figure is measured after it.
        for offset, (_, http_url, ws_url) in enumerate(targets):
            warm_up = hostile_bodies(seed * 2 + offset + 1_000, max(total // 40, 10))
            await fuzz(http_url, ws_url, warm_up, node.alive)
        rss_before = node.rss_bytes() if node.alive() else rss_start
        started = time.perf_counter()
        reports: list[tuple[str, FuzzReport]] = []
        for offset, (name, http_url, ws_url) in enumerate(targets):
            bodies = hostile_bodies(seed * 2 + offset, total // 2)
            reports.append((name, await fuzz(http_url, ws_url, bodies, node.alive)))
        seconds = time.perf_counter() - started
        rss_after = node.rss_bytes() if node.alive() else rss_before
    finally:
        status = node.stop()
    crashes = sum(r.crashes for _, r in reports) + (0 if status == 0 else 1)
    for name, report in reports:
        print(
            f"{name}: {report.requests} requests, {report.answers} answers, "
            f"{report.non_json} non-JSON, {report.internal_errors} internal errors, "
            f"{report.other_problems} other problems"
        )
        for problem in report.problems:
            print(f"  {problem[:300]}")
    print(
        f"node exit status after SIGTERM: {status}; {seconds:.0f} s; RSS at start "
        f"{rss_start / 2**20:.0f} MB, after warm-up {rss_before / 2**20:.0f} MB, "
        f"at the end {rss_after / 2**20:.0f} MB"
    )
    _print_tracebacks(base / "node.log")
    requests = sum(r.requests for _, r in reports)
    non_json = sum(r.non_json for _, r in reports)
    internal = sum(r.internal_errors for _, r in reports)
    growth_mb = (rss_after - rss_before) / 2**20
    print(
        f"requests={requests} crashes={crashes} non_json={non_json} internal_errors={internal} "
        f"rss_growth_mb={growth_mb:.1f}"
    )
    other = sum(r.other_problems for _, r in reports)
    return 0 if crashes == non_json == internal == other == 0 and growth_mb < 50 else 1


def _print_tracebacks(log: Path, limit: int = 3) -> None:
    """The node's first few tracebacks (a 500 answer or -32603 leaves one in its log)."""
    lines = log.read_text(errors="replace").splitlines()
    shown = 0
    for index, line in enumerate(lines):
        if line.startswith("Traceback") and shown < limit:
            shown += 1
            end = next((j for j in range(index + 1, len(lines)) if lines[j][:1] not in " "), index)
            print("\n".join(lines[max(0, index - 1) : end + 1]))


def main() -> int:
    """Run the fuzz and print its figures; non-zero exit if any rule was broken."""
    total = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    with tempfile.TemporaryDirectory(prefix="rpc-fuzz-") as tmp:
        return asyncio.run(_run(total, seed, Path(tmp)))


if __name__ == "__main__":
    sys.exit(main())
