"""The `gaps` view: the punch list of skills in rank order, and the resume to-do list beside it."""

from __future__ import annotations

import enum
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import attrs

from jobsearch_core.events import (
    CareerGoalSet,
    Event,
    FeedbackReceived,
    GapAdded,
    GapClosed,
    GapPracticed,
    GapPromoted,
    Mark,
    Recorded,
    ResumeUpdated,
    RoleSuggested,
)
from jobsearch_core.views._dispatch import Handler, dispatcher
from jobsearch_core.views._skills import key_of
from jobsearch_core.views.view import View

__all__ = [
    "EVENTS",
    "SELF",
    "VIEW",
    "GapItem",
    "GapStatus",
    "GapsState",
    "PunchUpItem",
    "apply",
    "feedback_source",
    "role_source",
]

#: The source of a skill the seeker wrote onto the list themselves.
SELF = "self"


def feedback_source(event: FeedbackReceived) -> str:
    """How a feedback event is named as a source: "feedback: <who> (<application id>)"."""
    return f"feedback: {event.source or 'interviewer'} ({event.application_id})"


def role_source(event: RoleSuggested) -> str:
    """How a suggested role is named as a source: "role: <role> at <company>"."""
    return f"role: {event.role} at {event.company}"


class GapStatus(enum.StrEnum):
    """Whether a gap item is still on the open list."""

    OPEN = "open"
    CLOSED = "closed"


def _add_source(sources: list[str], source: str) -> None:
    if source not in sources:
        sources.append(source)


@attrs.define(kw_only=True)
class GapItem:
    """One skill on the gap list (or once on it): where it came from and the work put in."""

    #: The first form the log spelled it in, stripped.
    skill: str
    #: 1 is the top; None once closed.
    rank: int | None = None
    status: GapStatus = GapStatus.OPEN
    #: Where it came from, in the order first seen: "self", "feedback: ...", "role: ...".
    sources: list[str] = attrs.Factory(list)
    #: How many feedback items named it as `next_focus`.
    mentions: int = 0
    #: What those interviewers said, in order (items without a comment add nothing).
    comments: list[str] = attrs.Factory(list)
    minutes_practised: int = 0
    last_practised: datetime | None = None
    #: When it (last) joined the open list.
    added_at: datetime | None = None
    #: When it was closed; None while open.
    closed_at: datetime | None = None

    @property
    def key(self) -> str:
        """The form the skill is compared in (see `skill_key`)."""
        return key_of(self.skill)


@attrs.define(kw_only=True)
class PunchUpItem:
    """A skill already on the resume that feedback says should stand out more."""

    skill: str
    #: How many feedback items marked it `punch_up`.
    mentions: int = 0
    sources: list[str] = attrs.Factory(list)
    #: The interviewers' comments, in order (items without one add nothing).
    comments: list[str] = attrs.Factory(list)
    #: The latest `at` of the feedback that named it.
    last_at: datetime | None = None

    @property
    def key(self) -> str:
        """The form the skill is compared in (see `skill_key`)."""
        return key_of(self.skill)


