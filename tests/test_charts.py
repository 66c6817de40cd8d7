"""The bump chart: its SVG read back as XML (lines, labels, markers, notes), on the demo,
on one skill, on thirty, on hostile names and on generated histories."""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jobsearch_core import GapAdded, GapClosed, GapPromoted, open_log
from jobsearch_core.charts import bump_chart, svg
from jobsearch_core.charts.bump import FOCUS_COLOURS, MAX_NOTES, SHOWN, moved_itself
from jobsearch_core.demo import load_demo
from jobsearch_core.testing.strategies import HOSTILE_TEXTS, event_sequences
from jobsearch_core.views import HISTORY, HistoryState, fold
from tests.searches import load_large_search

NS = "{http://www.w3.org/2000/svg}"
NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)


def parsed(history: HistoryState, *, notes: bool = False, end: datetime = NOW) -> ET.Element:
    """The chart of a history as an XML tree."""
    return ET.fromstring(svg(bump_chart(history.ranks, end=end, title="Gap ranks", notes=notes)))


def texts(root: ET.Element) -> list[ET.Element]:
    return list(root.iter(f"{NS}text"))


def said(element: ET.Element) -> str:
    """A text element's own words (its hover title left out)."""
    return element.text or "".join(child.tail or "" for child in element)


def labels(root: ET.Element) -> dict[str, ET.Element]:
    """The labels at the right-hand ends of the lines, by their words."""
    ends = [
        t for t in texts(root) if t.find(f"{NS}title") is not None and t.get("text-anchor") is None
    ]
    return {said(t): t for t in ends if not said(t).startswith("+")}


def polylines(root: ET.Element) -> list[list[tuple[float, float]]]:
    """The skills' lines (the grid and the axis are thinner)."""
    found = []
    for line in root.iter(f"{NS}polyline"):
        if line.get("stroke-width") == "1":
            continue
        points = [tuple(map(float, pair.split(","))) for pair in line.get("points", "").split()]
        found.append(points)
    return found


@pytest.fixture(scope="module")
def demo() -> HistoryState:
    log = open_log("memory://")
    load_demo(log, now=NOW)
    return log.view(HISTORY)


def history_of(events: list) -> HistoryState:
    return fold(HISTORY, events)


class TestDemo:
    """The demo's chart, read back."""

    def test_every_open_skill_is_labelled_at_its_line_end(self, demo: HistoryState) -> None:
        """One label per skill still on the list, in rank order down the right-hand side."""
        found = labels(parsed(demo))
        open_ranks = demo.ranks_at(NOW)
        assert set(found) == set(open_ranks)
        by_height = sorted(found, key=lambda skill: float(found[skill].get("y", 0)))
        assert by_height == list(open_ranks)
        assert len({float(label.get("x", 0)) for label in found.values()}) == 1

    def test_the_focus_items_are_bold_and_coloured(self, demo: HistoryState) -> None:
        """Ranks 1 and 2 get the two focus colours and bold labels; the rest are muted."""
        found = labels(parsed(demo))
        top_two = list(demo.ranks_at(NOW))[:2]
        assert [found[skill].get("fill") for skill in top_two] == list(FOCUS_COLOURS)
        assert all(found[skill].get("font-weight") == "bold" for skill in top_two)
        rest = [label for skill, label in found.items() if skill not in top_two]
        assert rest
        assert all(label.get("font-weight") is None for label in rest)
        assert {label.get("fill") for label in rest}.isdisjoint(FOCUS_COLOURS)

    def test_an_item_that_left_ends_with_a_marker(self, demo: HistoryState) -> None:
        """A closed item's line ends in a filled dot, one merged away in a hollow one, each
        labelled just above it."""
        root = parsed(demo)
        left = {
            skill: changes[-1] for skill, changes in demo.ranks.items() if changes[-1].rank is None
        }
        assert {change.cause for change in left.values()} == {"GapClosed", "SkillsMerged"}
        markers = [c for c in root.iter(f"{NS}circle") if c.get("r") == "5" and c.get("stroke")]
        assert len(markers) == len(left)
        words = {said(t): t for t in texts(root)}
        for skill, change in left.items():
            closed = change.cause == "GapClosed"
            label = words[f"{skill}, closed" if closed else f"{skill}, {change.detail}"]
            (marker,) = [
                m
                for m in markers
                if abs(float(m.get("cy", 0)) - float(label.get("y", 0)) - 7) < 0.01
            ]
            assert (marker.get("fill") == "#ffffff") is not closed

    def test_changes_are_slopes_not_walls(self, demo: HistoryState) -> None:
        """No line has a vertical segment: every change of rank takes some width."""
        for points in polylines(parsed(demo)):
            for (x1, y1), (x2, y2) in itertools.pairwise(points):
                assert y1 == y2 or x2 - x1 >= 10

    def test_the_axis_runs_to_today(self, demo: HistoryState) -> None:
        """'today' sits at the end of the time axis, and open lines reach it."""
        drawing = bump_chart(demo.ranks, end=NOW, title="Gap ranks")
        root = ET.fromstring(svg(drawing))
        (today,) = [t for t in texts(root) if said(t) == "today"]
        assert float(today.get("x", 0)) == pytest.approx(drawing.x_at(NOW), abs=0.1)
        assert drawing.x_at(NOW) == drawing.right
        ends = [points[-1][0] for points in polylines(root) if len(points) > 1]
        assert max(ends) >= drawing.right

    def test_hover_text_tells_the_cause(self, demo: HistoryState) -> None:
        """On a page, each change point has a <title> naming its cause."""
        root = parsed(demo)
        titles = [c.findtext(f"{NS}title") or "" for c in root.iter(f"{NS}circle")]
        assert any("GapPromoted: two interviewers named it" in title for title in titles)
        assert any("FeedbackReceived" in title for title in titles)

    def test_a_file_on_its_own_has_numbered_notes(self, demo: HistoryState) -> None:
        """The static chart has a visible title and a few numbered notes instead of hover text."""
        root = parsed(demo, notes=True)
        words = [said(t) for t in texts(root)]
        assert "Gap ranks" in words
        notes = [w for w in words if w[:2] in {f"{n}." for n in range(1, MAX_NOTES + 1)}]
        assert 1 <= len(notes) <= MAX_NOTES
        reasons = [
            change.detail
            for changes in demo.ranks.values()
            for change in changes
            if change.cause == "GapPromoted" and change.detail and moved_itself(change)
        ]
        assert any(reason in note for note in notes for reason in reasons)
        assert all(c.find(f"{NS}title") is None for c in root.iter(f"{NS}circle"))
        badges = [t for t in texts(root) if said(t).isdigit() and t.get("fill") == "#ffffff"]
        assert len(badges) == len(notes)


