"""`jobsearch report` (one self-contained HTML page you can replay) and the bump chart file
of `history --plot`."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click

from jobsearch_core.charts import INSTALL_HINT, can_draw_png, save_bump_chart
from jobsearch_core.charts.dates import day_label
from jobsearch_core.cli._common import context, parse_as_of, stream_option
from jobsearch_core.errors import InvalidInputError
from jobsearch_core.report import report_html
from jobsearch_core.views.history import RankChange

__all__ = ["COMMANDS", "plot_history"]


def plot_history(
    ranks: dict[str, list[RankChange]], path: str, *, title: str, as_of: int | datetime | None
) -> None:
    """`history --plot FILE`: the bump chart as it stood at `as_of`, to .svg or .png."""
    if isinstance(as_of, datetime):
        end, label = as_of, day_label(as_of)
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
@click.option(
    "--as-of",
    "as_of_text",
    metavar="DATE|POSITION",
    help="Open the page at this moment or log position (the replay still runs to today).",
)
def report_command(file: Path, stream: str, as_of_text: str | None) -> None:
    """Write one self-contained HTML page you can replay: the gap list, the plan, the roles,
    the funnel, the applications and the bump chart as they stood after any event."""
    if file.suffix.lower() not in (".html", ".htm"):
        raise InvalidInputError(f"report writes an .html file, not {str(file)!r}")
    page = report_html(context().log, stream=stream, as_of=parse_as_of(as_of_text))
    try:
        file.write_text(page, encoding="utf-8")
    except OSError as error:
        raise InvalidInputError(f"cannot write {file}: {error.strerror}") from None
    click.echo(f"wrote {file} ({len(page.encode()) / 1024:.0f} KB)")


COMMANDS = [report_command]
