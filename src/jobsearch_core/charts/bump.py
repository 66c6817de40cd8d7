"""The bump chart of the gap list: one line per skill, rank 1 on top, laid out as shapes.

The two focus items are bold and coloured, the rest muted; each line is labelled where
it ends; a change of rank is a short slope; an item that left the list ends with a
marker; the time axis runs to `end` (today). Past `FOLD_OVER` skills, ranks below
`SHOWN` share one folded row. The causes are hover text (`notes=False`, for a page) or
a few numbered notes under the chart (`notes=True`, for a file on its own).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

import attrs

from jobsearch_core.charts.dates import day_label, ticks
from jobsearch_core.charts.shapes import Box, Dot, Drawing, Line, Shape, Text
from jobsearch_core.views.history import RankChange
from jobsearch_core.words import counted

__all__ = ["FOLD_OVER", "MAX_NOTES", "SHOWN", "bump_chart", "moved_itself"]

#: More skills than this, and only ranks 1..`SHOWN` get a row of their own.
FOLD_OVER = 12
SHOWN = 10
#: The static chart numbers at most this many changes (the latest promotions and closes).
MAX_NOTES = 6

WIDTH = 960.0
ROW = 28.0
LEFT = 44.0
SLOPE = 12.0
MAX_SLOPE = 36.0
LABEL_CHARS = 28
#: Roughly how wide a character of the labels is, in pixels (12 px text, bold).
CHAR_WIDTH = 7.6

FOCUS_COLOURS = ("#1d4ed8", "#b45309")
MUTED_LINE = "#8a94a6"
MUTED_TEXT = "#4b5563"
GRID = "#e5e7eb"
BACKGROUND = "#ffffff"


def moved_itself(change: RankChange) -> bool:
    """True for the skill an event moved, not one it shifted to make room."""
    return not (change.detail or "").startswith("shifted")


def _short(text: str, limit: int = LABEL_CHARS) -> str:
    """One line, at most `limit` characters: line breaks and tabs become spaces."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def _rank(rank: int | None) -> str:
    return "off the list" if rank is None else f"#{rank}"


def _said(skill: str, change: RankChange) -> str:
    """A change in words: "Mar 28: A/B testing #3 -> #1 (GapPromoted: two interviewers ...)"."""
    cause = change.cause + (f": {change.detail}" if change.detail else "")
    moved = (
        f"{_rank(change.previous)} -> {_rank(change.rank)}"
        if change.previous is not None
        else f"enters at {_rank(change.rank)}"
    )
    return f"{day_label(change.at)}: {' '.join(skill.split())} {moved} ({' '.join(cause.split())})"


@attrs.frozen
class _Scale:
    """Log time and rank to pixels."""

    start: datetime
    end: datetime
    left: float
    right: float
    top: float
    shown: int
    #: Whether ranks past `shown` share one folded row.
    fold: bool
    #: The longest label, in characters, and the most dates on the time axis.
    label_chars: int = LABEL_CHARS
    ticks: int = 8

    def x(self, moment: datetime) -> float:
        span = (self.end - self.start).total_seconds()
        share = (moment - self.start).total_seconds() / span
        return self.left + min(1.0, max(0.0, share)) * (self.right - self.left)

    def y(self, rank: int) -> float:
        return self.top + (min(rank, self.shown + 1) - 0.5) * ROW

    @property
    def fold_y(self) -> float:
        """The folded row's y; nothing is hidden (infinity) when there is none."""
        return self.y(self.shown + 1) if self.fold else float("inf")


@attrs.define
class _Track:
    """One skill's line as it is laid out."""

    skill: str
    colour: str
    strong: bool
    runs: list[list[tuple[float, float]]] = attrs.Factory(list)
    dots: list[Dot] = attrs.Factory(list)
    #: Where the line ends: (x, y, how), how being "open", "closed" or "left".
    end: tuple[float, float, str] | None = None
    #: The last change, for the label of an item that left the list.
    last: RankChange | None = None


def _ends(ranks: Mapping[str, Sequence[RankChange]]) -> dict[str, int]:
    """The open rank of each skill after its last change."""
    found = {}
    for skill, changes in ranks.items():
        if changes and changes[-1].rank is not None:
            found[skill] = changes[-1].rank
    return found


