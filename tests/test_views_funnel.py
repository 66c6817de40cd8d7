"""The honest funnel: decided, cut and pending at each screen, Wilson intervals, verdicts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from jobsearch_core.events import (
    ApplicationClosed,
    Event,
    Outcome,
    ResumeSubmitted,
    ScreenPassed,
    Stage,
)
from jobsearch_core.views import PIPELINE, fold
from jobsearch_core.views.funnel import Z_90, cut_at, forecast, verdict, wilson

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def day(n: float) -> datetime:
    return T0 + timedelta(days=n)


def applied(app: str, at: float = 0) -> Event:
    return ResumeSubmitted(application_id=app, company=f"Co {app}", role="Analyst", at=day(at))


def passed(app: str, stage: str, at: float) -> Event:
    return ScreenPassed(application_id=app, stage=stage, at=day(at))


def closed(app: str, outcome: str, at: float) -> Event:
    return ApplicationClosed(application_id=app, outcome=outcome, at=day(at))


def rows(events: list[Event]) -> dict[str, object]:
    return {str(row.stage): row for row in fold(PIPELINE, events).funnel}


class TestWilson:
    """The 90% Wilson score interval, against values computed another way."""

    @pytest.mark.parametrize(
        ("passed_", "decided", "low", "high"),
        [
            # Each solved as the roots of (x/n - p)^2 = z^2 p (1 - p) / n, z = 1.6449.
            (2, 6, 0.1173, 0.6530),
            (1, 1, 0.2699, 1.0),
            (0, 5, 0.0, 0.3511),
            (5, 5, 0.6489, 1.0),
            (3, 10, 0.1269, 0.5583),
            (12, 40, 0.1966, 0.4287),
            (7, 11, 0.3940, 0.8249),
        ],
    )
    def test_known_values(self, passed_: int, decided: int, low: float, high: float) -> None:
        """Four decimals of the interval, for seven counts."""
        found = wilson(passed_, decided)
        assert found is not None
        assert found == pytest.approx((low, high), abs=5e-5)

    def test_the_textbook_95_percent_case(self) -> None:
        """5 of 10 at z = 1.96 is the textbook 0.2366-0.7634."""
        assert wilson(5, 10, z=1.96) == pytest.approx((0.2366, 0.7634), abs=5e-5)

    def test_nothing_decided(self) -> None:
        """No interval for 0 of 0."""
        assert wilson(0, 0) is None
        assert Z_90 == 1.6449

    @given(st.integers(0, 500).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
    def test_the_interval_holds_the_rate(self, counts: tuple[int, int]) -> None:
        """Within [0, 1], and around the observed rate."""
        passed_, decided = counts
        found = wilson(passed_, decided)
        if decided == 0:
            assert found is None
            return
        assert found is not None
        low, high = found
        assert 0.0 <= low <= passed_ / decided <= high <= 1.0


class TestVerdict:
    """Said plainly: too few, below, above or typical."""

    @pytest.mark.parametrize(
        ("interval", "decided", "base", "said"),
        [
            (None, 0, 0.4, "too few"),
            ((0.0, 0.2), 4, 0.4, "too few"),
            ((0.1, 0.35), 5, 0.4, "below"),
            ((0.45, 0.9), 5, 0.4, "above"),
            ((0.2, 0.6), 8, 0.4, "typical"),
            ((0.4, 0.6), 8, 0.4, "typical"),  # touching the base rate is typical
        ],
    )
    def test_cases(
        self, interval: tuple[float, float] | None, decided: int, base: float, said: str
    ) -> None:
        assert verdict(interval, decided, base) == said


class TestCounts:
    """Hand-worked searches: every field of a row."""

    def test_nothing_at_all(self) -> None:
        """0 of 0: no rate, no interval, too few."""
        resume = rows([])["resume"]
        assert (resume.count, resume.cut, resume.pending, resume.rate) == (0, 0, 0, None)
        assert (resume.interval, resume.verdict, resume.median_days) == (None, "too few", None)

    def test_open_applications_are_pending_not_failures(self) -> None:
        """Three sent, none answered: all pending, the rate undecided."""
        resume = rows([applied("a"), applied("b"), applied("c")])["resume"]
        assert (resume.count, resume.cut, resume.pending, resume.rate) == (0, 0, 3, None)

    def test_all_cut(self) -> None:
        """Rejected and never answered both count as cut at the resume screen."""
        events = [
            applied("a"),
            applied("b"),
            closed("a", "rejected", 5),
            closed("b", "no_response", 30),
        ]
        resume = rows(events)["resume"]
        assert (resume.count, resume.cut, resume.rate) == (0, 2, 0.0)
        assert resume.interval == pytest.approx((0.0, 0.5750), abs=5e-5)

    def test_one_of_one(self) -> None:
        """A single pass: 100%, 90% range 27-100%, too few to say."""
        resume = rows([applied("a"), passed("a", "resume", 4)])["resume"]
        assert (resume.count, resume.rate, resume.verdict) == (1, 1.0, "too few")
        assert resume.median_days == 4

    def test_a_mixed_search(self) -> None:
        """Six applications: the phone screen has 2 passed, 1 cut, 1 pending, 1 withdrawn."""
        events = [
            *(applied(app, at=i) for i, app in enumerate("abcdef")),
            *(passed(app, "resume", 10) for app in "abcde"),
            passed("a", "phone", 14),
            passed("b", "phone", 20),
            closed("c", "rejected", 15),  # cut at the phone screen
            closed("d", "withdrawn", 15),  # the seeker's choice
            closed("f", "rejected", 12),  # cut at the resume screen
            closed("a", "rejected", 30),  # after an interview: the interview stays
        ]
        found = rows(events)
        resume, phone, second = found["resume"], found["phone"], found["second_interview"]
        assert (resume.count, resume.cut, resume.pending, resume.withdrawn) == (5, 1, 0, 0)
        assert resume.rate == pytest.approx(5 / 6)
        assert resume.median_days == 8  # 10, 9, 8, 7, 6 days after applying
        assert (phone.count, phone.cut, phone.pending, phone.withdrawn) == (2, 1, 1, 1)
        assert phone.rate == pytest.approx(2 / 3)
        assert phone.median_days == 7  # 4 and 10 days after the resume screen
        assert phone.waiting_days == (20.0,)  # e has waited since day 10, to day 30
        assert (second.count, second.cut, second.pending) == (0, 1, 1)
        assert phone.verdict == "too few"

    def test_cut_at_names_the_applications_a_row_counts_as_cut(self) -> None:
        """Who was cut where: the ones behind each row's `cut`, never the withdrawn."""
        events = [
            *(applied(app, at=i) for i, app in enumerate("abcd")),
            *(passed(app, "resume", 10) for app in "abc"),
            passed("a", "phone", 14),
            closed("b", "no_response", 40),  # cut at the phone screen
            closed("c", "withdrawn", 15),
            closed("d", "rejected", 12),  # cut at the resume screen
            closed("a", "rejected", 30),  # cut at the second interview
        ]
        state = fold(PIPELINE, events)
        cut = {
            str(row.stage): sorted(app.id for app in cut_at(state.applications.values(), row.stage))
            for row in state.funnel
        }
        assert cut == {"resume": ["d"], "phone": ["b"], "second_interview": ["a"], "final": []}
        assert all(row.cut == len(cut[str(row.stage)]) for row in state.funnel)

    def test_an_offer_passes_every_screen(self) -> None:
        """An offer recorded without its screens still counts as past all of them."""
        final = rows([applied("a"), closed("a", "offer", 40)])["final"]
        assert (final.count, final.cut) == (1, 0)


