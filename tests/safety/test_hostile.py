"""Hostile input: arbitrary values, arbitrary import lines, strings that break naive storage."""

from __future__ import annotations

import ast
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import attrs
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from jobsearch_core import EventLog, InvalidInputError, JobsearchError, open_log
from jobsearch_core.cli import cli
from jobsearch_core.events import (
    BUILTIN_EVENTS,
    Event,
    FeedbackReceived,
    GapAdded,
    ResumeSubmitted,
    RoleSuggested,
)
from jobsearch_core.testing import HOSTILE_TEXTS
from tests.conftest import MakeLog

ROOT = Path(__file__).resolve().parents[2]

# What JSON can carry, for import lines.
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=5,
)

# Anything a caller might pass: text of any kind, numbers, None, containers, moments.
anything = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text()
    | st.sampled_from(HOSTILE_TEXTS)
    | st.binary(max_size=10)
    | st.datetimes()
    | st.datetimes(timezones=st.just(UTC)),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=5,
)


@st.composite
def wild_fields(draw: st.DrawFn, cls: type[Event]) -> dict[str, Any]:
    """Every field of the class, each an arbitrary value (or left out when it has a default)."""
    chosen: dict[str, Any] = {}
    for field in attrs.fields(cls):
        if field.default is not attrs.NOTHING and draw(st.booleans()):
            continue
        chosen[field.name] = draw(anything)
    return chosen


class TestArbitraryValues:
    """Any values: either a valid event, or an error that names what was wrong."""

    @pytest.mark.parametrize("cls", BUILTIN_EVENTS, ids=lambda c: c.__name__)
    @settings(max_examples=60)
    @given(data=st.data())
    def test_only_our_errors(self, cls: type[Event], data: st.DataObject) -> None:
        """Construction raises nothing but InvalidEventError; what is built appends and reads back."""
        fields = data.draw(wild_fields(cls))
        try:
            event = cls(**fields)
        except JobsearchError:
            return  # refused, naming the field (InvalidEventError)
        log = open_log("memory://")
        try:
            log.append([event])
        except JobsearchError:
            assert log.head == 0  # refused whole (text that is not valid Unicode)
            return
        assert next(log.read()).event == event


class TestImportLines:
    """`jobsearch import` of arbitrary lines: clean refusal or a clean import, never a crash."""

    @settings(max_examples=40)
    @given(
        lines=st.lists(
            st.text(max_size=80)
            | st.builds(
                lambda data: json.dumps(
                    {"stream": "me", "type": "GapAdded", "schema_version": 1, "data": data}
                ),
                json_values | st.fixed_dictionaries({"skill": json_values, "at": json_values}),
            ),
            min_size=1,
            max_size=4,
        )
    )
    def test_arbitrary_lines(
        self, tmp_path_factory: pytest.TempPathFactory, lines: list[str]
    ) -> None:
        """Exit 0 with everything appended, or exit 2 with one error line and nothing appended."""
        folder = tmp_path_factory.mktemp("import")
        source = folder / "in.jsonl"
        source.write_text("\n".join(lines), encoding="utf-8", errors="surrogatepass")
        url = f"sqlite://{folder / 'log.db'}"
        result = CliRunner().invoke(cli, ["--log", url, "import", str(source)])
        assert result.exit_code in (0, 2), result.output + str(result.exception)
        if result.exit_code == 2:
            assert len(result.stderr.strip().splitlines()) == 1
            with open_log(url) as log:
                assert log.head == 0


class TestHostileStrings:
    """Quotes, NUL, emoji, right-to-left text and 100 kB strings round-trip on every backend."""

    def test_round_trip(self, log: EventLog) -> None:
        """Each hostile text comes back exactly, in every kind of field."""
        at = datetime(2026, 1, 1, tzinfo=UTC)
        texts = [*HOSTILE_TEXTS, "x\x00" * 50_000 + "🦄"]
        events: list[Event] = []
        for i, text in enumerate(texts):
            events += [
                ResumeSubmitted(
                    application_id=f"{text}{i}", company=text, role=text, note=text, at=at
                ),
                GapAdded(skill=text, note=text, at=at),
                FeedbackReceived(
                    application_id=f"{text}{i}",
                    items=[{"skill": text, "mark": "next_focus", "comment": text}],
                    source=text,
                    at=at,
                ),
                RoleSuggested(company=text, role=text, skills=[text, text.upper()], at=at),
            ]
        log.append(events, stream="🦄 'me' \"x\"")
        assert [r.event for r in log.read()] == events
        assert log.verify() == []

    @pytest.mark.parametrize("stream", ["", " ", "a\x00b", "line\nbreak", "\u202e", "tab\t"])
    def test_unprintable_stream_names_refused(self, log: EventLog, stream: str) -> None:
        """A stream name that is empty, blank or not printable is refused by name."""
        with pytest.raises(InvalidInputError, match="stream name"):
            log.append([GapAdded(skill="SQL")], stream=stream)
        assert log.head == 0

    @settings(max_examples=30)
    @given(stream=st.text(min_size=1, max_size=30))
    def test_any_printable_stream_name(self, make_log: MakeLog, stream: str) -> None:
        """Every printable, non-blank name works and reads back; every other one is refused."""
        log = make_log()
        if stream.isprintable() and stream.strip():
            log.append([GapAdded(skill="SQL")], stream=stream)
            assert log.streams() == [stream]
            assert [r.stream for r in log.read(stream=stream)] == [stream]
        else:
            with pytest.raises(InvalidInputError):
                log.append([GapAdded(skill="SQL")], stream=stream)


def _sql_calls(path: Path) -> list[tuple[int, ast.expr]]:
    calls = []
    for node in ast.walk(ast.parse(path.read_text())):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("execute", "executemany")
            and node.args
        ):
            calls.append((node.lineno, node.args[0]))
    return calls


class TestParameterisedSQL:
    """Every SQL statement takes its values as parameters, never spliced into the text."""

    def test_no_values_in_sql_text(self) -> None:
        """f-strings in SQL may only splice module constants (UPPER_CASE names), not values."""
        sources = [*ROOT.glob("src/**/*.py"), *ROOT.glob("plugins/*/src/**/*.py")]
        offenders = []
        for path in sources:
            for line, sql in _sql_calls(path):
                for part in ast.walk(sql):
                    if isinstance(part, ast.FormattedValue):
                        names = [n.id for n in ast.walk(part.value) if isinstance(n, ast.Name)]
                        if not names or not all(n.isupper() for n in names):
                            offenders.append(f"{path.relative_to(ROOT)}:{line}")
                    if isinstance(part, ast.BinOp) and isinstance(part.op, ast.Mod):
                        offenders.append(f"{path.relative_to(ROOT)}:{line} (% formatting)")
        assert offenders == []
        assert sources  # the check looked at something
