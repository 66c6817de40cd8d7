"""The browser tests need a headless Chromium: without one they are skipped, saying what to
install; with $CI set they fail instead, so that CI can never pass without them."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.chromium import missing, open_browser


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless Chromium for the module's tests."""
    problem = missing()
    if problem is not None:
        if _in_ci():
            pytest.fail(f"the browser tests cannot run: {problem}", pytrace=False)
        pytest.skip(f"browser tests skipped: {problem} (with $CI set they fail)")
    driver = open_browser()
    try:
        yield driver
    finally:
        driver.quit()
