"""The report in a real browser (headless Chromium): the replay control driven to every
position of the demo and compared with `view(..., as_of=position)`, play, the layout at
1280 and 390 pixels, print, no network, and hostile names."""

from __future__ import annotations

import base64
import os
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from jobsearch_core import EventLog, GapAdded, GapPromoted, ResumeSubmitted, open_log
from jobsearch_core.demo import load_demo
from jobsearch_core.report import report_html
from jobsearch_core.testing.strategies import HOSTILE_TEXTS
from tests.browser.chromium import severe_messages
from tests.searches import load_large_search

NOW = datetime.now(UTC).replace(microsecond=0)

#: What the page shows at each position asked: the date, and each section's rows as
#: (key, the cells' text).
_READ = """
var positions = arguments[0];
var range = document.querySelector('input[name="as-of"]');
function rows(section, attribute) {
  var found = document.querySelectorAll("#section-" + section + " tr[data-" + attribute + "]");
  return Array.prototype.map.call(found, function (row) {
    var cells = Array.prototype.map.call(row.cells, function (cell) { return cell.textContent; });
    return [row.getAttribute("data-" + attribute), cells];
  });
}
return positions.map(function (position) {
  range.value = String(position);
  range.dispatchEvent(new Event("input", {bubbles: true}));
  return {
    value: Number(range.value),
    shown: document.getElementById("as-of-shown").textContent,
    gaps: rows("gaps", "skill"),
    plan: rows("plan", "skill"),
    roles: rows("roles", "role"),
    funnel: rows("funnel", "stage"),
    applications: rows("applications", "application")
  };
});
"""


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.0f}%"


def check_against_views(log: EventLog, position: int, shown: dict[str, Any], stream: str) -> None:
    """The sections shown at `position` are the views as of it."""
    gaps = log.view("gaps", stream=stream, as_of=position)
    assert [key for key, _ in shown["gaps"]] == [item.skill for item in gaps.items]
    assert [cells[0] for _, cells in shown["gaps"]] == [str(item.rank) for item in gaps.items]
    plan = log.view("plan", stream=stream, as_of=position)
    assert [(key, cells[0]) for key, cells in shown["plan"]] == [
        (item.skill, str(item.suggested_rank)) for item in plan.items
    ]
    roles = log.view("roles", stream=stream, as_of=position).roles
    assert [(key, cells[4]) for key, cells in shown["roles"]] == [
        (f"{role.role} at {role.company}", _percent(role.coverage)) for role in roles
    ]
    pipeline = log.view("pipeline", stream=stream, as_of=position)
    funnel = pipeline.funnel if pipeline.total else []
    assert [(key, cells[1:4]) for key, cells in shown["funnel"]] == [
        (str(row.stage), [str(row.count), str(row.cut), str(row.pending)]) for row in funnel
    ]
    assert [(key, cells[2:4]) for key, cells in shown["applications"]] == [
        (app.id, [str(app.stage), "open" if app.outcome is None else str(app.outcome)])
        for app in pipeline.applications.values()
    ]


def open_page(browser: Any, path: Path) -> None:
    """Load a report file and wait for its script to have drawn it."""
    browser.get(path.as_uri())
    assert browser.execute_script("return document.documentElement.dataset.ready") == "true"


def overflow(browser: Any) -> list[int]:
    """How far the page and each table's wrapper scroll sideways (0: not at all)."""
    found: list[int] = browser.execute_script(
        """
        var doc = document.documentElement;
        var wide = [doc.scrollWidth - doc.clientWidth];
        document.querySelectorAll(".table-wrap").forEach(function (wrap) {
          wide.push(wrap.scrollWidth - wrap.clientWidth);
        });
        return wide;
        """
    )
    return found


