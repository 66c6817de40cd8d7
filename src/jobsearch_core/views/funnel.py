"""The honest funnel: at each screen, who passed, who was cut, who is still waiting, and how
little a handful of applications proves, as a 90% interval beside the typical rate."""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Protocol, TypeVar

import attrs

from jobsearch_core.events import SCREENS, Outcome, Stage

__all__ = [
    "BASE_RATES",
    "DEFAULT_SOURCE",
    "ENOUGH",
    "Z_90",
    "BaseRate",
    "Forecast",
    "FunnelRow",
    "Reached",
    "base_rates_from",
    "cut_at",
    "forecast",
    "funnel",
    "verdict",
    "wilson",
]

#: The normal quantile of a two-sided 90% interval.
Z_90 = 1.6449
#: Below this many decided applications at a screen, the verdict is "too few".
ENOUGH = 5
#: Outcomes that end an application at the screen it was waiting for.
CUT = frozenset({Outcome.REJECTED, Outcome.NO_RESPONSE})
#: Outcomes that mean every screen was passed, whatever was recorded on the way.
HIRED = frozenset({Outcome.OFFER, Outcome.ACCEPTED, Outcome.DECLINED})


#: Where the default base rates come from (docs/concepts.md gives the published funnels).
DEFAULT_SOURCE = (
    "the recruiters' rule of thumb for one opening: of about 100 applications, 12-18 pass "
    "the resume screen, 5-7 the phone screen, 2-3 the second interview, and 1 is hired "
    "(hiring funnels published by J. Sullivan, ERE 2013, and Daxko, 2009)"
)


@attrs.frozen(kw_only=True)
class BaseRate:
    """What usually happens at one screen: the step rate and how many of 100 get there."""

    stage: Stage
    #: Typical share of the previous step's survivors that pass this screen.
    rate: float
    #: Typical applications per 100 that reach this stage: the low and high ends.
    low: int
    high: int
    #: Where the numbers come from.
    source: str = DEFAULT_SOURCE


#: Typical conversion at each screen: about 100 resumes -> 12-18 kept -> 5-7 after the
#: phone screen -> 2-3 after the second interview -> 1 hire. Each step rate is the
#: midpoint of its range over the midpoint of the previous one (15/100, 6/15, 2.5/6,
#: 1/2.5), so a seeker can see that most applications ending in rejection is normal.
BASE_RATES: dict[Stage, BaseRate] = {
    Stage.RESUME: BaseRate(stage=Stage.RESUME, rate=0.15, low=12, high=18),
    Stage.PHONE: BaseRate(stage=Stage.PHONE, rate=0.40, low=5, high=7),
    Stage.SECOND_INTERVIEW: BaseRate(stage=Stage.SECOND_INTERVIEW, rate=2.5 / 6, low=2, high=3),
    Stage.FINAL: BaseRate(stage=Stage.FINAL, rate=0.40, low=1, high=1),
}


def base_rates_from(rates: Mapping[Stage, float], source: str) -> dict[Stage, BaseRate]:
    """The base rates a `BaseRatesSet` gives: its rates, the defaults for screens it leaves
    out, and how many of 100 applications reach each screen at those rates."""
    found: dict[Stage, BaseRate] = {}
    reaching = 100.0
    for screen in SCREENS:
        default = BASE_RATES[screen]
        rate = rates.get(screen, default.rate)
        reaching *= rate
        found[screen] = BaseRate(
            stage=screen,
            rate=rate,
            low=round(reaching),
            high=round(reaching),
            source=source if screen in rates else default.source,
        )
    return found


def wilson(passed: int, decided: int, z: float = Z_90) -> tuple[float, float] | None:
    """The Wilson score interval of `passed` out of `decided` (None when nothing is decided)."""
    if decided <= 0:
        return None
    p = passed / decided
    spread = z * z / decided
    centre = (p + spread / 2) / (1 + spread)
    half = z * math.sqrt(p * (1 - p) / decided + spread / (4 * decided)) / (1 + spread)
    # At 0 of n and n of n the bound is exactly 0 or 1; the formula only rounds to it.
    low = 0.0 if passed == 0 else max(0.0, centre - half)
    high = 1.0 if passed == decided else min(1.0, centre + half)
    return low, high