class TestSizes:
    """Readable with nothing, with one skill and with thirty."""

    def test_empty_says_so(self) -> None:
        """No rank yet: a clear message, and no axis at all."""
        root = parsed(HistoryState())
        words = [said(t) for t in texts(root)]
        assert "No gap list yet" in words
        assert not list(root.iter(f"{NS}polyline"))
        assert not any(w.replace(".", "").isdigit() for w in words)

    def test_one_skill(self) -> None:
        """One skill: one row numbered 1, one line, one label."""
        history = history_of([GapAdded(skill="SQL", at=NOW - timedelta(days=3))])
        root = parsed(history)
        assert list(labels(root)) == ["SQL"]
        assert [said(t) for t in texts(root) if said(t).isdigit()] == ["1"]

    def test_thirty_skills_show_the_top_ten(self) -> None:
        """Past twelve skills, ranks 1-10 have rows, the rest share one, and are counted."""
        log = open_log("memory://")
        load_large_search(log, end=NOW)
        history = log.view(HISTORY)
        assert len(history.ranks) == 30
        root = parsed(history)
        words = [said(t) for t in texts(root)]
        assert [w for w in words if w.isdigit()] == [str(n) for n in range(1, SHOWN + 1)]
        assert f"{SHOWN + 1}+" in words
        open_ranks = history.ranks_at(NOW)
        below = [skill for skill, rank in open_ranks.items() if rank > SHOWN]
        assert f"+{len(below)} more" in words
        assert set(labels(root)) == {s for s, rank in open_ranks.items() if rank <= SHOWN}

    def test_a_long_name_is_shortened_and_kept_whole_on_hover(self) -> None:
        """A label past 28 characters ends in an ellipsis; its title has the whole name."""
        name = "Distributed systems design at a very large scale"
        root = parsed(history_of([GapAdded(skill=name, at=NOW - timedelta(days=1))]))
        ((shown, label),) = labels(root).items()
        assert shown.endswith("…")
        assert len(shown) <= 28
        assert label.findtext(f"{NS}title") == name


class TestEscaping:
    """Names from the log are text, never markup."""

    def test_hostile_names(self) -> None:
        """Quotes, tags, NUL, right-to-left text: the SVG still parses, and says them as text."""
        events = [
            GapAdded(skill=text, at=NOW - timedelta(days=30 - i))
            for i, text in enumerate(HOSTILE_TEXTS)
        ]
        events += [
            GapAdded(skill="</svg><script>alert(1)</script>", at=NOW - timedelta(days=2)),
            GapPromoted(
                skill='"><b>x', to_rank=1, reason="<img onerror=x>", at=NOW - timedelta(days=1)
            ),
            GapClosed(skill="\x00nul", at=NOW),
        ]
        history = history_of(events)
        for notes in (False, True):
            text = svg(bump_chart(history.ranks, end=NOW, title="<t>", notes=notes))
            root = ET.fromstring(text)
            assert "<script" not in text
            assert "<img" not in text
            assert not list(root.iter(f"{NS}script"))
        root = ET.fromstring(svg(bump_chart(history.ranks, end=NOW, title="<t>")))
        titles = [t.findtext(f"{NS}title") for t in texts(root)]
        assert '"><b>x' in titles
        assert "מהנדסת נתונים" in titles


class TestGenerated:
    """Any history a log can hold draws without an exception, as well-formed SVG."""

    @given(events=event_sequences(max_size=30), notes=st.booleans(), days=st.integers(-3, 400))
    def test_never_raises_and_parses(self, events: list, notes: bool, days: int) -> None:
        """Whatever the events and the end moment, the chart is valid XML with a title."""
        history = history_of(events)
        drawing = bump_chart(history.ranks, end=NOW + timedelta(days=days), title="t", notes=notes)
        root = ET.fromstring(svg(drawing))
        assert root.tag == f"{NS}svg"
        assert root.findtext(f"{NS}title") == "t"
        for points in polylines(root):
            assert all(0 <= x <= drawing.width and 0 <= y <= drawing.height for x, y in points)

    @pytest.mark.parametrize(
        "at", [datetime.min.replace(tzinfo=UTC), datetime.max.replace(tzinfo=UTC)]
    )
    def test_the_ends_of_the_calendar(self, at: datetime) -> None:
        """Changes at the first or last moment a log can hold still draw."""
        history = history_of([GapAdded(skill="a", at=at), GapAdded(skill="b", at=at)])
        for end in (at, NOW):
            ET.fromstring(svg(bump_chart(history.ranks, end=end, title="t", notes=True)))