def screenshot(browser: Any, width: int, path: Path) -> None:
    """The whole page at `width` pixels, saved (to $JOBSEARCH_SCREENSHOTS too, to look at)."""
    browser.set_window_size(width, 900)
    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(width, min(height + 120, 12000))
    browser.save_screenshot(str(path))
    folder = os.environ.get("JOBSEARCH_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        browser.save_screenshot(str(Path(folder) / path.name))
    browser.set_window_size(1280, 900)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("browser")


@pytest.fixture(scope="module")
def demo(folder: Path) -> tuple[EventLog, Path]:
    """The demo search and its report, written to a file."""
    log = open_log("memory://")
    load_demo(log, now=NOW)
    page = folder / "demo.html"
    page.write_text(report_html(log, now=NOW), encoding="utf-8")
    return log, page


class TestDemo:
    """The demo's report, driven like a person would."""

    def test_no_console_errors(self, browser: Any, demo: tuple[EventLog, Path]) -> None:
        """It loads, draws and replays without a single console error or network request."""
        log, page = demo
        open_page(browser, page)
        browser.execute_script(_READ, [1, log.head // 2, log.head])
        assert severe_messages(browser) == []
        assert browser.execute_script("return performance.getEntriesByType('resource').length") == 0

    def test_every_position_is_the_view(self, browser: Any, demo: tuple[EventLog, Path]) -> None:
        """At every position of the log, the gap list, plan, roles, funnel and applications
        shown are `view(..., as_of=position)`, and the control stays where it was put."""
        log, page = demo
        open_page(browser, page)
        positions = list(range(1, log.head + 1))
        random.Random(7).shuffle(positions)  # back and forth, not only forward
        for position, shown in zip(
            positions, browser.execute_script(_READ, positions), strict=True
        ):
            assert shown["value"] == position
            assert f"#{position}:" in shown["shown"]
            check_against_views(log, position, shown, "me")
        assert severe_messages(browser) == []

    def test_play_runs_to_the_end(self, browser: Any, demo: tuple[EventLog, Path]) -> None:
        """Play steps through every later position and stops at the last, which is today."""
        from selenium.webdriver.support.ui import WebDriverWait

        log, page = demo
        open_page(browser, page)
        browser.execute_script(_READ, [log.head - 12])
        play = browser.find_element("id", "play")
        play.click()
        assert play.get_attribute("aria-pressed") == "true"
        assert play.text == "Pause"
        WebDriverWait(browser, 20).until(lambda _: play.get_attribute("aria-pressed") == "false")
        value = browser.execute_script(
            "return document.querySelector('input[name=\"as-of\"]').value"
        )
        assert int(value) == log.head
        assert play.text == "Play"
        assert browser.find_element("id", "as-of-shown").text.startswith("today")
        assert severe_messages(browser) == []

    def test_step_buttons(self, browser: Any, demo: tuple[EventLog, Path]) -> None:
        """Back and forward move one event; the chart's cursor moves with them."""
        log, page = demo
        open_page(browser, page)
        range_ = browser.find_element("name", "as-of")
        cursor = browser.find_element("id", "bump-cursor")
        end = float(cursor.get_attribute("x"))
        browser.find_element("id", "step-back").click()
        assert int(range_.get_attribute("value")) == log.head - 1
        for _ in range(20):
            browser.find_element("id", "step-back").click()
        assert float(cursor.get_attribute("x")) < end
        browser.find_element("id", "step-forward").click()
        assert int(range_.get_attribute("value")) == log.head - 20

    @pytest.mark.parametrize("width", [1280, 390])
    def test_no_sideways_scroll(
        self, browser: Any, demo: tuple[EventLog, Path], folder: Path, width: int
    ) -> None:
        """At 1280 and 390 pixels the page and its tables fit the width."""
        _, page = demo
        open_page(browser, page)
        browser.set_window_size(width, 900)
        assert browser.execute_script("return window.innerWidth") == width
        assert max(overflow(browser)) <= 0
        screenshot(browser, width, folder / f"report-{width}.png")

    def test_prints_on_a4(self, browser: Any, demo: tuple[EventLog, Path]) -> None:
        """Printed, the controls are left out, and the page makes an A4 PDF."""
        _, page = demo
        open_page(browser, page)
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
        try:
            hidden = browser.execute_script(
                "return getComputedStyle(document.querySelector('input[name=\"as-of\"]')).display"
            )
            assert hidden == "none"
        finally:
            browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
        pdf = base64.b64decode(
            browser.execute_cdp_cmd(
                "Page.printToPDF",
                {"paperWidth": 8.27, "paperHeight": 11.69, "printBackground": True},
            )["data"]
        )
        assert pdf.startswith(b"%PDF")
        assert (
            2
            <= pdf.count(b"/Type /Page\n") + pdf.count(b"/Type /Page ") + pdf.count(b"/Type/Page")
            <= 12
        )

    def test_opens_offline(self, browser: Any, demo: tuple[EventLog, Path]) -> None:
        """With the network off, the file opens and replays all the same."""
        log, page = demo
        browser.execute_cdp_cmd("Network.enable", {})
        browser.execute_cdp_cmd(
            "Network.emulateNetworkConditions",
            {"offline": True, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
        )
        try:
            open_page(browser, page)
            (shown,) = browser.execute_script(_READ, [10])
            check_against_views(log, 10, shown, "me")
        finally:
            browser.execute_cdp_cmd(
                "Network.emulateNetworkConditions",
                {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
            )
        assert severe_messages(browser) == []


class TestOtherPages:
    """A big search, two streams in one log, and hostile names."""

    def test_a_big_search(self, browser: Any, folder: Path) -> None:
        """30 skills and 200 applications: positions drawn at random are the views', and the
        page still fits 390 pixels."""
        log = open_log("memory://")
        load_large_search(log, end=NOW)
        page = folder / "big.html"
        page.write_text(report_html(log, now=NOW), encoding="utf-8")
        assert page.stat().st_size < 2_000_000
        open_page(browser, page)
        positions = [*sorted(random.Random(17).sample(range(1, log.head + 1), 25)), log.head]
        for position, shown in zip(
            positions, browser.execute_script(_READ, positions), strict=True
        ):
            check_against_views(log, position, shown, "me")
        browser.set_window_size(390, 900)
        assert max(overflow(browser)) <= 0
        screenshot(browser, 390, folder / "big-390.png")
        assert severe_messages(browser) == []

    def test_two_streams(self, browser: Any, folder: Path) -> None:
        """A position of another stream shows this stream as of that position."""
        log = open_log("memory://")
        for day in range(6):
            at = NOW - timedelta(days=10 - day)
            log.append([GapAdded(skill=f"skill {day}", at=at)], stream="me")
            log.append([GapAdded(skill=f"theirs {day}", at=at)], stream="ann")
        log.append([GapPromoted(skill="skill 4", to_rank=1, at=NOW)], stream="me")
        page = folder / "two.html"
        page.write_text(report_html(log, now=NOW), encoding="utf-8")
        open_page(browser, page)
        positions = list(range(1, log.head + 1))
        for position, shown in zip(
            positions, browser.execute_script(_READ, positions), strict=True
        ):
            check_against_views(log, position, shown, "me")
        assert severe_messages(browser) == []

    def test_hostile_names(self, browser: Any, folder: Path) -> None:
        """Markup, quotes, NUL and right-to-left text in names are shown as text: no script
        runs, no element is made of them, and each skill's row says it exactly."""
        from selenium.common.exceptions import NoAlertPresentException

        log = open_log("memory://")
        hostile = [
            *HOSTILE_TEXTS,
            "</script><script>window.pwned = 1</script>",
            '"><img src=x onerror="window.pwned = 2">',
            "<style>body{display:none}</style>",
        ]
        log.append(
            [
                GapAdded(skill=text, at=NOW - timedelta(hours=len(hostile) - i))
                for i, text in enumerate(hostile)
            ]
            + [
                ResumeSubmitted(
                    application_id=hostile[-2], company=hostile[-3], role="<b>r</b>", at=NOW
                )
            ]
        )
        page = folder / "hostile.html"
        page.write_text(report_html(log, now=NOW), encoding="utf-8")
        open_page(browser, page)
        assert browser.execute_script("return window.pwned") is None
        with pytest.raises(NoAlertPresentException):
            browser.switch_to.alert.text  # noqa: B018
        assert (
            browser.execute_script(
                "return document.querySelectorAll('main img, main b, main style').length"
            )
            == 0
        )
        (shown,) = browser.execute_script(_READ, [log.head])
        check_against_views(log, log.head, shown, "me")
        assert severe_messages(browser) == []