def verdict(interval: tuple[float, float] | None, decided: int, base_rate: float) -> str:
    """ "too few" under `ENOUGH` decided; "below" or "above" when the whole interval lies
    under or over the base rate; else "typical"."""
    if interval is None or decided < ENOUGH:
        return "too few"
    low, high = interval
    if high < base_rate:
        return "below"
    if low > base_rate:
        return "above"
    return "typical"


class Reached(Protocol):
    """What the funnel reads of an application (`pipeline.Application` has it)."""

    @property
    def stage(self) -> Stage: ...

    @property
    def outcome(self) -> Outcome | None: ...

    @property
    def applied_at(self) -> datetime | None: ...

    def passed_at(self, stage: Stage) -> datetime | None: ...


@attrs.frozen(kw_only=True)
class FunnelRow:
    """One screen, among the applications that reached the stage before it: who passed,
    who was cut there, who is still waiting, and what that says beside the typical rate."""

    stage: Stage
    #: Applications that passed this screen (their furthest stage is at or past it).
    count: int
    #: Closed at the stage before as `rejected` or `no_response`: cut by this screen.
    cut: int
    #: Still open at the stage before: waiting for this screen. Never a failure.
    pending: int
    #: Withdrawn at the stage before: the seeker's choice, neither passed nor cut.
    withdrawn: int
    #: count / (count + cut); None while nothing is decided.
    rate: float | None
    #: The 90% Wilson score interval of `rate`; None while nothing is decided.
    interval: tuple[float, float] | None
    #: "too few" (under 5 decided), "below", "above" or "typical" beside `base_rate`.
    verdict: str
    #: The typical step rate.
    base_rate: float
    #: Typical applications per 100 reaching this stage.
    base_low: int
    base_high: int
    #: Where the typical rate comes from.
    base_source: str
    #: `count` per 100 applications; None when there are none.
    per_100: float | None
    #: The median days from the stage before to passing this screen; None if none passed.
    median_days: float | None
    #: For each pending application, the days it has waited so far, longest first.
    waiting_days: tuple[float, ...] = ()

    @property
    def decided(self) -> int:
        """How many were decided at this screen: passed or cut."""
        return self.count + self.cut


@attrs.frozen(kw_only=True)
class Forecast:
    """What the rates so far foretell, beside what the typical rates would: rough, and said so."""

    #: Applications per offer at your decided rates; None while a screen has none decided,
    #: or passed none.
    applications_per_offer: float | None
    #: Applications per offer at the typical rates.
    typical_applications_per_offer: float
    #: Offers to expect from the applications open now, each from the stage it reached, at
    #: your rates (None as above) and at the typical ones.
    expected_offers: float | None
    typical_expected_offers: float
    #: How many applications are open now.
    open: int
    #: The fewest decided at any screen: what the forecast stands on.
    fewest_decided: int

    @property
    def caveat(self) -> str:
        """What the forecast stands on, in words."""
        if self.fewest_decided == 0:
            return "Some screen has nothing decided yet, so only the typical rates can say."
        if self.fewest_decided < ENOUGH:
            return (
                f"A rough guess: as few as {self.fewest_decided} were decided at one screen, "
                "and the next few answers can change it a lot."
            )
        return f"Still only a guess: at least {self.fewest_decided} were decided at every screen."