@attrs.define(kw_only=True)
class GapsState:
    """The gap list: every item ever seen by skill key, and the open ones in rank order."""

    #: Every gap item ever seen, open or closed, by skill key.
    skills: dict[str, GapItem] = attrs.Factory(dict)
    #: Skill keys of the open items, top first.
    order: list[str] = attrs.Factory(list)
    #: The resume to-do list, one entry per skill key, in the order first named.
    punch_up: list[PunchUpItem] = attrs.Factory(list)
    #: Practice logged for a skill that was not on the list then: display skill -> minutes.
    practised_off_list: dict[str, int] = attrs.Factory(dict)
    #: The latest career goal, and how many years out it is.
    goal: str | None = None
    horizon_years: int | None = None
    goal_set_at: datetime | None = None
    #: The current resume (the latest `ResumeUpdated`): its version, and the skills it
    #: lists, first spelling of each.
    resume_version: str | None = None
    resume_skills: list[str] = attrs.Factory(list)

    def has(self, skill: str) -> bool:
        """Whether the seeker has a skill: it is on the current resume, an interviewer
        marked it `punch_up`, or it is a closed gap item (learned)."""
        key = key_of(skill)
        item = self.skills.get(key)
        return (
            any(key_of(listed) == key for listed in self.resume_skills)
            or any(entry.key == key for entry in self.punch_up)
            or (item is not None and item.status is GapStatus.CLOSED)
        )

    def on_resume(self, skill: str) -> bool:
        """Whether a skill is on the current resume or its to-do list (punch it up)."""
        key = key_of(skill)
        return any(key_of(listed) == key for listed in self.resume_skills) or any(
            entry.key == key for entry in self.punch_up
        )

    @property
    def items(self) -> list[GapItem]:
        """The open items, in rank order."""
        return [self.skills[key] for key in self.order]

    @property
    def closed(self) -> list[GapItem]:
        """The closed items, earliest closed first."""
        done = [item for item in self.skills.values() if item.status is GapStatus.CLOSED]
        return sorted(done, key=lambda item: item.closed_at or datetime.min.replace(tzinfo=UTC))

    @property
    def focus(self) -> list[GapItem]:
        """The top two open items: the ones to practise now."""
        return self.items[:2]

    def ranks(self) -> dict[str, int]:
        """Skill key -> rank of every open item."""
        return {key: rank for rank, key in enumerate(self.order, start=1)}

    def get(self, skill: str) -> GapItem | None:
        """The item for a skill in any spelling, open or closed; None if never on the list."""
        return self.skills.get(key_of(skill))

    def focus_practised(
        self, now: datetime | None = None, days: int = 7
    ) -> list[tuple[GapItem, bool]]:
        """Each focus item with whether it was last practised within `days` days before `now`."""
        since = (now if now is not None else datetime.now(UTC)) - timedelta(days=days)
        return [
            (item, item.last_practised is not None and item.last_practised >= since)
            for item in self.focus
        ]

    # --- changes the fold makes ---------------------------------------------------------------

    def place(self, skill: str, rank: int | None, at: datetime, source: str | None) -> GapItem:
        """Put a skill on the open list at `rank` (None or past the end: the bottom).

        A new skill is created, a closed one reopened, an open one moved; `source` (if
        given) is noted on it.
        """
        key = key_of(skill)
        item = self._open(key, skill, at)
        if source is not None:
            _add_source(item.sources, source)
        self.order.remove(key)
        index = len(self.order) if rank is None else min(rank - 1, len(self.order))
        self.order.insert(index, key)
        self._renumber()
        return item

    def close(self, skill: str, at: datetime) -> GapItem | None:
        """Take a skill off the open list; None (and no change) if it is not open."""
        key = key_of(skill)
        item = self.skills.get(key)
        if item is None or item.status is GapStatus.CLOSED:
            return None
        item.status = GapStatus.CLOSED
        item.rank = None
        item.closed_at = at
        self.order.remove(key)
        self._renumber()
        return item

    def _open(self, key: str, skill: str, at: datetime) -> GapItem:
        # The item for `key`, open and in `order` (appended if it just joined); the caller
        # puts it in its place and renumbers.
        item = self.skills.get(key)
        if item is None:
            item = self.skills[key] = GapItem(skill=skill.strip(), added_at=at)
        elif item.status is GapStatus.CLOSED:
            item.status = GapStatus.OPEN
            item.closed_at = None
            item.added_at = at
        else:
            return item
        self.order.append(key)
        return item

    def _renumber(self) -> None:
        # The list is short (a punch list), so renumbering all of it keeps 1..n exact.
        for rank, key in enumerate(self.order, start=1):
            self.skills[key].rank = rank


# --- the fold --------------------------------------------------------------------------------


def _added(state: GapsState, event: GapAdded, recorded: Recorded) -> None:
    key = key_of(event.skill)
    item = state.skills.get(key)
    if item is not None and item.status is GapStatus.OPEN and event.rank is None:
        # Already open and no rank asked for: it stays where it is.
        _add_source(item.sources, SELF)
        return
    state.place(event.skill, event.rank, event.at, SELF)


