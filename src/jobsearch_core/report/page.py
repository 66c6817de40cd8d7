"""The report as one self-contained HTML page: the replay control, the bump chart, every
section, the frames embedded once as JSON, and the style and script inline."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from importlib.resources import files
from typing import TYPE_CHECKING, Any

import attrs

from jobsearch_core.charts import Drawing, bump_chart, svg
from jobsearch_core.charts.bump import SLOPE
from jobsearch_core.charts.shapes import Box
from jobsearch_core.errors import InvalidInputError
from jobsearch_core.markup import escape
from jobsearch_core.report.frames import Frame, changes, frames
from jobsearch_core.report.sections import ReportSection
from jobsearch_core.views import HISTORY, RankChange

if TYPE_CHECKING:
    from jobsearch_core.log import EventLog

__all__ = ["report_html", "script_json"]


def _asset(name: str) -> str:
    return files("jobsearch_core.report").joinpath(name).read_text(encoding="utf-8")


def script_json(data: Any) -> str:
    """JSON to sit inside ``<script type="application/json">``: ASCII only, and no ``<``,
    ``>`` or ``&`` that could end the element (``</script>`` in a name stays text)."""
    text = json.dumps(data, ensure_ascii=True, separators=(",", ":"), allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _day(moment: datetime) -> str:
    return f"{moment.astimezone():%Y-%m-%d}"


def _start(shown: list[Frame], as_of: int | datetime | None, head: int) -> int:
    """The frame the page opens at: the last one at or before `as_of` (a position, or the
    last event whose own moment is not later), else the latest."""
    if as_of is None or not shown:
        return len(shown) - 1
    if isinstance(as_of, int) and as_of > head:
        raise InvalidInputError(f"--as-of {as_of} is past the end of the log (position {head})")
    index = 0
    for i, frame in enumerate(shown):
        reached = frame.position <= as_of if isinstance(as_of, int) else frame.at <= as_of
        if reached:
            index = i
    return index


#: The chart for wide screens and the one for narrow screens (the style shows one).
_CHARTS = ((960.0, "bump"), (440.0, "bump-narrow"))


def _chart(
    ranks: Mapping[str, Sequence[RankChange]], now: datetime, width: float, name: str
) -> Drawing:
    """The bump chart with the replay's cursor: a line at the moment shown, and a veil over
    what came after it (the page's script moves both)."""
    drawing = bump_chart(ranks, end=now, title="How the gap list's ranks moved", width=width)
    height = drawing.bottom - drawing.top
    veil = Box(
        # Where the veil ends (the page's script reads it): the lines' ends, past the
        # axis's last moment by a slope's width.
        x=drawing.right + SLOPE,
        y=drawing.top,
        width=0,
        height=height,
        fill="#ffffff",
        opacity=0.7,
        name=f"{name}-future",
    )
    line = Box(
        x=drawing.x_at(now) - 1,
        y=drawing.top,
        width=2,
        height=height,
        fill="#111827",
        name=f"{name}-cursor",
    )
    return attrs.evolve(drawing, shapes=[*drawing.shapes, veil, line])


def report_html(
    log: EventLog,
    *,
    stream: str = "me",
    as_of: int | datetime | None = None,
    now: datetime | None = None,
    sections: list[ReportSection] | None = None,
) -> str:
    """The page for `stream`, opened at `as_of` (default: the latest event); `sections`
    default to every installed one (`register_report_sections`)."""
    now = now or datetime.now(UTC)
    chosen = list(log.catalog.report_sections.values()) if sections is None else sections
    shown = list(frames(log, chosen, stream=stream, now=now))
    history = log.view(HISTORY, stream=stream)
    charts = [_chart(history.ranks, now, width, name) for width, name in _CHARTS]
    start = _start(shown, as_of, log.head)
    data_frames = []
    before: dict[str, Any] = {}
    for index, frame in enumerate(shown):
        changed = {}
        for name, blocks in frame.sections.items():
            change = changes(before.get(name), blocks)
            if change is not None:
                changed[name] = change
        before = frame.sections
        last = index == len(shown) - 1
        day = _day(frame.now)
        data_frames.append(
            {
                "p": frame.position,
                "d": f"today, {day}" if last and frame.now >= now else day,
                "e": f"#{frame.position}: {frame.event}",
                "x": [round(drawing.x_at(frame.now), 1) for drawing in charts],
                "s": changed,
            }
        )
    data = {"stream": stream, "start": max(start, 0), "frames": data_frames}
    pictures = "".join(
        f'<div class="{name}">\n{svg(drawing, standalone=False, name=name)}</div>\n'
        for drawing, (_, name) in zip(charts, _CHARTS, strict=True)
    )
    return _page(stream, chosen, pictures, data, now)


def _page(
    stream: str,
    sections: list[ReportSection],
    chart: str,
    data: dict[str, Any],
    now: datetime,
) -> str:
    frames_ = data["frames"]
    first = frames_[0]["p"] if frames_ else 0
    last = frames_[-1]["p"] if frames_ else 0
    value = frames_[data["start"]]["p"] if frames_ else 0
    title = f"Job search report: {escape(stream)}"
    parts = []
    for section in sections:
        intro = f'<p class="intro">{escape(section.intro)}</p>' if section.intro else ""
        name = escape(section.name)
        parts.append(
            f'<section id="section-{name}" class="report-section" '
            f'aria-labelledby="heading-{name}">\n'
            f'<h2 id="heading-{name}">{escape(section.title)}</h2>\n{intro}\n'
            f'<div class="blocks" data-section="{name}"></div>\n</section>'
        )
    disabled = "" if frames_ else " disabled"
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light">
<title>{title}</title>
<style>
{_asset("report.css")}</style>
</head>
<body>
<header class="page">
<h1>{title}</h1>
<p class="muted">Made {now.astimezone():%Y-%m-%d %H:%M}. {len(frames_)} events in this stream. Move the
control to see the search as it stood after any of them.</p>
</header>
<div class="replay" role="group" aria-label="Replay the search">
<label for="as-of">As of</label>
<input type="range" id="as-of" name="as-of" min="{first}" max="{last}" step="1" value="{value}"{disabled}>
<output id="as-of-shown" for="as-of" aria-live="polite"></output>
<span class="buttons">
<button type="button" id="step-back"{disabled}>&#9664; Back</button>
<button type="button" id="play"{disabled}>Play</button>
<button type="button" id="step-forward"{disabled}>Forward &#9654;</button>
</span>
</div>
<main>
<section id="section-chart" aria-labelledby="heading-chart">
<h2 id="heading-chart">How the priorities moved</h2>
<p class="intro">Each line is a skill on the gap list, rank 1 on top; the two focus items are bold.
Hover a point to see what moved it. The part after the moment shown is greyed.</p>
<figure class="chart">
{chart}</figure>
</section>
{chr(10).join(parts)}
</main>
<noscript><p class="noscript">The tables of this report are drawn by its script: allow
JavaScript for this file to see them (it loads nothing from the network).</p></noscript>
<script type="application/json" id="report-data">{script_json(data)}</script>
<script>
{_asset("report.js")}</script>
</body>
</html>
"""
