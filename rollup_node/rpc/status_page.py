"""The status page: one self-contained HTML page a person looks at, served at ``GET /status``.

The page (``status_page.html``, beside this module) loads nothing from elsewhere, so it works
offline: its script reads the node's own JSON-RPC on the same port once a second
(``rollup_syncStatus``, ``rollup_nodeStatus``, ``rollup_disputes``, ``eth_chainId``) and shows
the mode, the L2 heads (unsafe, safe, finalized) and L1 heads, the lag of safe and finalized
behind the unsafe head over the last five minutes, what the batcher and proposer posted, and
every dispute game with its claims (position, claimant, clock). On a node without the
``rollup_`` namespace (an embedded L1's port) the page says which calls failed.
"""

from __future__ import annotations

from importlib import resources

from aiohttp import web

PAGE = resources.files(__package__).joinpath("status_page.html").read_text(encoding="utf-8")


async def handle(_: web.Request) -> web.Response:
    """Serve the page (no caching: a new node version may serve a new page)."""
    return web.Response(text=PAGE, content_type="text/html", headers={"Cache-Control": "no-cache"})