def _empty(title: str, width: float) -> Drawing:
    return Drawing(
        width=width,
        height=120,
        title=title,
        description="No gap list yet: no skill has had a rank.",
        shapes=[
            Box(x=0, y=0, width=width, height=120, fill=BACKGROUND),
            Box(x=12, y=12, width=width - 24, height=96, fill="#f9fafb", stroke=GRID),
            Text(
                x=width / 2,
                y=56,
                text="No gap list yet",
                colour="#111827",
                size=16,
                bold=True,
                anchor="middle",
            ),
            Text(
                x=width / 2,
                y=82,
                text="Add a skill (jobsearch gap add SKILL) and its rank shows here over time."
                if width >= 600
                else "jobsearch gap add SKILL puts one on it.",
                colour=MUTED_TEXT,
                anchor="middle",
            ),
        ],
    )


def bump_chart(
    ranks: Mapping[str, Sequence[RankChange]],
    *,
    end: datetime,
    title: str,
    notes: bool = False,
    focus: Sequence[str] | None = None,
    end_label: str = "today",
    width: float = WIDTH,
) -> Drawing:
    """The chart of `ranks` (`HistoryState.ranks`) up to `end`.

    `focus` are the skills drawn bold and coloured (default: ranks 1 and 2 at the end).
    `notes` numbers a few causes under the chart instead of giving every change hover text.
    A `width` under 600 pixels makes a narrow chart: shorter labels, fewer dates.
    """
    narrow = width < 600
    label_chars = 16 if narrow else LABEL_CHARS
    ranks = {skill: list(changes) for skill, changes in ranks.items() if changes}
    if not ranks:
        return _empty(title, width)
    ends = _ends(ranks)
    if focus is None:
        focus = [skill for skill, _ in sorted(ends.items(), key=lambda pair: pair[1])[:2]]
    colours = dict(zip(focus, FOCUS_COLOURS, strict=False))
    deepest = max((c.rank or 1 for cs in ranks.values() for c in cs), default=1)
    fold = len(ranks) > FOLD_OVER
    shown = SHOWN if fold else max(deepest, 1)
    folded = sorted(skill for skill, rank in ends.items() if rank > shown)

    labels = {skill: _short(skill, label_chars) for skill in ends if ends[skill] <= shown}
    widest = max((len(text) for text in labels.values()), default=0)
    if folded:
        widest = max(widest, len(f"+{len(folded)} more"))
    gutter = min(max(widest * CHAR_WIDTH + 24, 80.0), 250.0)
    moments = [c.at for cs in ranks.values() for c in cs]
    start = min(moments)
    stop = max(end, max(moments))
    if stop - start < timedelta(hours=1):  # one moment: give it a day's width
        try:
            stop = start + timedelta(days=1)
        except OverflowError:  # at the end of the calendar
            start = stop - timedelta(days=1)
    top = 56.0 if notes else 20.0
    scale = _Scale(
        start=start,
        end=stop,
        left=LEFT + 8,
        right=width - gutter - SLOPE,
        top=top,
        shown=shown,
        fold=fold,
        label_chars=label_chars,
        ticks=4 if narrow else 8,
    )
    bottom = top + (shown + (1 if fold else 0)) * ROW

    tracks = [
        _track(skill, changes, scale, colours.get(skill), notes) for skill, changes in ranks.items()
    ]
    shapes: list[Shape] = [Box(x=0, y=0, width=width, height=0, fill=BACKGROUND)]
    if notes:
        shapes.append(
            Text(
                x=LEFT - 24,
                y=28,
                text=_short(title, int(width / 10)),
                colour="#111827",
                size=16,
                bold=True,
            )
        )
    shapes += _grid(scale, bottom, fold, folded, end, end_label)
    badges, said = _notes(ranks, scale, tracks) if notes else ([], [])
    # Muted lines first, so the focus items are drawn over them.
    for track in sorted(tracks, key=lambda t: t.strong):
        shapes += _draw(track, scale)
    shapes += badges
    y = bottom + 44
    key = (
        "Bold: the focus items. ● closed  ○ left the list"
        if narrow
        else "Bold and coloured: the focus items (ranks 1 and 2). ● closed  ○ left the list"
    )
    shapes.append(Text(x=LEFT - 24, y=y, text=key, colour=MUTED_TEXT, size=11))
    for number, line in enumerate(said, start=1):
        y += 18
        shapes.append(
            Text(
                x=LEFT - 24,
                y=y,
                text=f"{number}. {_short(line, int(width / 7.2))}",
                colour="#111827",
            )
        )
    height = y + 16
    shapes[0] = Box(x=0, y=0, width=width, height=height, fill=BACKGROUND)
    return Drawing(
        width=width,
        height=height,
        title=title,
        description=_description(ranks, ends, focus, shown, folded),
        shapes=shapes,
        start=start,
        end=stop,
        left=scale.left,
        right=scale.right,
        top=top,
        bottom=bottom,
    )


