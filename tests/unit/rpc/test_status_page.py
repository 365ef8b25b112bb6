"""The status page (rpc/status_page.py) in a real browser: Debian's headless Chromium, driven by
Selenium through Debian's chromedriver, loads ``/status`` from a running devnet (embedded L1,
sequencer, batcher, proposer) and the test reads the rendered DOM: the mode, the heads moving,
the batcher's and proposer's counts, each number between what the RPC said just before and
just after the page showed it. A screenshot is saved (``STATUS_PAGE_SCREENSHOT`` names where;
``docs/status-page.png`` in the README was made so). Skipped where Chromium, chromedriver or
Selenium are absent (``.ci/run`` installs them).
"""

from __future__ import annotations

import os
import re
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from rollup_node.rpc.server import build_app
from tests.integration.helpers import rpc

CHROMIUM = shutil.which("chromium")
CHROMEDRIVER = shutil.which("chromedriver")
try:
    import selenium  # noqa: F401 - only whether it is installed
except ImportError:  # pragma: no cover - the dev extra installs it
    HAVE_SELENIUM = False
else:
    HAVE_SELENIUM = True

needs_browser = pytest.mark.skipif(
    CHROMIUM is None or CHROMEDRIVER is None or not HAVE_SELENIUM,
    reason="needs Debian's chromium and chromium-driver (apt-get install chromium "
    "chromium-driver) and selenium (pip install -e '.[dev]')",
)

TIMEOUT = 60
# As the machine notes prescribe for headless Chromium here: without the background-networking
# flags it keeps trying to reach Google's hosts, which this closed network refuses.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1200,820",
)


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Any]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'chromium'}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
    try:
        yield driver
    finally:
        driver.quit()


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

    browser.get(devnet.url + "/status")
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
    for method in ("rollup_syncStatus", "rollup_nodeStatus", "rollup_disputes"):
        assert method in page
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert "@import" not in page
