"""Dates along a chart's time axis, at round steps (days, weeks, months or years), in local
time as the command line shows them."""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable
from datetime import datetime, timedelta

__all__ = ["day_label", "local", "ticks"]


def local(moment: datetime) -> datetime:
    """The moment in local time, or as it is at the ends of the calendar."""
    try:
        return moment.astimezone()
    except (OverflowError, ValueError):
        return moment


def day_label(moment: datetime) -> str:
    """ "Mar 3": the day, short."""
    day = local(moment)
    return f"{day:%b} {day.day}"


def ticks(
    start: datetime, end: datetime, x_of: Callable[[datetime], float], *, most: int = 8
) -> list[tuple[float, str]]:
    """Where to mark dates between `start` and `end` (x, label): days, weeks, months or
    years, at most `most` of them."""
    found: list[tuple[float, str]] = []
    with contextlib.suppress(OverflowError, ValueError):  # the calendar's ends: ticks so far
        _dates(start, end, x_of, most, found)
    return found


def _dates(
    start: datetime,
    end: datetime,
    x_of: Callable[[datetime], float],
    most: int,
    found: list[tuple[float, str]],
) -> None:
    """Add the ticks between `start` and `end` to `found`."""
    local_start, local_end = local(start), local(end)
    days = (end - start).total_seconds() / 86400
    if days <= most * 30:
        step = next(s for s in (1, 2, 7, 14, 28, 56) if days / s <= most)
        moment = local_start.replace(hour=0, minute=0, second=0, microsecond=0)
        if step >= 7:  # weeks start on Monday
            moment -= timedelta(days=moment.weekday())
        while moment <= local_end:
            if moment >= local_start:
                found.append((x_of(moment), day_label(moment)))
            moment += timedelta(days=step)
        return
    months = next((m for m in (1, 2, 3, 6, 12) if days / (30.4 * m) <= most), 0)
    if not months:  # years: a round number of them
        years = math.ceil(days / 365.25 / most)
        months = 12 * next((y for y in (1, 2, 5, 10, 20, 50, 100) if y >= years), 1000)
    year, month = local_start.year, local_start.month
    while year <= min(local_end.year, 9998):
        moment = local_start.replace(
            year=year, month=month, day=1, hour=0, minute=0, second=0, microsecond=0
        )
        if moment > local_end:
            break
        if moment >= local_start:
            found.append((x_of(moment), f"{moment:%b %Y}"))
        month += months
        year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