def _description(
    ranks: Mapping[str, Sequence[RankChange]],
    ends: Mapping[str, int],
    focus: Sequence[str],
    shown: int,
    folded: Sequence[str],
) -> str:
    said = f"How the rank of {counted(len(ranks), 'skill')} moved."
    if focus:
        said += " Focus: " + " and ".join(focus) + "."
    if folded:
        said += f" Ranks past {shown} are folded into one row: " + ", ".join(folded) + "."
    return said


def _track(
    skill: str,
    changes: Sequence[RankChange],
    scale: _Scale,
    colour: str | None,
    notes: bool,
) -> _Track:
    track = _Track(skill=skill, colour=colour or MUTED_LINE, strong=colour is not None)
    run: list[tuple[float, float]] | None = None
    slope_end = -1.0
    x = scale.left
    for change in changes:
        x = max(x, scale.x(change.at))  # out-of-order moments never draw a line backwards
        title = None if notes else _said(skill, change)
        if change.rank is None:
            if run is not None:
                x = max(x, slope_end)
                run.append((x, run[-1][1]))
                how = "closed" if change.cause == "GapClosed" else "left"
                track.end = (x, run[-1][1], how)
                track.last = change
                if title is not None:
                    track.dots.append(_dot(track, x, run[-1][1], title))
            run = None
            continue
        y = scale.y(change.rank)
        if run is None:
            run = [(x, y)]
            track.runs.append(run)
            slope_end = x
        elif x <= slope_end:  # still on the way to the last rank: go straight to this one
            if len(run) > 1:
                (start_x, start_y), _ = run[-2:]
                slope_end = _slope_end(start_x, abs(y - start_y), scale)
                run[-1] = (slope_end, y)
            else:
                run[-1] = (run[-1][0], y)
            if track.dots and title is not None:
                title = f"{track.dots.pop().title}\n{title}"
        else:
            run.append((x, run[-1][1]))
            slope_end = _slope_end(x, abs(y - run[-1][1]), scale)
            run.append((slope_end, y))
        track.dots.append(_dot(track, run[-1][0], y, title))
        track.end = None
    if run is not None:
        stop = scale.right + SLOPE  # open: on to the end of the axis
        run.append((stop, run[-1][1]))
        track.end = (stop, run[-1][1], "open")
    return track


def _slope_end(x: float, rise: float, scale: _Scale) -> float:
    """Where a change of rank that starts at `x` ends: the further the move, the longer its
    slope, so that it never reads as a wall."""
    return min(x + min(MAX_SLOPE, max(SLOPE, rise * 0.3)), scale.right + SLOPE)


def _dot(track: _Track, x: float, y: float, title: str | None) -> Dot:
    return Dot(
        x=x,
        y=y,
        radius=3.5 if track.strong else 2.5,
        fill=track.colour,
        title=title,
    )


def _visible(run: Sequence[tuple[float, float]], fold_y: float) -> list[list[tuple[float, float]]]:
    """The parts of a run outside the folded row (its slopes in and out stay)."""
    parts: list[list[tuple[float, float]]] = []
    current: list[tuple[float, float]] = []
    for a, b in itertools.pairwise(run):
        if a[1] >= fold_y and b[1] >= fold_y:
            if len(current) > 1:
                parts.append(current)
            current = []
            continue
        if not current:
            current = [a]
        current.append(b)
    if len(current) > 1:
        parts.append(current)
    if len(run) == 1 and run[0][1] < fold_y:
        parts.append(list(run))
    return parts


