"""What a chart is drawn with: lines, dots, text and boxes in pixels, for any writer to draw."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import attrs

__all__ = ["Box", "Dot", "Drawing", "Line", "Shape", "Text"]


def _points(points: object) -> tuple[tuple[float, float], ...]:
    return tuple((float(x), float(y)) for x, y in points)  # type: ignore[attr-defined]


@attrs.frozen(kw_only=True)
class Line:
    """A polyline through `points` (x, y), y growing downwards."""

    points: tuple[tuple[float, float], ...] = attrs.field(converter=_points)
    colour: str
    width: float = 1.0
    #: Dash and gap lengths; empty for a solid line.
    dash: tuple[float, ...] = ()
    opacity: float = 1.0


@attrs.frozen(kw_only=True)
class Dot:
    """A circle; `title` is its hover text where the writer supports one."""

    x: float
    y: float
    radius: float
    fill: str
    stroke: str | None = None
    stroke_width: float = 1.0
    title: str | None = None


@attrs.frozen(kw_only=True)
class Text:
    """One line of text with its baseline at `y`; `anchor` is "start", "middle" or "end"."""

    x: float
    y: float
    text: str
    colour: str
    size: float = 12.0
    bold: bool = False
    anchor: str = "start"
    title: str | None = None


@attrs.frozen(kw_only=True)
class Box:
    """A rectangle; `name` lets a page find it (the report's replay moves one)."""

    x: float
    y: float
    width: float
    height: float
    fill: str
    stroke: str | None = None
    opacity: float = 1.0
    name: str | None = None


Shape = Line | Dot | Text | Box


def _shapes(shapes: Iterable[Shape]) -> tuple[Shape, ...]:
    return tuple(shapes)


@attrs.frozen(kw_only=True)
class Drawing:
    """A whole chart: its size, what it shows in words, and its shapes in drawing order."""

    width: float
    height: float
    #: A short name, and one or two sentences for readers who cannot see it.
    title: str
    description: str
    shapes: tuple[Shape, ...] = attrs.field(converter=_shapes)
    #: The time axis: `start` is drawn at x = `left` and `end` at x = `right`.
    start: datetime | None = None
    end: datetime | None = None
    left: float = 0.0
    right: float = 0.0
    #: The plot area's top and bottom (what a time cursor spans).
    top: float = 0.0
    bottom: float = 0.0

    def x_at(self, moment: datetime) -> float:
        """Where a moment falls on the time axis (clamped to it)."""
        if self.start is None or self.end is None or self.end <= self.start:
            return self.left
        share = (moment - self.start) / (self.end - self.start)
        return self.left + min(1.0, max(0.0, share)) * (self.right - self.left)
