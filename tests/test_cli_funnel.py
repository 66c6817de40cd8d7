"""`jobsearch funnel`: the funnel in words, with the numbers behind each sentence."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from jobsearch_core import (
    ApplicationClosed,
    BaseRatesSet,
    Event,
    FeedbackReceived,
    ResumeSubmitted,
    ScreenPassed,
    open_log,
)
from tests.conftest import Run

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def search(url: str, events: list[Event]) -> None:
    with open_log(url) as log:
        log.append(events)


def sent(app: str, via: str = "job board", day: int = 0) -> Event:
    return ResumeSubmitted(
        application_id=app, company=app, role="Analyst", via=via, at=T0 + timedelta(days=day)
    )


def screened(app: str, stage: str, day: int) -> Event:
    return ScreenPassed(application_id=app, stage=stage, at=T0 + timedelta(days=day))


def cut(app: str, day: int) -> Event:
    return ApplicationClosed(application_id=app, outcome="rejected", at=T0 + timedelta(days=day))


class TestSentences:
    """One sentence a screen, saying what a handful of applications can and cannot tell."""

    def test_nothing_decided(self, run: Run, url: str) -> None:
        """Applications waiting are waiting: no rate, no verdict."""
        search(url, [sent("a"), sent("b")])
        first = run("funnel").output.splitlines()[0]
        assert first.startswith("Resume screen: nothing decided yet. 2 still waiting")

    def test_too_few(self, run: Run, url: str) -> None:
        """One of one passed: 100%, 27-100%, too few to tell."""
        search(url, [sent("a"), screened("a", "resume", 3)])
        first = run("funnel").output.splitlines()[0]
        assert first == (
            "Resume screen: 1 of 1 decided passed (100%; 90% range 27-100%). Typical is 15%: "
            "too few decided to tell apart from it (fewer than 5)."
        )

    def test_within_the_normal_range(self, run: Run, url: str) -> None:
        """2 of 6 at the phone screen: 12-65%, and 40% is typical."""
        apps = [f"a{i}" for i in range(6)]
        events: list[Event] = [sent(app) for app in apps]
        events += [screened(app, "resume", 5) for app in apps]
        events += [screened(app, "phone", 9) for app in apps[:2]]
        events += [cut(app, 12) for app in apps[2:]]
        search(url, events)
        phone = run("funnel").output.splitlines()[1]
        assert phone == (
            "Phone screen: 2 of 6 decided passed (33%; 90% range 12-65%). Typical is 40%: "
            "this is within the normal range."
        )

    def test_below_names_what_the_log_holds(self, run: Run, url: str) -> None:
        """0 of 8 past the phone screen: below, and the feedback and channels of those cut."""
        apps = [f"a{i}" for i in range(8)]
        events: list[Event] = [
            sent(app, via="referral" if i < 2 else "job board") for i, app in enumerate(apps)
        ]
        events += [screened(app, "resume", 5) for app in apps]
        events += [
            FeedbackReceived(
                application_id=app,
                items=[{"skill": "System design", "mark": "next_focus"}],
                at=T0 + timedelta(days=8),
            )
            for app in apps[:3]
        ]
        events += [cut(app, 10) for app in apps]
        search(url, events)
        phone = run("funnel").output.splitlines()[1]
        assert phone.startswith("Phone screen: 0 of 8 decided passed (0%; 90% range 0-25%).")
        assert "below the normal range, worth a look" in phone
        assert "Feedback from those cut there named System design (3)" in phone
        assert "they came through job board (6), referral (2)" in phone
        resume = run("funnel").output.splitlines()[0]
        assert "worth a look" not in resume

    def test_a_withdrawal_is_neither(self, run: Run, url: str) -> None:
        """Withdrawn: not passed, not cut, said so."""
        search(
            url,
            [
                sent("a"),
                ApplicationClosed(application_id="a", outcome="withdrawn", at=T0 + timedelta(1)),
            ],
        )
        first = run("funnel").output.splitlines()[0]
        assert first == "Resume screen: nothing decided yet. 1 withdrawn (your choice, not theirs)."

    def test_json_gives_the_numbers(self, run: Run, url: str) -> None:
        """--json: every field of every row, and the sentences."""
        search(url, [sent("a"), screened("a", "resume", 3), sent("b"), cut("b", 4)])
        shown = json.loads(run("funnel", "--json").output)
        resume = shown["funnel"][0]
        assert (resume["count"], resume["cut"], resume["pending"], resume["verdict"]) == (
            1,
            1,
            0,
            "too few",
        )
        # The roots of (1/2 - p)^2 = z^2 p (1 - p) / 2, z = 1.6449.
        assert resume["interval"] == pytest.approx([0.1209, 0.8791], abs=5e-5)
        assert shown["sentences"][0].startswith("Resume screen: 1 of 2 decided passed (50%;")
        assert shown["forecast"]["open"] == 1
        assert shown["forecast"]["applications_per_offer"] is None  # later screens undecided
        assert shown["forecast_sentence"].startswith("Ahead: at the typical rates, about 100")
        assert "Some screen has nothing decided yet" in run("funnel").output.splitlines()[-1]


class TestBaseRates:
    """Base rates as data: replaced for one stream from a position on, read back in time."""

    def test_set_and_read_back_in_time(self, run: Run, url: str) -> None:
        """After `base-rates set`, the funnel reads against them; as of before, the defaults."""
        search(url, [sent("a"), screened("a", "resume", 3)])
        run("base-rates", "set", "--resume", "0.3", "--phone", "0.5", "--source", "our cohort")
        now = json.loads(run("base-rates", "show", "--json").output)
        assert (now["resume"]["rate"], now["resume"]["source"]) == (0.3, "our cohort")
        assert now["second_interview"]["rate"] == pytest.approx(2.5 / 6)
        before = json.loads(run("base-rates", "show", "--json", "--as-of", "2").output)
        assert before["resume"]["rate"] == 0.15
        assert "Typical is 30%" in run("funnel").output.splitlines()[0]
        assert "Typical is 15%" in run("funnel", "--as-of", "2").output.splitlines()[0]

    def test_other_streams_keep_the_defaults(self, url: str) -> None:
        """A stream's rates are its own."""
        with open_log(url) as log:
            log.append([BaseRatesSet(rates={"resume": 0.5}, source="coach")], stream="ann")
            assert log.view("pipeline", stream="ann").funnel[0].base_rate == 0.5
            assert log.view("pipeline").funnel[0].base_rate == 0.15
            assert log.view("pipeline", stream="ann").funnel[0].base_source == "coach"

    @pytest.mark.parametrize(
        "args",
        [
            ["--source", "x"],
            ["--resume", "1.5", "--source", "x"],
            ["--resume", "0.2"],
        ],
    )
    def test_refused(self, run: Run, args: list[str]) -> None:
        """No rate, a rate past 1, or no source: refused, nothing recorded."""
        run("base-rates", "set", *args, code=2)
        assert json.loads(run("log", "--json").output) == []