def _draw(track: _Track, scale: _Scale) -> list[Shape]:
    visible = scale.fold_y
    width = 3.5 if track.strong else 1.75
    shapes: list[Shape] = []
    for run in track.runs:
        for part in _visible(run, visible):
            shapes.append(Line(points=part, colour=track.colour, width=width))
    shapes += [dot for dot in track.dots if dot.y < visible]
    text_colour = track.colour if track.strong else MUTED_TEXT
    if track.end is not None and track.end[1] < visible:
        x, y, how = track.end
        if how == "open":
            shapes.append(
                Text(
                    x=x + 6,
                    y=y + 4,
                    text=_short(track.skill, scale.label_chars),
                    colour=text_colour,
                    bold=track.strong,
                    title=track.skill,
                )
            )
        else:
            shapes.append(
                Dot(
                    x=x,
                    y=y,
                    radius=5,
                    fill=track.colour if how == "closed" else BACKGROUND,
                    stroke=track.colour,
                    stroke_width=2,
                )
            )
            detail = "closed" if how == "closed" else (track.last.detail if track.last else None)
            said = f"{track.skill}, {detail or 'left the list'}"
            shapes.append(
                Text(
                    x=x - 4,
                    y=y - 7,
                    text=_short(said, scale.label_chars + 12),
                    colour=text_colour,
                    size=11,
                    bold=track.strong,
                    anchor="end",
                    title=said,
                )
            )
    return shapes


def _grid(
    scale: _Scale,
    bottom: float,
    fold: bool,
    folded: Sequence[str],
    end: datetime,
    end_label: str,
) -> list[Shape]:
    shapes: list[Shape] = []
    right = scale.right + SLOPE
    for rank in range(1, scale.shown + 1):
        y = scale.y(rank)
        shapes.append(Line(points=[(scale.left, y), (right, y)], colour=GRID))
        shapes.append(
            Text(x=LEFT - 4, y=y + 4, text=str(rank), colour=MUTED_TEXT, size=11, anchor="end")
        )
    if fold:
        y = scale.fold_y
        shapes.append(Line(points=[(scale.left, y), (right, y)], colour=GRID, dash=(4, 4)))
        shapes.append(
            Text(
                x=LEFT - 4, y=y + 4, text=f"{SHOWN + 1}+", colour=MUTED_TEXT, size=11, anchor="end"
            )
        )
        if folded:
            shapes.append(
                Text(
                    x=right + 6,
                    y=y + 4,
                    text=f"+{len(folded)} more",
                    colour=MUTED_TEXT,
                    title=", ".join(folded),
                )
            )
    axis_y = bottom + 4
    shapes.append(Line(points=[(scale.left, axis_y), (right, axis_y)], colour=MUTED_LINE))
    end_x = scale.x(end)
    for x, label in ticks(scale.start, scale.end, scale.x, most=scale.ticks):
        shapes.append(Line(points=[(x, axis_y), (x, axis_y + 5)], colour=MUTED_LINE))
        if abs(x - end_x) > 48:
            shapes.append(
                Text(x=x, y=axis_y + 18, text=label, colour=MUTED_TEXT, size=11, anchor="middle")
            )
    shapes.append(
        Line(points=[(end_x, scale.top), (end_x, axis_y + 5)], colour=MUTED_LINE, dash=(3, 3))
    )
    shapes.append(
        Text(
            x=end_x,
            y=axis_y + 18,
            text=end_label,
            colour="#111827",
            size=11,
            bold=True,
            anchor="middle",
        )
    )
    return shapes


def _notes(
    ranks: Mapping[str, Sequence[RankChange]], scale: _Scale, tracks: Sequence[_Track]
) -> tuple[list[Shape], list[str]]:
    """Numbered badges for the latest promotions and closes a skill made itself, and
    what each says."""
    wanted = [
        (change, skill)
        for skill, changes in ranks.items()
        for change in changes
        if change.cause in ("GapPromoted", "GapClosed")
        and moved_itself(change)
        and (change.rank or change.previous or scale.shown + 1) <= scale.shown
    ]
    wanted.sort(key=lambda pair: pair[0].position)
    by_skill = {track.skill: track for track in tracks}
    badges: list[Shape] = []
    said = []
    for number, (change, skill) in enumerate(wanted[-MAX_NOTES:], start=1):
        track = by_skill[skill]
        rank = change.rank or change.previous or 1
        x, y = scale.x(change.at) + SLOPE / 2, scale.y(rank) - 14
        fill = track.colour if track.strong else MUTED_TEXT
        badges.append(Dot(x=x, y=y, radius=8, fill=fill))
        badges.append(
            Text(
                x=x,
                y=y + 4,
                text=str(number),
                colour=BACKGROUND,
                size=11,
                bold=True,
                anchor="middle",
            )
        )
        said.append(_said(skill, change))
    return badges, said
