"""How long the seeker may wait before a nudge is due: given as arguments, or by the environment."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import attrs
from jobsearch_core import InvalidInputError

__all__ = ["ENV_VARS", "MAX_DAYS", "Thresholds"]

#: The longest threshold: a hundred years (longer ones reach past the calendar).
MAX_DAYS = 36_500

#: The environment variable that sets each threshold (in days) for every use of the view.
ENV_VARS = {
    "follow_up_days": "JOBSEARCH_NUDGES_FOLLOW_UP_DAYS",
    "no_response_days": "JOBSEARCH_NUDGES_NO_RESPONSE_DAYS",
    "practice_days": "JOBSEARCH_NUDGES_PRACTICE_DAYS",
}


def _days(instance: Any, field: attrs.Attribute[Any], value: Any) -> None:
    if value is None and field.name == "no_response_days":
        return
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_DAYS:
        raise InvalidInputError(
            f"{field.name} must be a whole number of days from 1 to {MAX_DAYS}, got {value!r}"
        )


@attrs.frozen(kw_only=True)
class Thresholds:
    """The days of silence after which each kind of nudge is due.

    `no_response_days` defaults to twice `follow_up_days`: one follow-up, then let it go.
    """

    #: An open application with no news for this many days: a follow-up is due.
    follow_up_days: int = attrs.field(default=14, validator=_days)
    #: ... and for this many: mark it `no_response` (None: twice `follow_up_days`).
    no_response_days: int | None = attrs.field(default=None, validator=_days)
    #: A focus item (the top two of the gap list) not practised for this many days.
    practice_days: int = attrs.field(default=7, validator=_days)

    def __attrs_post_init__(self) -> None:
        if self.no_response_days is not None and self.no_response_days < self.follow_up_days:
            raise InvalidInputError(
                f"no_response_days ({self.no_response_days}) must not be less than "
                f"follow_up_days ({self.follow_up_days})"
            )

    @property
    def close_after_days(self) -> int:
        """The days of silence after which an application should be marked `no_response`."""
        return (
            self.no_response_days
            if self.no_response_days is not None
            else min(2 * self.follow_up_days, MAX_DAYS)
        )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Thresholds:
        """The defaults, with any set by ``JOBSEARCH_NUDGES_*_DAYS`` in the environment."""
        source = os.environ if environ is None else environ
        given: dict[str, int] = {}
        for name, variable in ENV_VARS.items():
            text = source.get(variable, "").strip()
            if not text:
                continue
            if not text.isdigit() or not 1 <= int(text) <= MAX_DAYS:
                raise InvalidInputError(
                    f"${variable} must be a whole number of days from 1 to {MAX_DAYS}, got {text!r}"
                )
            given[name] = int(text)
        return cls(**given)

    def to_json(self) -> dict[str, int]:
        """The thresholds in effect, as plain numbers."""
        return {
            "follow_up_days": self.follow_up_days,
            "no_response_days": self.close_after_days,
            "practice_days": self.practice_days,
        }