def forecast(rows: list[FunnelRow], open_at: Iterable[Stage]) -> Forecast:
    """From the funnel's rates: applications per offer, and offers to expect from the open
    applications (`open_at`: the furthest stage each of them reached)."""
    stages = [row.stage for row in rows]
    mine = [row.rate for row in rows]
    typical = [row.base_rate for row in rows]

    def chance(rates: Sequence[float | None], after: int) -> float | None:
        """The chance of passing every screen after stage order `after`."""
        found = 1.0
        for stage, rate in zip(stages, rates, strict=True):
            if stage.order > after:
                if rate is None:
                    return None
                found *= rate
        return found

    whole_mine = chance(mine, 0)
    whole_typical = chance(typical, 0)
    assert whole_typical is not None  # every base rate is a number
    waiting = [stage.order for stage in open_at]
    per_app = [chance(mine, order) for order in waiting]
    return Forecast(
        applications_per_offer=1 / whole_mine if whole_mine else None,
        typical_applications_per_offer=1 / whole_typical if whole_typical else math.inf,
        expected_offers=None if any(p is None for p in per_app) else sum(p or 0.0 for p in per_app),
        typical_expected_offers=sum(_known(chance(typical, order)) for order in waiting),
        open=len(waiting),
        fewest_decided=min((row.decided for row in rows), default=0),
    )


def _known(value: float | None) -> float:
    return 0.0 if value is None else value


_R = TypeVar("_R", bound=Reached)


def _furthest(app: Reached) -> int:
    # An offer means every screen was passed, whatever was recorded on the way.
    return Stage.FINAL.order if app.outcome in HIRED else app.stage.order


def cut_at(applications: Iterable[_R], screen: Stage) -> list[_R]:
    """The applications that waited for `screen` and were turned down or never answered
    there: the ones its pass rate counts against."""
    before = list(Stage)[screen.order - 1]
    return [app for app in applications if app.stage is before and app.outcome in CUT]


def _since(app: Reached, before: Stage) -> datetime | None:
    """When the application reached `before` (the nearest earlier date known)."""
    for stage in reversed(list(Stage)[: before.order + 1]):
        at = app.applied_at if stage is Stage.APPLIED else app.passed_at(stage)
        if at is not None:
            return at
    return None


def funnel(
    applications: Iterable[Reached],
    *,
    now: datetime | None = None,
    base_rates: Mapping[Stage, BaseRate] = BASE_RATES,
) -> list[FunnelRow]:
    """One row per screen, counted from the furthest stage each application reached (a
    rejection after an interview never erases the interview). `now` is when the waiting
    of pending applications is measured to (default: no waiting days)."""
    apps = list(applications)
    total = len(apps)
    stages = list(Stage)
    rows: list[FunnelRow] = []
    for screen in SCREENS:
        before = stages[screen.order - 1]
        reached = [app for app in apps if _furthest(app) >= before.order]
        passed = [app for app in reached if _furthest(app) >= screen.order]
        stopped = [app for app in reached if _furthest(app) < screen.order]
        cut = len(cut_at(stopped, screen))
        waiting = [app for app in stopped if app.outcome is None]
        withdrawn = sum(1 for app in stopped if app.outcome is Outcome.WITHDRAWN)
        decided = len(passed) + cut
        interval = wilson(len(passed), decided)
        base = base_rates.get(screen, BASE_RATES[screen])
        took = [
            (at - since).total_seconds() / 86400
            for app in passed
            if (at := app.passed_at(screen)) is not None
            and (since := _since(app, before)) is not None
            and at >= since
        ]
        waited = (
            tuple(
                sorted(
                    (
                        (now - since).total_seconds() / 86400
                        for app in waiting
                        if (since := _since(app, before)) is not None
                    ),
                    reverse=True,
                )
            )
            if now is not None
            else ()
        )
        rows.append(
            FunnelRow(
                stage=screen,
                count=len(passed),
                cut=cut,
                pending=len(waiting),
                withdrawn=withdrawn,
                rate=len(passed) / decided if decided else None,
                interval=interval,
                verdict=verdict(interval, decided, base.rate),
                base_rate=base.rate,
                base_low=base.low,
                base_high=base.high,
                base_source=base.source,
                per_100=100 * len(passed) / total if total else None,
                median_days=statistics.median(took) if took else None,
                waiting_days=waited,
            )
        )
    return rows
