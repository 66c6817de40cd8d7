"""`jobsearch funnel`: the funnel said in words, one sentence a screen, for a worried person."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import attrs
import click

from jobsearch_core.cli import _json
from jobsearch_core.cli._common import (
    append,
    at_option,
    context,
    json_option,
    print_json,
    say,
    say_recorded,
    stream_option,
    view_options,
    with_at,
)
from jobsearch_core.errors import InvalidInputError
from jobsearch_core.events import SCREEN_NAMES, BaseRatesSet, FeedbackReceived, Mark, Stage
from jobsearch_core.views.funnel import Forecast, FunnelRow, cut_at
from jobsearch_core.views.pipeline import PipelineState
from jobsearch_core.words import funnel_sentence as sentence

__all__ = ["COMMANDS", "foretold", "sentence"]


def _what_the_log_holds(state: PipelineState, row: FunnelRow, stream: str) -> str:
    """For a screen below the normal range: the feedback heard from those cut there, and
    which channels they came through."""
    cut = cut_at(state.applications.values(), row.stage)
    ids = {app.id for app in cut}
    skills: Counter[str] = Counter()
    for recorded in context().log.read(stream=stream, types=FeedbackReceived):
        event = recorded.event
        if isinstance(event, FeedbackReceived) and event.application_id in ids:
            skills.update(item.skill for item in event.items if item.mark is Mark.NEXT_FOCUS)
    channels = Counter(app.channel for app in cut)
    parts = []
    if skills:
        parts.append(
            "Feedback from those cut there named "
            + ", ".join(f"{skill} ({n})" if n > 1 else skill for skill, n in skills.most_common(5))
        )
    if channels:
        parts.append(
            "they came through "
            + ", ".join(f"{channel} ({n})" for channel, n in channels.most_common())
        )
    return ("; ".join(parts) + ".") if parts else ""


@click.command("funnel")
@stream_option
@view_options
def funnel_command(stream: str, as_of: int | datetime | None, as_json: bool) -> None:
    """Is it me, or the numbers? The funnel in words, one sentence a screen.

    Each rate is of the applications decided at that screen (an open one is not a
    failure), with the 90% range that so few applications allow, beside the typical rate.
    """
    state: PipelineState = context().log.view("pipeline", stream=stream, as_of=as_of)
    now = as_of if isinstance(as_of, datetime) else datetime.now(UTC)
    rows = state.funnel_at(now)
    ahead = state.forecast_at(now)
    if as_json:
        print_json(
            {
                "format": 1,
                "view": "funnel",
                "stream": stream,
                "as_of": as_of.isoformat() if isinstance(as_of, datetime) else as_of,
                "funnel": _json.funnel_json(rows),
                "sentences": [_said(state, row, stream) for row in rows],
                "forecast": {
                    **attrs.asdict(ahead),
                    "caveat": ahead.caveat,
                },
                "forecast_sentence": foretold(ahead),
            }
        )
        return
    for row in rows:  # a sentence a line, however long: never wrapped
        say(_said(state, row, stream))
    say(foretold(ahead))


def foretold(ahead: Forecast) -> str:
    """The forecast in words, with what it stands on."""
    typical = (
        f"at the typical rates, about {ahead.typical_applications_per_offer:.0f} applications "
        f"an offer, and {ahead.typical_expected_offers:.1f} offers from the {ahead.open} open now"
    )
    if ahead.applications_per_offer is None or ahead.expected_offers is None:
        return f"Ahead: {typical}. {ahead.caveat}"
    return (
        f"Ahead: at your rates so far, about {ahead.applications_per_offer:.0f} applications "
        f"an offer, and {ahead.expected_offers:.1f} offers from the {ahead.open} open now; "
        f"{typical}. {ahead.caveat}"
    )


def _said(state: PipelineState, row: FunnelRow, stream: str) -> str:
    look = _what_the_log_holds(state, row, stream) if row.verdict == "below" else None
    return sentence(row, look)


@click.group("base-rates")
def base_rates_group() -> None:
    """The typical pass rate of each screen that your funnel is read against."""


_SHARE = click.FloatRange(0.0, 1.0)


@base_rates_group.command("set")
@click.option("--resume", type=_SHARE, help="Share of applications that pass the resume screen.")
@click.option("--phone", type=_SHARE, help="Share of those that pass the phone screen.")
@click.option(
    "--second-interview", type=_SHARE, help="Share of those that pass the second interview."
)
@click.option("--final", type=_SHARE, help="Share of those that pass the final interview.")
@click.option("--source", required=True, help="Where the numbers come from.")
@stream_option
@at_option
@json_option
def base_rates_set(
    resume: float | None,
    phone: float | None,
    second_interview: float | None,
    final: float | None,
    source: str,
    stream: str,
    at: datetime | None,
) -> None:
    """Replace the typical rates (from now on, for this stream) with your field's own."""
    given = {
        Stage.RESUME: resume,
        Stage.PHONE: phone,
        Stage.SECOND_INTERVIEW: second_interview,
        Stage.FINAL: final,
    }
    rates = {stage: rate for stage, rate in given.items() if rate is not None}
    if not rates:
        raise InvalidInputError(
            "base-rates set needs at least one of --resume, --phone, --second-interview, --final"
        )
    event = BaseRatesSet(rates=rates, source=source, **with_at(at))
    (recorded,) = append(context().log, [event], stream)
    shown = ", ".join(f"{stage} {100 * rate:.0f}%" for stage, rate in rates.items())
    say_recorded(f"recorded #{recorded.position}: typical rates {shown} ({source})")


@base_rates_group.command("show")
@stream_option
@view_options
def base_rates_show(stream: str, as_of: int | datetime | None, as_json: bool) -> None:
    """The typical rates in force (as of a date or position), and where each comes from."""
    state: PipelineState = context().log.view("pipeline", stream=stream, as_of=as_of)
    typical = state.typical
    if as_json:
        print_json(
            {
                str(stage): {"rate": base.rate, "of_100": base.low, "source": base.source}
                for stage, base in typical.items()
            }
        )
        return
    for stage, base in typical.items():
        say(f"{SCREEN_NAMES[stage]}: {100 * base.rate:.0f}% ({base.source})")


COMMANDS = [funnel_command, base_rates_group]
