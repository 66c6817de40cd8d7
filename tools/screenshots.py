"""``python -m tools.screenshots FOLDER``: the pictures of the docs, drawn from the demo.

The report at 1280 and 390 pixels wide, opened two thirds of the way through the search
(so that the chart shows the replay's cursor), and the bump chart as `history --plot`
writes it (SVG, and PNG as the browser draws it), taken in headless Chromium so that
they show what a reader's browser shows. `make screenshots` runs it into docs/images.
"""

from __future__ import annotations

import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from tests.browser.chromium import missing, open_browser, severe_messages

from jobsearch_core import open_log
from jobsearch_core.charts import save_bump_chart
from jobsearch_core.demo import load_demo
from jobsearch_core.report import report_html
from jobsearch_core.views import HISTORY


def main(folder: Path) -> int:
    """Write the pictures into `folder`; 1 (and why) when no headless Chromium is found."""
    problem = missing()
    if problem is not None:
        print(f"screenshots: {problem}", file=sys.stderr)
        return 1
    folder.mkdir(parents=True, exist_ok=True)
    now = datetime.now(UTC)
    log = open_log("memory://")
    load_demo(log, now=now)
    chart = folder / "bump-chart.svg"
    save_bump_chart(log.view(HISTORY).ranks, str(chart), title="Gap ranks (demo)", end=now)
    browser = open_browser(1280, 1000)
    try:
        with tempfile.TemporaryDirectory() as scratch:
            page = Path(scratch) / "report.html"
            replayed = report_html(log, as_of=2 * log.head // 3, now=now)
            page.write_text(replayed, encoding="utf-8")
            for width, height, name in ((1280, 1000, "report.png"), (390, 844, "report-phone.png")):
                browser.set_window_size(width, height)
                browser.get(page.as_uri())
                browser.save_screenshot(str(folder / name))
        browser.set_window_size(1000, 800)
        browser.get(chart.resolve().as_uri())
        browser.find_element("tag name", "svg").screenshot(str(folder / "bump-chart.png"))
        errors = severe_messages(browser)
    finally:
        browser.quit()
    if errors:
        print("screenshots: the browser reported errors:", *errors, sep="\n  ", file=sys.stderr)
        return 1
    for name in ("report.png", "report-phone.png", "bump-chart.png", "bump-chart.svg"):
        print(f"wrote {folder / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/images")))
