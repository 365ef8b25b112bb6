"""Headless Chromium for the status page's tests: Debian's chromium, driven by Selenium through
Debian's chromedriver. ``needs_browser`` skips a test where one of the three is absent
(``.ci/run`` installs them); ``chromium`` opens a browser and always quits it."""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

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

#: The claims table of the page's dispute section, read in one script: the page rebuilds it
#: every second, so elements found by one WebDriver call may be gone by the next.
CLAIM_ROWS_SCRIPT = (
    "return [...document.querySelectorAll('#disputes table tr')].slice(1)"
    ".map((row) => [...row.cells].map((cell) => cell.textContent.trim()))"
)


@contextlib.contextmanager
def chromium(profile: Path) -> Iterator[Any]:
    """A headless Chromium WebDriver with its profile in ``profile``."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
    try:
        yield driver
    finally:
        driver.quit()