@st.composite
def searches(draw: st.DrawFn) -> list[Event]:
    """Applications, each passing some screens in order, some closed."""
    events: list[Event] = []
    screens = list(Stage)[1:]
    for i in range(draw(st.integers(0, 12))):
        app = f"a{i}"
        events.append(applied(app, at=i))
        reached = draw(st.integers(0, 4))
        for j, stage in enumerate(screens[:reached]):
            events.append(passed(app, stage, i + 3 * (j + 1)))
        if draw(st.booleans()):
            events.append(closed(app, draw(st.sampled_from(list(Outcome))), i + 20))
    return events


class TestProperties:
    """What must hold for any search."""

    @given(searches())
    def test_rates_in_range_and_inside_their_interval(self, events: list[Event]) -> None:
        for row in fold(PIPELINE, events).funnel:
            if row.rate is None:
                assert row.interval is None
                continue
            assert 0.0 <= row.rate <= 1.0
            assert row.interval is not None
            assert row.interval[0] <= row.rate <= row.interval[1]

    @given(searches())
    def test_a_pending_application_changes_no_rate(self, events: list[Event]) -> None:
        """Adding one more open application leaves every rate as it was."""
        before = [row.rate for row in fold(PIPELINE, events).funnel]
        after = [row.rate for row in fold(PIPELINE, [*events, applied("new", at=50)]).funnel]
        assert after == before

    @given(searches(), st.data())
    def test_closing_a_pending_one_as_rejected_never_raises_a_rate(
        self, events: list[Event], data: st.DataObject
    ) -> None:
        state = fold(PIPELINE, events)
        waiting = sorted(app.id for app in state.applications.values() if app.is_open)
        if not waiting:
            return
        app = data.draw(st.sampled_from(waiting))
        before = state.funnel
        after = fold(PIPELINE, [*events, closed(app, "rejected", 60)]).funnel
        for old, new in zip(before, after, strict=True):
            if old.rate is not None and new.rate is not None:
                assert new.rate <= old.rate


