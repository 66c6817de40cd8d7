"""`jobsearch report`: one self-contained HTML page of the whole search."""

from __future__ import annotations

import html
from datetime import UTC, datetime
from pathlib import Path

import click

from jobsearch_core.charts import INSTALL_HINT, bump_chart, can_draw_png, save_bump_chart, svg
from jobsearch_core.cli._common import context, stream_option
from jobsearch_core.errors import InvalidInputError
from jobsearch_core.views.gaps import GapsState
from jobsearch_core.views.history import HistoryState, RankChange
from jobsearch_core.views.pipeline import PipelineState
from jobsearch_core.views.roles import RolesState

__all__ = ["COMMANDS", "plot_history", "report_html"]

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 62rem; color: #222; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; margin: .5rem 0; } td, th { padding: .25rem .7rem; text-align: left; }
th { background: #f3f3f3; } tr:nth-child(even) td { background: #fafafa; }
.num { text-align: right; } .focus { font-weight: bold; color: #a33; } .muted { color: #777; }
svg { width: 100%; height: auto; }
"""


def _cell(value: object, css: str = "") -> str:
    attribute = f' class="{css}"' if css else ""
    return f"<td{attribute}>{html.escape(str(value))}</td>"


def _table(header: list[str], rows: list[str]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    return f"<table><tr>{head}</tr>{''.join(rows)}</table>"


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.0f}%"


def report_html(
    pipeline: PipelineState,
    gaps: GapsState,
    roles: RolesState,
    history: HistoryState,
    *,
    stream: str,
    now: datetime,
) -> str:
    """The page: the funnel against base rates, the gap list, the roles and the bump chart."""
    funnel_rows = [
        "<tr>"
        + _cell(row.stage)
        + _cell(row.count, "num")
        + _cell(row.cut, "num")
        + _cell(row.pending, "num")
        + _cell(_percent(row.rate), "num")
        + _cell(
            "-"
            if row.interval is None
            else f"{100 * row.interval[0]:.0f}-{100 * row.interval[1]:.0f}%",
            "num",
        )
        + _cell(_percent(row.base_rate), "num")
        + _cell(row.verdict)
        + "</tr>"
        for row in pipeline.funnel
    ]
    focus = {item.key: recent for item, recent in gaps.focus_practised(now)}
    gap_rows = []
    for item in gaps.items:
        mark = ""
        if item.key in focus:
            mark = "focus" if focus[item.key] else "focus: not practised this week"
        last = "never" if item.last_practised is None else f"{item.last_practised:%Y-%m-%d}"
        gap_rows.append(
            "<tr>"
            + _cell(item.rank, "num")
            + _cell(item.skill)
            + _cell(mark, "focus")
            + _cell(item.mentions, "num")
            + _cell(f"{item.minutes_practised} min", "num")
            + _cell(last)
            + _cell("; ".join(item.sources), "muted")
            + "</tr>"
        )
    punch_rows = [
        "<tr>"
        + _cell(p.skill)
        + _cell(f"{p.mentions}x", "num")
        + _cell("; ".join(p.comments))
        + "</tr>"
        for p in gaps.punch_up
    ]
    role_rows = [
        "<tr>"
        + _cell(f"{r.role} at {r.company}")
        + _cell(", ".join(r.covered) or "-")
        + _cell(", ".join(r.planned) or "-")
        + _cell(", ".join(r.missing) or "-")
        + _cell(_percent(r.coverage), "num")
        + "</tr>"
        for r in roles.roles
    ]
    chart = svg(
        bump_chart(history.ranks, end=now, title="Gap ranks over time"),
        standalone=False,
        name="bump",
    )
    goal = (
        f"<p>Goal: {html.escape(gaps.goal)} ({gaps.horizon_years} years)</p>" if gaps.goal else ""
    )
    title = f"Job search report: {html.escape(stream)}"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title><style>{_STYLE}</style></head>
<body>
<h1>{title}</h1>
<p class="muted">Made {now:%Y-%m-%d %H:%M} UTC. {pipeline.total} applications, {pipeline.open} open.</p>
{goal}
<h2>The funnel against typical base rates</h2>
{_table(["stage", "passed", "cut", "waiting", "your rate", "90% range", "typical rate", "verdict"], funnel_rows)}
<p class="muted">Typical: of about 100 applications, 12-18 pass the resume screen, 5-7 the phone
screen, 2-3 the second interview and 1 is hired. Counted from the furthest stage each application reached;
an application still waiting is not a failure, and the 90% range shows how little a few applications prove.</p>
<h2>Gap list</h2>
{_table(["rank", "skill", "", "mentions", "practised", "last practised", "from"], gap_rows)}
<h2>Resume to-do: punch up</h2>
{_table(["skill", "named", "what was said"], punch_rows)}
<h2>Suggested roles</h2>
{_table(["role", "has", "planned", "missing", "coverage"], role_rows)}
<h2>How the priorities moved</h2>
{chart}
</body></html>
"""


def plot_history(
    ranks: dict[str, list[RankChange]], path: str, *, title: str, as_of: int | datetime | None
) -> None:
    """`history --plot FILE`: the bump chart as it stood at `as_of`, to .svg or .png."""
    if isinstance(as_of, datetime):
        end, label = as_of, f"{as_of.astimezone():%b} {as_of.astimezone().day}"
    elif isinstance(as_of, int):
        moments = [change.at for changes in ranks.values() for change in changes]
        end, label = max(moments, default=datetime.now(UTC)), f"#{as_of}"
    else:
        end, label = datetime.now(UTC), "today"
    save_bump_chart(ranks, path, title=title, end=end, end_label=label)
    if path.lower().endswith(".svg") and not can_draw_png():
        click.echo(INSTALL_HINT, err=True)


@click.command("report")
@click.argument("file", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@stream_option
def report_command(file: Path, stream: str) -> None:
    """Write one self-contained HTML page: funnel, gap list, roles and the bump chart."""
    if file.suffix.lower() not in (".html", ".htm"):
        raise InvalidInputError(f"report writes an .html file, not {str(file)!r}")
    states = context().log.views(["pipeline", "gaps", "roles", "history"], stream=stream)
    page = report_html(
        states["pipeline"],
        states["gaps"],
        states["roles"],
        states["history"],
        stream=stream,
        now=datetime.now(UTC),
    )
    try:
        file.write_text(page, encoding="utf-8")
    except OSError as error:
        raise InvalidInputError(f"cannot write {file}: {error.strerror}") from None
    click.echo(f"wrote {file}")


COMMANDS = [report_command]
