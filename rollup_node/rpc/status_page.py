"""The status page: one self-contained HTML page a person looks at, served at ``GET /``.

The page (``status_page.html``, beside this module) loads nothing from elsewhere, so it works
offline: its script reads the node's own JSON-RPC on the same port once a second
(``rollup_syncStatus``, ``rollup_nodeStatus``, ``rollup_disputes``,
``rollup_settlementStatus``, ``eth_chainId``) and shows the mode, the L2 heads (unsafe, safe,
finalized) and L1 heads, the lag of safe and finalized behind the unsafe head over the last
five minutes, what the batcher and proposer posted, settlement on L1 (batches final, the newest
unfinalized batch and its fraud-proof window left, the proposer's bond), the alerts (why the
health probes fail: root mismatches, L1 stale, a stalled head, sync behind), and every dispute
game with its claims (position, claimant, clock). Served at ``GET /`` (not a WebSocket upgrade)
and ``/status``. On a node without the
``rollup_`` namespace (an embedded L1's port) the page says which calls failed.
"""

from __future__ import annotations

from importlib import resources

from aiohttp import web

PAGE = resources.files(__package__).joinpath("status_page.html").read_text(encoding="utf-8")


async def handle(_: web.Request) -> web.Response:
    """Serve the page (no caching: a new node version may serve a new page)."""
    return web.Response(text=PAGE, content_type="text/html", headers={"Cache-Control": "no-cache"})
