"""The status page (rpc/status_page.py) in a real browser: Debian's headless Chromium, driven by
Selenium through Debian's chromedriver, loads ``/`` from a running devnet (embedded L1,
sequencer, batcher, proposer) and the test reads the rendered DOM: the mode, the heads moving,
the batcher's and proposer's counts, each number between what the RPC said just before and
just after the page showed it, settlement on L1 (the newest unfinalized batch and its window,
the bond) and no alerts; it saves a screenshot (``STATUS_PAGE_SCREENSHOT`` names where;
``docs/status-page.png`` in the README was made so). A second test serves a verifier's answers
with a dispute game (built as the dispute agent builds its entries) and reads the game and its
claims off the page (``/status``); tests/e2e/test_status_page.py shows a real game. Skipped
where Chromium, chromedriver or Selenium are absent (``.ci/run`` installs them).
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from rollup_node.rpc.server import build_app
from tests.browser import CLAIM_ROWS_SCRIPT, chromium, needs_browser
from tests.integration.helpers import rpc

TIMEOUT = 60


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Any]:
    with chromium(tmp_path / "chromium") as driver:
        yield driver


def _wait(condition: Callable[[], Any], what: str) -> Any:
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


@needs_browser
def test_status_page_renders_the_nodes_state(devnet, browser: Any, tmp_path: Path) -> None:  # noqa: ANN001
    from selenium.webdriver.common.by import By

    def text(element_id: str) -> str:
        return browser.find_element(By.ID, element_id).text

    def number(element_id: str) -> int | None:
        value = text(element_id)
        return int(value) if value.isdigit() else None

    def sync() -> dict[str, int]:
        status = rpc(devnet.url, "rollup_syncStatus")["result"]
        return {
            "unsafe-l2": int(status["unsafeL2"]["number"], 16),
            "safe-l2": int(status["safeL2"]["number"], 16),
            "l1-head": int(status["headL1"], 16),
        }

    browser.get(devnet.url + "/")  # a browser's GET of the RPC root gets the page
    _wait(lambda: number("unsafe-l2") is not None, "the heads to render")
    assert text("mode") == "devnet"
    assert text("chain-id") == str(devnet.w3.eth.chain_id)
    first = number("unsafe-l2")
    assert first is not None
    _wait(lambda: (number("unsafe-l2") or 0) > first, "the unsafe head to advance")
    # The batcher posts, derivation makes blocks safe, the proposer posts their roots.
    _wait(lambda: (number("batches-posted") or 0) > 0, "a batch to be posted")
    _wait(lambda: (number("safe-l2") or 0) > 0, "a safe head")
    _wait(lambda: (number("outputs-proposed") or 0) > 0, "an output root to be proposed")
    assert text("proposer-state") == "running"
    # Settlement as L1 says it: a posted state batch, its window counting down, the bond.
    final_posted = _wait(
        lambda: re.fullmatch(r"(\d+) / ([1-9]\d*)", text("batches-final")), "settlement"
    )
    settlement = rpc(devnet.url, "rollup_settlementStatus")["result"]
    assert int(final_posted[1]) <= settlement["batchesFinal"]
    assert settlement["newestUnfinalized"] is not None  # a 600 s window: nothing final yet
    assert re.fullmatch(r"\d+", text("newest-batch")), text("newest-batch")
    assert re.fullmatch(r"(\d+ min )?\d+ s", text("window-left")), text("window-left")
    required = devnet.node.rollup.required_bond // 10**18
    assert text("bond") == f"{required}.0000 ETH (required {required}.0000 ETH)"
    assert text("alerts") == "none: /healthz and /readyz pass"

    # Each shown number lies between the RPC's answers just before and just after it was read
    # (the page refreshes every second while the chain moves).
    before = sync()
    updates = int(browser.find_element(By.TAG_NAME, "body").get_attribute("data-updates"))
    _wait(
        lambda: (
            int(browser.find_element(By.TAG_NAME, "body").get_attribute("data-updates")) > updates
        ),
        "a refresh after the first read",
    )
    shown = {key: number(key) for key in before}
    after = sync()
    for key, value in shown.items():
        assert value is not None and before[key] <= value <= after[key], (key, before, after)
    assert text("error") == ""

    screenshot = Path(os.environ.get("STATUS_PAGE_SCREENSHOT", tmp_path / "status-page.png"))
    assert browser.save_screenshot(str(screenshot))
    assert screenshot.stat().st_size > 10_000


async def test_status_page_is_served_self_contained(chain) -> None:  # noqa: ANN001
    """No browser needed: the page is HTML, reads the node's own methods, loads nothing from
    elsewhere (it must work offline)."""
    async with TestClient(TestServer(build_app(chain))) as client:
        response = await client.get("/status")
        assert response.status == 200
        assert response.content_type == "text/html"
        page = await response.text()
    for method in (
        "rollup_syncStatus",
        "rollup_nodeStatus",
        "rollup_disputes",
        "rollup_settlementStatus",
    ):
        assert method in page
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert "@import" not in page


class _VerifierWithAGame:
    """A verifier's ``rollup_`` answers with one dispute game, built as the dispute agent
    builds its entries (``TrackedGame.as_json``) so that the page reads the real shape."""

    def __init__(self, game: dict[str, Any]) -> None:
        self.game = game

    def sync_status(self) -> dict[str, Any]:
        ref = {"number": "0x2a", "hash": "0x" + "00" * 32, "timestamp": 0}
        return {
            "headL1": "0x10",
            "safeL1": "0x10",
            "finalizedL1": "0xf",
            "unsafeL2": ref,
            "safeL2": ref,
            "finalizedL2": ref,
            "currentL1Origin": {"number": "0xf", "sequenceNumber": "0x0"},
            "batchesDerived": 7,
            "malformedBatches": 0,
        }

    def node_status(self) -> dict[str, Any]:
        return {"mode": "verifier", "alerts": [], "batcher": None, "proposer": None}

    async def settlement(self) -> dict[str, Any] | None:
        return None

    def output_at_block(self, number: int) -> dict[str, Any]:
        raise NotImplementedError("not read by the page")

    def rollup_config(self) -> dict[str, Any]:
        return {}

    def disputes(self) -> list[dict[str, Any]]:
        return [{"kind": "game", **self.game}]


@needs_browser
def test_status_page_shows_a_dispute_game_with_its_claims(chain, browser: Any) -> None:  # noqa: ANN001
    from selenium.webdriver.common.by import By

    from rollup_node.faultproof.game.agent import TrackedGame
    from rollup_node.protocol.dispute import Claim
    from tests.unit.rpc.live_server import LiveServer

    us, them = "0x" + "ab" * 20, "0x" + "cd" * 20

    def claim(index: int, parent: int | None, position: int, claimant: str) -> Claim:
        return Claim(index, parent, position, bytes(32), claimant, 10**17, None, 0, 0)

    game = TrackedGame(
        address="0x" + "99" * 20,
        element=42,
        root_claim=bytes(32),
        l1_head_number=15,
        challenger=us,
        client=None,  # type: ignore[arg-type] - the page reads only the JSON entry
        claims=[claim(0, None, 1, them), claim(1, 0, 2, us), claim(2, 1, 5, them)],
        seconds_left={0: 3_000, 1: 2_500, 2: 2_400},
        next_action="move (attack) on claim 2",
    ).as_json(us)
    server = LiveServer(build_app(chain, rollup=_VerifierWithAGame(game)))
    try:
        browser.get(server.url + "status")
        _wait(
            lambda: game["address"] in browser.find_element(By.ID, "disputes").text,
            "the game to render",
        )
        text = browser.find_element(By.ID, "disputes").text
        assert "block 42 · in_progress · our role: challenger" in text
        assert "next: move (attack) on claim 2" in text
        cells = browser.execute_script(CLAIM_ROWS_SCRIPT)
        assert [row[2:4] + row[5:] for row in cells] == [
            ["0x1", them, "3000"],
            ["0x2", us, "2500"],
            ["0x5", them, "2400"],
        ]
        assert browser.find_element(By.ID, "mode").text == "verifier"
        assert browser.find_element(By.ID, "batches-posted").text == "not a sequencer"
    finally:
        server.close()
