"""Headless Chromium through selenium, for the report's browser tests and `make screenshots`.

Debian's ``chromium`` and ``chromium-driver`` are found on the PATH (or named by
``$JOBSEARCH_CHROMIUM`` and ``$JOBSEARCH_CHROMEDRIVER``); selenium is never let to
download a driver.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

__all__ = ["INSTALL", "missing", "open_browser", "severe_messages"]

INSTALL = "apt-get install chromium chromium-driver (and pip install selenium)"
_BROWSERS = ("chromium", "chromium-browser", "google-chrome")
_DRIVERS = ("chromedriver", "/usr/lib/chromium/chromedriver")


def _found(variable: str, names: tuple[str, ...]) -> str | None:
    given = os.environ.get(variable)
    if given:
        return given if Path(given).exists() else None
    for name in names:
        path = shutil.which(name) or (name if Path(name).is_file() else None)
        if path:
            return path
    return None


def missing() -> str | None:
    """What is missing to run a headless Chromium, in words; None when nothing is."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        return f"selenium is not installed: {INSTALL}"
    if _found("JOBSEARCH_CHROMIUM", _BROWSERS) is None:
        return f"no Chromium found (chromium, chromium-browser, $JOBSEARCH_CHROMIUM): {INSTALL}"
    if _found("JOBSEARCH_CHROMEDRIVER", _DRIVERS) is None:
        return f"no chromedriver found (chromedriver, $JOBSEARCH_CHROMEDRIVER): {INSTALL}"
    return None


def open_browser(width: int = 1280, height: int = 900) -> Any:
    """A headless Chromium (a selenium WebDriver) that keeps the page's console messages."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--hide-scrollbars",
        "--force-device-scale-factor=1",
        f"--window-size={width},{height}",
    ):
        options.add_argument(argument)
    options.binary_location = _found("JOBSEARCH_CHROMIUM", _BROWSERS) or ""
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = Service(executable_path=_found("JOBSEARCH_CHROMEDRIVER", _DRIVERS))
    return webdriver.Chrome(service=service, options=options)


def severe_messages(driver: Any) -> list[str]:
    """The console's errors since last asked (the browser log is emptied by reading it)."""
    return [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
