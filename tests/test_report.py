"""The HTML report: the states it replays (the same as `view(as_of=...)`), the changes it
stores between frames, its escaping, its size, and the `register_report_sections` hook."""

from __future__ import annotations

import copy
import html.parser
import json
import re
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jobsearch_core import (
    ApplicationClosed,
    EventLog,
    EventRetracted,
    GapAdded,
    GapPromoted,
    InterviewScheduled,
    PluginError,
    ResumeSubmitted,
    RoleSuggested,
    hookimpl,
    open_log,
)
from jobsearch_core.demo import load_demo
from jobsearch_core.plugins import load_catalog, pm
from jobsearch_core.report import Column, Lines, ReportSection, Row, Table, report_html
from jobsearch_core.report.frames import changes, encode_blocks, frames, states_after_each
from jobsearch_core.testing import replayable
from jobsearch_core.testing.strategies import HOSTILE_TEXTS, event_sequences
from tests.conftest import Run

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
VIEWS = ["pipeline", "gaps", "roles", "history", "plan"]
_DATA = re.compile(r'<script type="application/json" id="report-data">(.*?)</script>', re.S)


def page_data(page: str) -> dict[str, Any]:
    """The JSON the page embeds, read back."""
    (found,) = _DATA.findall(page)
    data: dict[str, Any] = json.loads(found)
    return data


def replayed(data: Mapping[str, Any]) -> Iterator[dict[str, list[dict[str, Any]]]]:
    """Each frame's sections, rebuilt from the stored changes as the page's script does."""
    shown: dict[str, list[dict[str, Any]]] = {}
    for frame in data["frames"]:
        for name, change in frame["s"].items():
            if "full" in change:
                shown[name] = copy.deepcopy(change["full"])
                continue
            for block, step in zip(shown[name], change["blocks"], strict=True):
                for key, value in (step or {}).items():
                    if key == "append":
                        block["order"] = block["order"] + value
                    elif key == "rows":
                        block["rows"].update(value)
                    else:
                        block[key] = value
        yield copy.deepcopy(shown)


def visible(blocks: list[dict[str, Any]]) -> list[Any]:
    """What blocks show: rows in order (not the rows a table dropped), lines, captions."""
    found: list[Any] = []
    for block in blocks:
        if block["kind"] == "table":
            found.append((block["caption"], [block["rows"][i] for i in block["order"]]))
        else:
            found.append((block["title"], block["lines"]))
    return found


@pytest.fixture(scope="module")
def demo() -> EventLog:
    log = open_log("memory://")
    load_demo(log, now=NOW)
    return log


@pytest.fixture(scope="module")
def demo_page(demo: EventLog) -> str:
    return report_html(demo, now=NOW)


class TestStates:
    """The states the report replays are the views' own, position by position."""

    def test_demo_every_position(self, demo: EventLog) -> None:
        """After every event of the demo, each view's answer is `view(as_of=position)`'s."""
        seen = 0
        for recorded, states in states_after_each(demo, VIEWS, stream="me"):
            for name in VIEWS:
                assert states[name] == demo.view(name, as_of=recorded.position), (
                    name,
                    recorded.position,
                )
            seen += 1
        assert seen == demo.head

    @settings(max_examples=40)
    @given(events=event_sequences(max_size=25), other=st.lists(st.integers(0, 24), max_size=5))
    def test_generated(self, events: list[Any], other: list[int]) -> None:
        """Any events (corrections too), with another stream's between: still the views'."""
        log = open_log("memory://")
        placed: dict[int, int] = {}  # place in the stream -> log position
        for i, event in enumerate(replayable(events), start=1):
            if i in other:
                log.append([GapAdded(skill="between", at=event.at)], stream="ann")
            if isinstance(event, EventRetracted):
                event = attrs.evolve(event, position=placed[event.position])
            (recorded,) = log.append([event], stream="me")
            placed[i] = recorded.position
        for recorded, states in states_after_each(log, VIEWS, stream="me"):
            assert recorded.stream == "me"
            for name in VIEWS:
                assert states[name] == log.view(name, as_of=recorded.position), name


