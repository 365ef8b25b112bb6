"""The status page of a verifier in a real dispute, in headless Chromium (``tests/browser.py``).

The sequencer proposes one wrong output root (``Faults``, tests only); a verifier with a
challenger key finds the mismatch and opens a game against it, as in
``test_disputes.test_verifier_challenges_a_wrong_root_and_wins``. The verifier's page, loaded
from ``/`` on its RPC port, must show the alert, the mismatch, and the game with the claims the
verifier's ``rollup_disputes`` lists (position, claimant, clock), and settlement on L1. The test
stops once the game is rendered (it does not wait for the game to resolve): ~30 s per L1
(measured: 30 s embedded, 23 s anvil).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account

from rollup_node.chain.genesis import devnet_accounts
from rollup_node.faults import Faults
from tests.browser import CLAIM_ROWS_SCRIPT, chromium, needs_browser
from tests.e2e.rollup_helpers import follower, sequencer, wait_for

pytestmark = [pytest.mark.slow, needs_browser]

WRONG_BLOCK = 4
CHALLENGER_KEY = "0x" + devnet_accounts()[3][1].removeprefix("0x")


def games(node: Any) -> list[dict[str, Any]]:  # noqa: ANN401 - RunningNode
    """The games in the node's ``rollup_disputes``."""
    entries = node.w3.provider.make_request("rollup_disputes", [])["result"]
    return [entry for entry in entries if entry["kind"] == "game"]


@pytest.mark.timeout(300)
def test_a_verifiers_page_shows_its_real_dispute_game(tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    seq = sequencer(tmp_path / "seq", Faults(wrong_output_root_once=WRONG_BLOCK))
    ver = follower(tmp_path / "ver", seq, "verifier", node={"challenger_key": CHALLENGER_KEY})
    challenger = Account.from_key(CHALLENGER_KEY).address
    try:
        with chromium(tmp_path / "chromium") as browser:

            def text(element_id: str) -> str:
                return browser.find_element(By.ID, element_id).text

            browser.get(ver.url + "/")
            (game,) = wait_for("the verifier's game", lambda: games(ver), timeout=150)
            wait_for("the game on the page", lambda: game["address"] in text("disputes"))
            shown = text("disputes")
            assert f"block {WRONG_BLOCK} · " in shown and "our role: challenger" in shown
            assert "output root mismatch" in shown  # the watcher's finding, under the game
            assert f"the root posted for L2 block {WRONG_BLOCK}" in text("alerts")
            assert text("mode") == "verifier"
            assert re.fullmatch(r"\d+ / [1-9]\d*", text("batches-final")), text("batches-final")

            # The claims as rendered: one row per claim of the game the node reports, with
            # its position and claimant (the clock is read live, so it is only a number here).
            def rows_match() -> list[list[str]] | None:
                claims = games(ver)[0]["claims"]
                rows = browser.execute_script(CLAIM_ROWS_SCRIPT)
                expected = [[c["position"], c["claimant"]] for c in claims]
                return rows if [row[2:4] for row in rows] == expected else None

            rows = wait_for("the claims on the page", rows_match, timeout=30)
            assert rows[0][2:4] == ["0x1", challenger]  # the root claim: the challenger's
            assert all(re.fullmatch(r"\d+", row[5]) for row in rows), rows
            browser.save_screenshot(str(tmp_path / "verifier-status-page.png"))
    finally:
        ver.stop()
        seq.stop()
