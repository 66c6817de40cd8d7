"""Charts the project draws itself: the bump chart of the gap list, as SVG (no dependencies)
or as PNG (with matplotlib, the optional `plot` extra)."""

from __future__ import annotations

import importlib.util
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path

from jobsearch_core.charts.bump import bump_chart
from jobsearch_core.charts.png import INSTALL_HINT, save_png
from jobsearch_core.charts.shapes import Drawing
from jobsearch_core.charts.svg import svg
from jobsearch_core.errors import InvalidInputError
from jobsearch_core.views.history import RankChange

__all__ = ["INSTALL_HINT", "Drawing", "bump_chart", "can_draw_png", "save_bump_chart", "svg"]


def can_draw_png() -> bool:
    """Whether matplotlib is installed, so that a PNG can be drawn."""
    try:
        return importlib.util.find_spec("matplotlib") is not None
    except ValueError:  # a module without a spec (as a test may leave behind)
        return False


def save_bump_chart(
    ranks: Mapping[str, Sequence[RankChange]],
    path: str,
    *,
    title: str,
    end: datetime,
    end_label: str = "today",
) -> None:
    """Write the bump chart, with numbered notes, to a .svg file or (with matplotlib) a .png."""
    suffix = Path(path).suffix.lower()
    if suffix not in (".png", ".svg"):
        raise InvalidInputError(f"a chart is written as .png or .svg, not {path!r}")
    drawing = bump_chart(ranks, end=end, title=title, notes=True, end_label=end_label)
    if suffix == ".png":
        save_png(drawing, path)
        return
    try:
        Path(path).write_text(svg(drawing), encoding="utf-8")
    except OSError as error:
        raise InvalidInputError(f"cannot write {path}: {error.strerror}") from None