class TestFrames:
    """What the page stores: one frame per event, the changes from the one before."""

    def test_changes_rebuild_every_frame(self, demo: EventLog, demo_page: str) -> None:
        """Applying the stored changes in order gives each frame's sections exactly."""
        sections = list(demo.catalog.report_sections.values())
        expected = [f.sections for f in frames(demo, sections, stream="me", now=NOW)]
        rebuilt = list(replayed(page_data(demo_page)))
        assert len(rebuilt) == len(expected) == demo.head
        for got, want in zip(rebuilt, expected, strict=True):
            assert {n: visible(b) for n, b in got.items()} == {
                n: visible(b) for n, b in want.items()
            }

    def test_gap_rows_are_the_gap_list(self, demo: EventLog, demo_page: str) -> None:
        """The gap table's rows are the gap list's skills, in rank order, at every position."""
        for position, shown in enumerate(replayed(page_data(demo_page)), start=1):
            (table,) = [b for b in shown["gaps"] if b["kind"] == "table"]
            keys = [table["rows"][i][0] for i in table["order"]]
            assert keys == [item.skill for item in demo.view("gaps", as_of=position).items]
            assert table["data"] == "skill"

    @given(
        steps=st.lists(
            st.lists(
                st.tuples(st.sampled_from("abcdef"), st.sampled_from(["1", "2", "x"])),
                max_size=6,
            ),
            min_size=1,
            max_size=6,
        ),
        captions=st.lists(st.sampled_from(["c", "d"]), min_size=6, max_size=6),
    )
    def test_changes_round_trip(
        self, steps: list[list[tuple[str, str]]], captions: list[str]
    ) -> None:
        """Whatever the rows do (come, go, move, change), the changes rebuild them."""
        frames_ = []
        before = None
        for rows, caption in zip(steps, captions, strict=False):
            unique = list(dict(rows).items())
            blocks = encode_blocks(
                [
                    Table(
                        caption=caption,
                        columns=["k", "v"],
                        rows=[Row(key=k, cells=(k, v)) for k, v in unique],
                    ),
                    Lines(title=caption, lines=[v for _, v in unique]),
                ]
            )
            change = changes(before, blocks)
            frames_.append((blocks, change))
            before = blocks
        data = {"frames": [{"s": {} if c is None else {"t": c}} for _, c in frames_]}
        for (blocks, _), shown in zip(frames_, replayed(data), strict=True):
            assert visible(shown["t"]) == visible(blocks)

    def test_as_of_opens_there(self, demo: EventLog) -> None:
        """--as-of a position opens at it; a moment at the last event not later."""
        assert page_data(report_html(demo, as_of=10, now=NOW))["start"] == 9
        moments = [r.event.at for r in demo.read()]
        data = page_data(report_html(demo, as_of=moments[20] + timedelta(minutes=1), now=NOW))
        assert data["frames"][data["start"]]["p"] == 21
        assert page_data(report_html(demo, now=NOW))["start"] == demo.head - 1

    def test_applications_and_their_next_interview(self) -> None:
        """Each application's stage, outcome and channel, and the next interview from the
        moment shown: none once it has been held."""
        log = open_log("memory://")
        log.append(
            [
                ResumeSubmitted(
                    application_id="acme-1",
                    company="Acme",
                    role="Analyst",
                    via="referral",
                    at=NOW - timedelta(days=9),
                ),
                InterviewScheduled(
                    application_id="acme-1",
                    stage="phone",
                    on=NOW - timedelta(days=2),
                    with_whom="Ann",
                    at=NOW - timedelta(days=8),
                ),
                ApplicationClosed(application_id="acme-1", outcome="rejected", at=NOW),
            ]
        )
        shown = [
            visible(s["applications"])[0][1] for s in replayed(page_data(report_html(log, now=NOW)))
        ]
        when = f"{(NOW - timedelta(days=2)).astimezone():%Y-%m-%d %H:%M} (phone with Ann)"
        assert [row[2:] for row in shown[1]] == [
            ["Analyst at Acme", "acme-1", "applied", "open", "referral", shown[1][0][7], when]
        ]
        assert [row[5:] for row in shown[2]] == [["rejected", "referral", shown[2][0][7], "-"]]

    def test_an_empty_log(self) -> None:
        """Nothing recorded: one frame of empty sections, saying so."""
        page = report_html(open_log("memory://"), now=NOW)
        data = page_data(page)
        assert len(data["frames"]) == 1
        assert "The gap list is empty." in json.dumps(data)
        assert "No gap list yet" in page