def _promoted(state: GapsState, event: GapPromoted, recorded: Recorded) -> None:
    item = state.get(event.skill)
    listed = item is not None and item.status is GapStatus.OPEN
    # Promoting something not on the list is the seeker putting it there; moving an
    # open item does not change where it came from.
    state.place(event.skill, event.to_rank, event.at, None if listed else SELF)


def _feedback(state: GapsState, event: FeedbackReceived, recorded: Recorded) -> None:
    source = feedback_source(event)
    for feedback in event.items:
        if feedback.mark is Mark.NEXT_FOCUS:
            key = key_of(feedback.skill)
            item = state.skills.get(key)
            if item is None or item.status is GapStatus.CLOSED:
                item = state.place(feedback.skill, None, event.at, source)
            else:
                _add_source(item.sources, source)
            item.mentions += 1
            if feedback.comment is not None:
                item.comments.append(feedback.comment)
        else:
            _punch_up(state, feedback.skill, feedback.comment, source, event.at)


def _punch_up(state: GapsState, skill: str, comment: str | None, source: str, at: datetime) -> None:
    key = key_of(skill)
    entry = next((entry for entry in state.punch_up if entry.key == key), None)
    if entry is None:
        entry = PunchUpItem(skill=skill.strip())
        state.punch_up.append(entry)
    entry.mentions += 1
    _add_source(entry.sources, source)
    if comment is not None:
        entry.comments.append(comment)
    if entry.last_at is None or at > entry.last_at:
        entry.last_at = at


def _practised(state: GapsState, event: GapPracticed, recorded: Recorded) -> None:
    item = state.get(event.skill)
    if item is not None:
        item.minutes_practised += event.minutes
        if item.last_practised is None or event.at > item.last_practised:
            item.last_practised = event.at
        return
    # Not on the list (yet, or by another spelling): keep the minutes rather than lose them.
    key = key_of(event.skill)
    shown = next((s for s in state.practised_off_list if key_of(s) == key), event.skill.strip())
    state.practised_off_list[shown] = state.practised_off_list.get(shown, 0) + event.minutes


def _closed(state: GapsState, event: GapClosed, recorded: Recorded) -> None:
    state.close(event.skill, event.at)


def _suggested(state: GapsState, event: RoleSuggested, recorded: Recorded) -> None:
    # A role never adds to the list (the roles view shows what it is missing); it only
    # notes itself on the open skills it needs.
    source = role_source(event)
    for skill in event.skills:
        item = state.get(skill)
        if item is not None and item.status is GapStatus.OPEN:
            _add_source(item.sources, source)


def _resume(state: GapsState, event: ResumeUpdated, recorded: Recorded) -> None:
    state.resume_version = event.version.strip()
    listed: dict[str, str] = {}
    for skill in event.skills:
        listed.setdefault(key_of(skill), skill.strip())
    state.resume_skills = list(listed.values())


def _goal(state: GapsState, event: CareerGoalSet, recorded: Recorded) -> None:
    state.goal = event.goal
    state.horizon_years = event.horizon_years
    state.goal_set_at = event.at


_HANDLERS: dict[type[Event], Handler[GapsState]] = {
    GapAdded: _added,
    GapPromoted: _promoted,
    FeedbackReceived: _feedback,
    GapPracticed: _practised,
    GapClosed: _closed,
    RoleSuggested: _suggested,
    CareerGoalSet: _goal,
    ResumeUpdated: _resume,
}
#: The event classes the gap list folds (the rest leave it as it is).
EVENTS: tuple[type[Event], ...] = tuple(_HANDLERS)

#: Fold one event into the gap list (in place) and return it.
apply: Callable[[GapsState, Recorded], GapsState] = dispatcher(_HANDLERS)


VIEW: View[GapsState] = View(
    name="gaps",
    version=3,
    initial=GapsState,
    apply=apply,
    state_type=GapsState,
    description="The gap list in rank order, sources and practice; the punch-up resume to-do list.",
    events=EVENTS,
)