class TestForecast:
    """Applications per offer, and offers to expect from those open: hand-worked."""

    def test_from_rates_of_one_half(self) -> None:
        """Rates of 1/2 at four screens: 16 applications an offer; open at applied 1/16 each,
        open past the phone screen 1/4; the typical rates beside (100 an offer)."""
        rows = [attrs.evolve(row, rate=0.5, count=3, cut=3) for row in fold(PIPELINE, []).funnel]
        ahead = forecast(rows, [Stage.APPLIED, Stage.APPLIED, Stage.PHONE])
        assert ahead.applications_per_offer == pytest.approx(16)
        assert ahead.expected_offers == pytest.approx(2 / 16 + 1 / 4)
        assert ahead.typical_applications_per_offer == pytest.approx(100)
        assert ahead.typical_expected_offers == pytest.approx(2 / 100 + (2.5 / 6) * 0.4)
        assert (ahead.open, ahead.fewest_decided) == (3, 6)
        assert ahead.caveat.startswith("Still only a guess: at least 6")

    def test_undecided_screens_leave_only_the_typical_rates(self) -> None:
        """With a screen undecided, your rates foretell nothing; the typical ones still do."""
        ahead = fold(PIPELINE, [applied("a")]).forecast_at(None)
        assert (ahead.applications_per_offer, ahead.expected_offers) == (None, None)
        assert ahead.typical_expected_offers == pytest.approx(0.01)
        assert ahead.caveat.startswith("Some screen has nothing decided yet")

    def test_a_screen_passed_by_none(self) -> None:
        """A rate of 0 somewhere: no offer ahead at your rates, not a division by zero."""
        rows = [attrs.evolve(row, rate=0.5, count=1, cut=1) for row in fold(PIPELINE, []).funnel]
        rows[1] = attrs.evolve(rows[1], rate=0.0, count=0, cut=2)
        ahead = forecast(rows, [Stage.APPLIED])
        assert ahead.applications_per_offer is None
        assert ahead.expected_offers == 0.0
        assert ahead.caveat.startswith("A rough guess: as few as 2")