class _Elements(html.parser.HTMLParser):
    """Counts the elements of a page by tag."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


class TestPage:
    """The page itself: self-contained, small, accessible, and safe with any name."""

    def test_self_contained(self, demo_page: str) -> None:
        """No network: no src, no href, no @import, no url(); a viewport for phones."""
        parser = _Elements()
        parser.feed(demo_page)
        for tag, attributes in parser.tags:
            assert "src" not in attributes, tag
            assert tag != "link", tag
            assert "href" not in attributes, tag
        assert "@import" not in demo_page
        assert "url(" not in demo_page
        assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in demo_page

    def test_under_a_megabyte(self, demo_page: str) -> None:
        """The demo's page is well under 1 MB, its data embedded once."""
        assert len(demo_page.encode()) < 250_000
        assert demo_page.count('id="report-data"') == 1

    def test_labelled_controls(self, demo_page: str) -> None:
        """The range control is named as-of and labelled; the buttons say what they do."""
        parser = _Elements()
        parser.feed(demo_page)
        (range_,) = [a for t, a in parser.tags if t == "input"]
        assert (range_["type"], range_["name"], range_["id"]) == ("range", "as-of", "as-of")
        assert ("label", {"for": "as-of"}) in parser.tags
        buttons = [a["id"] for t, a in parser.tags if t == "button"]
        assert buttons == ["step-back", "play", "step-forward"]
        assert 'lang="en"' in demo_page
        assert "@media print" in demo_page
        assert "size: A4" in demo_page

    def test_hostile_names(self) -> None:
        """Tags, quotes, NUL, RTL text in every name: one data element, two scripts, and
        the names only ever inside JSON strings."""
        log = open_log("memory://")
        evil = "</script><script>alert(1)</script>"
        events: list[Any] = [
            GapAdded(skill=text, at=NOW - timedelta(days=40 - i))
            for i, text in enumerate(HOSTILE_TEXTS)
        ]
        events += [
            GapAdded(skill=evil, at=NOW - timedelta(days=3)),
            GapPromoted(
                skill='"><img src=x onerror=alert(1)>', to_rank=1, at=NOW - timedelta(days=2)
            ),
            ResumeSubmitted(application_id=evil, company="<b>Acme</b>", role="'R'", at=NOW),
            RoleSuggested(company="&amp;", role="<!--", skills=["</style>"], at=NOW),
        ]
        log.append(events, stream="<x>")
        page = report_html(log, stream="<x>", now=NOW)
        assert page.count("<script") == 2
        assert page.count("</script>") == 2
        assert "<img" not in page
        assert "<b>" not in page
        assert "<!--" not in page
        assert page.count("</style>") == 1
        assert "Job search report: &lt;x&gt;" in page
        text = json.dumps(page_data(page))
        assert "alert(1)" in text
        assert "\\u05de" in text


class TestCommand:
    """`jobsearch report FILE.html [--as-of ...]`."""

    def test_as_of(self, run: Run, tmp_path: Path) -> None:
        """--as-of takes a position or a date, as the other commands do."""
        run("gap", "add", "SQL", "--at", "2026-03-01")
        run("gap", "add", "Go", "--at", "2026-03-05")
        page = tmp_path / "r.html"
        run("report", str(page), "--as-of", "1")
        assert page_data(page.read_text())["start"] == 0
        run("report", str(page), "--as-of", "2026-03-04")
        assert page_data(page.read_text())["start"] == 0
        result = run("report", str(page), "--as-of", "9", code=2)
        assert "past the end of the log" in result.stderr
        run("report", str(tmp_path / "r.txt"), code=2)


def _section(name: str = "acme-words", uses: tuple[str, ...] = ("gaps",)) -> ReportSection:
    def render(states: Mapping[str, Any], now: datetime) -> list[Table | Lines]:
        gaps = states["gaps"]
        return [
            Table(
                caption="Skills by length",
                columns=["skill", Column("letters", numeric=True)],
                rows=[Row(key=i.skill, cells=(i.skill, len(i.skill))) for i in gaps.items],
                data="skill",
            ),
            Lines(title="As of", lines=[f"{now:%Y-%m-%d}"]),
        ]

    return ReportSection(name=name, title="Word lengths", uses=uses, render=render)


