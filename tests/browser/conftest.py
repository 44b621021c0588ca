"""Browser tests: Debian's Chromium driven by Playwright (no browser download).

``make test`` installs Chromium when it is missing. Without it these tests skip with a reason,
or fail where ``AUTHMW_REQUIRE_SERVICES=1`` (CI) says every part must be there.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("AUTHMW_CHROMIUM", "/usr/bin/chromium")
#: Flags that work on a machine without network or screen (see the env notes).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: Screenshots of every built-in page land here (ignored by git) for a reviewer to look at.
SCREENSHOTS = Path(__file__).parent / "screenshots"


def _require_chromium() -> None:
    if Path(CHROMIUM).exists() or shutil.which(CHROMIUM):
        return
    reason = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
    if os.environ.get("AUTHMW_REQUIRE_SERVICES") == "1":
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium() -> Iterator[object]:
    """One headless Chromium for the whole run."""
    _require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
