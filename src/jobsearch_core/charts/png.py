"""A `Drawing` painted with matplotlib to a PNG file: the optional `plot` extra."""

from __future__ import annotations

from typing import Any

from jobsearch_core.charts.shapes import Box, Dot, Drawing, Line, Text
from jobsearch_core.errors import InvalidInputError

__all__ = ["INSTALL_HINT", "save_png"]

INSTALL_HINT = "a PNG needs matplotlib: pip install 'jobsearch-core[plot]'"
#: Pixels of the drawing per inch of the figure; the PNG is drawn at twice that.
_PER_INCH = 100.0
_POINTS_PER_PIXEL = 72.0 / _PER_INCH


def _pyplot() -> Any:
    try:
        import matplotlib
    except ImportError:
        raise InvalidInputError(f"{INSTALL_HINT} (an .svg file needs nothing more)") from None
    matplotlib.use("Agg")  # files only: no window, no display needed
    import matplotlib.pyplot as plt

    return plt


def _paint(axes: Any, drawing: Drawing) -> None:
    from matplotlib.patches import Circle, Rectangle

    for order, shape in enumerate(drawing.shapes):
        if isinstance(shape, Line):
            xs, ys = zip(*shape.points, strict=True)
            axes.plot(
                xs,
                ys,
                color=shape.colour,
                linewidth=shape.width * _POINTS_PER_PIXEL,
                linestyle=(0, shape.dash) if shape.dash else "-",
                alpha=shape.opacity,
                solid_joinstyle="round",
                solid_capstyle="round",
                zorder=order,
            )
        elif isinstance(shape, Dot):
            axes.add_patch(
                Circle(
                    (shape.x, shape.y),
                    shape.radius,
                    facecolor=shape.fill,
                    edgecolor=shape.stroke or "none",
                    linewidth=shape.stroke_width * _POINTS_PER_PIXEL if shape.stroke else 0,
                    zorder=order,
                )
            )
        elif isinstance(shape, Text):
            axes.text(
                shape.x,
                shape.y,
                shape.text,
                color=shape.colour,
                fontsize=shape.size * _POINTS_PER_PIXEL,
                fontweight="bold" if shape.bold else "normal",
                horizontalalignment={"start": "left", "end": "right"}.get(shape.anchor, "center"),
                verticalalignment="baseline",
                zorder=order,
            )
        elif isinstance(shape, Box):
            axes.add_patch(
                Rectangle(
                    (shape.x, shape.y),
                    shape.width,
                    shape.height,
                    facecolor=shape.fill,
                    edgecolor=shape.stroke or "none",
                    alpha=shape.opacity,
                    zorder=order,
                )
            )


def save_png(drawing: Drawing, path: str) -> None:
    """Paint the drawing, shape for shape, to a PNG at twice its size in pixels."""
    plt = _pyplot()
    figure = plt.figure(figsize=(drawing.width / _PER_INCH, drawing.height / _PER_INCH))
    axes = figure.add_axes((0, 0, 1, 1))
    axes.set_xlim(0, drawing.width)
    axes.set_ylim(drawing.height, 0)  # y grows downwards, as in SVG
    axes.set_axis_off()
    try:
        _paint(axes, drawing)
        figure.savefig(path, format="png", dpi=2 * _PER_INCH)
    except OSError as error:
        raise InvalidInputError(f"cannot write {path}: {error.strerror}") from None
    finally:
        plt.close(figure)