@pytest.mark.hook("register_report_sections")
class TestRegisterReportSections:
    """register_report_sections(register): sections of the HTML report, replayed like the rest."""

    @pytest.fixture
    def install(self) -> Iterator[Any]:
        added: list[str] = []

        def add(plugin: object, name: str) -> None:
            pm.register(plugin, name=name)
            added.append(name)

        yield add
        for name in added:
            if pm.get_plugin(name) is not None:
                pm.unregister(name=name)

    def test_a_plugin_section_is_shown_and_replayed(self, install: Any) -> None:
        """The section follows the built-in ones, and its rows change with the replay."""

        class Plugin:
            @hookimpl
            def register_report_sections(self, register: Any) -> None:
                register(_section())

        install(Plugin(), "acme-words")
        log = open_log("memory://")
        log.append([GapAdded(skill="SQL", at=NOW), GapAdded(skill="Python", at=NOW)])
        assert list(log.catalog.report_sections)[-1] == "acme-words"
        assert log.catalog.owners[("report section", "acme-words")] == "acme-words"
        page = report_html(log, now=NOW)
        assert '<section id="section-acme-words"' in page
        assert '<h2 id="heading-acme-words">Word lengths</h2>' in page
        first, second = (visible(s["acme-words"]) for s in replayed(page_data(page)))
        assert first[0] == ("Skills by length", [["SQL", False, "SQL", "3"]])
        assert second[0][1][1] == ["Python", False, "Python", "6"]

    def test_a_name_is_registered_once(self, install: Any) -> None:
        """A second section named like a built-in one is refused, naming both plugins."""

        class Plugin:
            @hookimpl
            def register_report_sections(self, register: Any) -> None:
                register(_section(name="gaps"))

        install(Plugin(), "acme-gaps")
        with pytest.raises(PluginError, match=r"jobsearch_core.*acme-gaps"):
            load_catalog()

    def test_unknown_views_and_wrong_things_are_refused(self, install: Any) -> None:
        """A section using a view nobody registers, or something not a section: refused."""

        class Unknown:
            @hookimpl
            def register_report_sections(self, register: Any) -> None:
                register(_section(uses=("moods",)))

        install(Unknown(), "acme-moods")
        with pytest.raises(PluginError, match=r"acme-words.*acme-moods.*'moods'"):
            load_catalog()
        pm.unregister(name="acme-moods")

        class Wrong:
            @hookimpl
            def register_report_sections(self, register: Any) -> None:
                register({"name": "x"})

        install(Wrong(), "acme-wrong")
        with pytest.raises(PluginError, match="acme-wrong"):
            load_catalog()

    def test_a_section_that_fails_is_named(self, install: Any) -> None:
        """A render that raises (or gives something not a block) stops the report with an
        error naming the section and the moment."""

        def broken(states: Mapping[str, Any], now: datetime) -> list[Any]:
            return [] if not states["gaps"].items else ["not a block"]

        class Plugin:
            @hookimpl
            def register_report_sections(self, register: Any) -> None:
                register(
                    ReportSection(name="acme-broken", title="x", uses=("gaps",), render=broken)
                )

        install(Plugin(), "acme-broken")
        log = open_log("memory://")
        log.append([GapAdded(skill="SQL", at=NOW)])
        with pytest.raises(PluginError, match=r"'acme-broken' failed to render as of 2026-06-01"):
            report_html(log, now=NOW)

    def test_bad_blocks_are_refused_when_made(self) -> None:
        """Rows must fit the columns, and names must be fit for an element's id."""
        with pytest.raises(ValueError, match="2 columns"):
            Table(caption="t", columns=["a", "b"], rows=[Row(cells=("1",))])
        with pytest.raises(ValueError, match="lower-case"):
            _section(name="Not A Name")
        with pytest.raises(ValueError, match="lower-case"):
            Table(caption="t", columns=["a"], data="x y")
