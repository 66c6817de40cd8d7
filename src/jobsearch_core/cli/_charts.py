"""The bump chart of gap ranks over time, drawn with matplotlib (the optional `plot` extra)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from jobsearch_core.errors import InvalidInputError
from jobsearch_core.views.history import RankChange

__all__ = ["bump_chart_svg", "save_bump_chart"]

INSTALL_HINT = "drawing needs matplotlib: pip install 'jobsearch-core[plot]'"


def _pyplot() -> Any:
    try:
        import matplotlib
    except ImportError:
        raise InvalidInputError(INSTALL_HINT) from None
    matplotlib.use("Agg")  # files only: no window, no display needed
    import matplotlib.pyplot as plt

    return plt


def _moved_itself(change: RankChange) -> bool:
    """True for the skill an event moved, not the ones it shifted to make room."""
    return not (change.detail or "").startswith("shifted")


def _figure(ranks: dict[str, list[RankChange]], title: str) -> Any:
    plt = _pyplot()
    figure, axes = plt.subplots(figsize=(10, 5.5), layout="constrained")
    moments = [change.at for changes in ranks.values() for change in changes]
    end = max(moments) if moments else None
    deepest = 1
    for skill, changes in ranks.items():
        xs: list[Any] = []
        ys: list[int] = []
        color = None
        for change in changes:
            if change.rank is None:  # closed: the line stops where it left the list
                if xs:
                    xs.append(change.at)
                    ys.append(ys[-1])
                    (line,) = axes.step(
                        xs,
                        ys,
                        where="post",
                        marker="o",
                        markevery=list(range(len(xs) - 1)),
                        color=color,
                        label=None if color else skill,
                    )
                    color = line.get_color()
                    xs, ys = [], []
                continue
            xs.append(change.at)
            ys.append(change.rank)
            deepest = max(deepest, change.rank)
            if change.cause == "GapPromoted" and _moved_itself(change):
                label = change.detail or "promoted"
                axes.annotate(
                    label if len(label) <= 32 else label[:31] + "...",
                    (change.at, change.rank),
                    textcoords="offset points",
                    xytext=(5, 6),
                    fontsize=7,
                    color="dimgray",
                )
        if xs:
            marks = list(range(len(xs)))
            xs.append(end)  # still open: carry the line to the latest moment shown
            ys.append(ys[-1])
            axes.step(
                xs,
                ys,
                where="post",
                marker="o",
                markevery=marks,
                color=color,
                label=None if color else skill,
            )
    axes.set_ylim(deepest + 0.5, 0.5)  # rank 1 at the top
    axes.set_yticks(range(1, deepest + 1))
    axes.set_ylabel("rank on the gap list")
    axes.set_title(title)
    axes.grid(axis="y", alpha=0.3)
    if ranks:
        axes.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=8, frameon=False)
    else:
        axes.text(
            0.5, 0.5, "no rank changes yet", ha="center", va="center", transform=axes.transAxes
        )
    figure.autofmt_xdate()
    return figure


def save_bump_chart(ranks: dict[str, list[RankChange]], path: str, *, title: str) -> None:
    """Draw one line per skill (rank over time, promotions marked) to a .png or .svg file."""
    suffix = Path(path).suffix.lower()
    if suffix not in (".png", ".svg"):
        raise InvalidInputError(f"--plot writes .png or .svg files, not {path!r}")
    plt = _pyplot()
    figure = _figure(ranks, title)
    try:
        figure.savefig(path, format=suffix[1:], dpi=120)
    except OSError as error:
        raise InvalidInputError(f"cannot write {path}: {error.strerror}") from None
    finally:
        plt.close(figure)


def bump_chart_svg(ranks: dict[str, list[RankChange]], *, title: str) -> str:
    """The bump chart as SVG text, to inline in an HTML page."""
    plt = _pyplot()
    figure = _figure(ranks, title)
    buffer = io.StringIO()
    try:
        figure.savefig(buffer, format="svg")
    finally:
        plt.close(figure)
    svg = buffer.getvalue()
    return svg[svg.index("<svg") :]  # drop the XML prologue: it cannot sit inside HTML
