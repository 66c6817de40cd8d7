"""Tests for the thresholds: defaults, validation, and the environment."""

from __future__ import annotations

import pytest
from jobsearch_core import InvalidInputError

from jobsearch_core_nudges import Thresholds


class TestThresholds:
    """How long before each nudge is due."""

    def test_defaults(self) -> None:
        """14 days for a follow-up, twice that for no_response, 7 for practice."""
        thresholds = Thresholds()
        assert thresholds.to_json() == {
            "follow_up_days": 14,
            "no_response_days": 28,
            "practice_days": 7,
        }

    def test_no_response_follows_the_follow_up(self) -> None:
        """Unless given, no_response is twice the follow-up threshold."""
        assert Thresholds(follow_up_days=10).close_after_days == 20
        assert Thresholds(follow_up_days=10, no_response_days=12).close_after_days == 12

    @pytest.mark.parametrize(
        ("given", "message"),
        [
            (
                {"follow_up_days": 0},
                "follow_up_days must be a whole number of days from 1 to 36500, got 0",
            ),
            ({"follow_up_days": 999_999_999}, "from 1 to 36500, got 999999999"),
            ({"practice_days": 2.5}, "practice_days must be a whole number"),
            ({"practice_days": True}, "practice_days must be a whole number"),
            ({"no_response_days": -1}, "no_response_days must be a whole number"),
            (
                {"follow_up_days": 20, "no_response_days": 10},
                "no_response_days (10) must not be less than follow_up_days (20)",
            ),
        ],
    )
    def test_bad_values_refused(self, given: dict[str, object], message: str) -> None:
        """A value that is not a whole number of days from 1 to 36500 (a hundred years) is
        refused, naming the field."""
        with pytest.raises(InvalidInputError) as caught:
            Thresholds(**given)  # type: ignore[arg-type]
        assert message in str(caught.value)


class TestFromEnvironment:
    """``JOBSEARCH_NUDGES_*_DAYS`` set the thresholds for every use of the view."""

    def test_unset_means_the_defaults(self) -> None:
        """An empty environment gives the defaults."""
        assert Thresholds.from_env({}) == Thresholds()

    def test_each_variable(self) -> None:
        """Each variable sets its threshold; blank ones are ignored."""
        environ = {
            "JOBSEARCH_NUDGES_FOLLOW_UP_DAYS": "10",
            "JOBSEARCH_NUDGES_NO_RESPONSE_DAYS": " 21 ",
            "JOBSEARCH_NUDGES_PRACTICE_DAYS": "",
        }
        assert Thresholds.from_env(environ) == Thresholds(follow_up_days=10, no_response_days=21)

    @pytest.mark.parametrize("value", ["ten", "0", "-3", "1.5"])
    def test_bad_value_names_the_variable(self, value: str) -> None:
        """A bad value is refused with the variable's name."""
        with pytest.raises(InvalidInputError, match=r"\$JOBSEARCH_NUDGES_PRACTICE_DAYS"):
            Thresholds.from_env({"JOBSEARCH_NUDGES_PRACTICE_DAYS": value})

    def test_reads_the_process_environment(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Without a mapping, the process environment is read."""
        monkeypatch.setenv("JOBSEARCH_NUDGES_PRACTICE_DAYS", "3")
        assert Thresholds.from_env().practice_days == 3
