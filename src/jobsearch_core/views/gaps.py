"""The `gaps` view: the punch list of skills in rank order, and the resume to-do list beside it."""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, timedelta

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
    SkillsMerged,
)
from jobsearch_core.views._dispatch import Handler, dispatcher
from jobsearch_core.views._skills import key_of
from jobsearch_core.views.frozen import is_frozen, own, thaw
from jobsearch_core.views.view import View

__all__ = [
    "EVENTS",
    "SELF",
    "VIEW",
    "FocusPractice",
    "GapItem",
    "GapStatus",
    "GapsState",
    "PunchUpItem",
    "apply",
    "feedback_source",
    "interviewer_of",
    "role_source",
    "week_of",
]

#: The source of a skill the seeker wrote onto the list themselves.
SELF = "self"


def interviewer_of(event: FeedbackReceived) -> str:
    """Who gave a piece of feedback, as the evidence counts people: the `source` (compared
    as names are, so one person named at two applications counts once), or, when no name
    was given, "interviewer (<application id>)"."""
    if event.source is not None:
        return event.source.strip()
    return f"interviewer ({event.application_id})"


def feedback_source(event: FeedbackReceived) -> str:
    """How a feedback event is named as a source: "feedback: <who> (<application id>)"."""
    return f"feedback: {event.source or 'interviewer'} ({event.application_id})"


def week_of(moment: datetime) -> date:
    """The Monday (UTC) of the week a moment falls in: practice is counted by these weeks."""
    day = moment.astimezone(UTC).date()
    return day - timedelta(days=day.weekday())


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


def _add_person(people: list[str], person: str) -> None:
    # People compare as names do: "Ann Lee" and " ann lee" are one interviewer.
    if all(key_of(known) != key_of(person) for known in people):
        people.append(person)


def _add_all(into: list[str], more: Iterable[str]) -> None:
    for source in more:
        _add_source(into, source)


def _earliest(moments: Iterable[datetime | None]) -> datetime | None:
    return min((m for m in moments if m is not None), default=None)


def _latest(moments: Iterable[datetime | None]) -> datetime | None:
    return max((m for m in moments if m is not None), default=None)


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
    #: The interviewers who named it (see `interviewer_of`), each once, in the order first seen.
    interviewers: list[str] = attrs.Factory(list)
    #: What those interviewers said, in order: each item's comment, then the note of the
    #: feedback it came in (what was said of it all); neither adds nothing.
    comments: list[str] = attrs.Factory(list)
    minutes_practised: int = 0
    last_practised: datetime | None = None
    #: Minutes practised in each week (its Monday, ISO "YYYY-MM-DD", see `week_of`).
    weekly_minutes: dict[str, int] = attrs.Factory(dict)
    #: When it (last) joined the open list.
    added_at: datetime | None = None
    #: When it was closed; None while open.
    closed_at: datetime | None = None

    @property
    def key(self) -> str:
        """The form the skill is compared in (see `skill_key`)."""
        return key_of(self.skill)

    def minutes_in_week(self, now: datetime | None = None) -> int:
        """Minutes practised in the week (Monday to Sunday, UTC) that `now` falls in."""
        return self.weekly_minutes.get(week_of(_now(now)).isoformat(), 0)

    def weeks_in_a_row(self, now: datetime | None = None) -> int:
        """How many weeks in a row, up to the one `now` falls in, had practice.

        A streak is still alive in a week not yet practised: it then counts up to the
        week before.
        """
        week = week_of(_now(now))
        if week.isoformat() not in self.weekly_minutes:
            week -= timedelta(days=7)
        weeks = 0
        while self.weekly_minutes.get(week.isoformat(), 0) > 0:
            weeks += 1
            week -= timedelta(days=7)
        return weeks

    def practise(self, minutes: int, at: datetime) -> None:
        """Count time spent on it."""
        self.minutes_practised += minutes
        if self.last_practised is None or at > self.last_practised:
            self.last_practised = at
        if minutes:
            week = week_of(at).isoformat()
            self.weekly_minutes[week] = self.weekly_minutes.get(week, 0) + minutes

    def absorb(self, other: GapItem) -> None:
        """Take another item's evidence and practice in: it is the same skill (a merge)."""
        _add_all(self.sources, other.sources)
        self.mentions += other.mentions
        for interviewer in other.interviewers:
            _add_person(self.interviewers, interviewer)
        self.comments += other.comments
        self.minutes_practised += other.minutes_practised
        self.last_practised = _latest((self.last_practised, other.last_practised))
        for week, minutes in other.weekly_minutes.items():
            self.weekly_minutes[week] = self.weekly_minutes.get(week, 0) + minutes
        self.weekly_minutes = dict(sorted(self.weekly_minutes.items()))
        self.added_at = _earliest((self.added_at, other.added_at))
        self.closed_at = _latest((self.closed_at, other.closed_at))


def _now(now: datetime | None) -> datetime:
    return now if now is not None else datetime.now(UTC)


@attrs.frozen(kw_only=True)
class FocusPractice:
    """How a focus item is being practised: the method asks for both, every week."""

    item: GapItem
    #: Weeks in a row with practice, up to this one (see `GapItem.weeks_in_a_row`).
    weeks_in_a_row: int
    #: Minutes practised this week (Monday to Sunday, UTC).
    minutes_this_week: int

    @property
    def summary(self) -> str:
        """In words: "25 min this week, 2 weeks in a row", or "not practised yet this week
        (3 weeks in a row before)"."""
        weeks = self.weeks_in_a_row
        streak = f"{weeks} week{'s' if weeks != 1 else ''} in a row"
        if self.minutes_this_week:
            return f"{self.minutes_this_week} min this week, {streak}"
        return (
            f"not practised yet this week ({streak} before)"
            if weeks
            else "not practised yet this week"
        )


@attrs.define(kw_only=True)
class PunchUpItem:
    """A skill already on the resume that feedback says should stand out more."""

    skill: str
    #: How many feedback items marked it `punch_up`.
    mentions: int = 0
    sources: list[str] = attrs.Factory(list)
    #: The interviewers' comments, in order, as `GapItem.comments`.
    comments: list[str] = attrs.Factory(list)
    #: The latest `at` of the feedback that named it.
    last_at: datetime | None = None

    @property
    def key(self) -> str:
        """The form the skill is compared in (see `skill_key`)."""
        return key_of(self.skill)

    def absorb(self, other: PunchUpItem) -> None:
        """Take another entry's mentions in: it is the same skill (a merge)."""
        self.mentions += other.mentions
        _add_all(self.sources, other.sources)
        self.comments += other.comments
        self.last_at = _latest((self.last_at, other.last_at))


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
    #: Merged spellings (`SkillsMerged`): the key of each spelling merged away -> the key
    #: of the skill it is now counted as.
    merged: dict[str, str] = attrs.Factory(dict)
    #: The name each skill a merge touched goes by: its kept form for the skill merged
    #: into, the form it was seen in for those merged away.
    spellings: dict[str, str] = attrs.Factory(dict)

    def key(self, skill: str) -> str:
        """The key a skill is counted under: its `skill_key`, or the one it was merged into."""
        key = key_of(skill)
        return self.merged.get(key, key)

    def name_of(self, skill: str) -> str:
        """The name the gap list gives a skill: a merged spelling's kept form, else as given."""
        key = self.key(skill)
        item = self.skills.get(key)
        if item is not None:
            return item.skill
        return self.spellings.get(key, skill.strip())

    def has(self, skill: str) -> bool:
        """Whether the seeker has a skill: it is on the current resume, an interviewer
        marked it `punch_up`, or it is a closed gap item (learned)."""
        key = self.key(skill)
        item = self.skills.get(key)
        return self._on_resume(key) or (item is not None and item.status is GapStatus.CLOSED)

    def on_resume(self, skill: str) -> bool:
        """Whether a skill is on the current resume or its to-do list (punch it up)."""
        return self._on_resume(self.key(skill))

    def _on_resume(self, key: str) -> bool:
        return any(self.key(listed) == key for listed in self.resume_skills) or any(
            self.key(entry.skill) == key for entry in self.punch_up
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
        """The item for a skill in any spelling (merged ones too), open or closed; None if
        never on the list."""
        return self.skills.get(self.key(skill))

    def change(self, item: GapItem) -> GapItem:
        """An item of the list to change in place: a copy put in its place when it is
        frozen (shared with a state handed out)."""
        return own(self.skills, item.key) if is_frozen(item) else item

    def practice(self, now: datetime | None = None) -> list[FocusPractice]:
        """The focus items with their weeks in a row of practice and minutes this week."""
        return [
            FocusPractice(
                item=item,
                weeks_in_a_row=item.weeks_in_a_row(now),
                minutes_this_week=item.minutes_in_week(now),
            )
            for item in self.focus
        ]

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
        key = self.key(skill)
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
        key = self.key(skill)
        found = self.skills.get(key)
        if found is None or found.status is GapStatus.CLOSED:
            return None
        item = own(self.skills, key)
        item.status = GapStatus.CLOSED
        item.rank = None
        item.closed_at = at
        self.order.remove(key)
        self._renumber()
        return item

    def _open(self, key: str, skill: str, at: datetime) -> GapItem:
        # The item for `key`, open and in `order` (appended if it just joined); the caller
        # puts it in its place and renumbers.
        found = self.skills.get(key)
        if found is None:
            item = self.skills[key] = GapItem(skill=self.name_of(skill), added_at=at)
        elif found.status is GapStatus.CLOSED:
            item = own(self.skills, key)
            item.status = GapStatus.OPEN
            item.closed_at = None
            item.added_at = at
        else:
            return own(self.skills, key)
        self.order.append(key)
        return item

    def merge(self, skills: Iterable[str], into: str) -> None:
        """Count the spellings as one skill, `into`, from here on: their items become one,
        open if any was, at the best rank any had; their punch-ups and off-list minutes too."""
        target = key_of(into)
        members: list[str] = []
        for skill in (*skills, into):
            key = self.key(skill)
            if key not in members:
                members.append(key)
            self.spellings.setdefault(key_of(skill), skill.strip())
        for key in members:
            if key in self.skills:
                # A spelling merged away keeps the name its item went by.
                self.spellings[key] = self.skills[key].skill
        kept = self.skills.get(target)
        name = kept.skill if kept is not None else into.strip()
        self.spellings[target] = name
        for alias, key in list(self.merged.items()):
            if key in members:
                self.merged[alias] = target
        for key in members:
            self.merged[key] = target
        self.merged.pop(target, None)

        items = [self.skills.pop(key) for key in members if key in self.skills]
        if items:
            item = thaw(items[0])
            for other in items[1:]:
                item.absorb(other)
            item.skill = name
            was_open = [key for key in self.order if key in members]
            if was_open:
                item.status, item.closed_at = GapStatus.OPEN, None
                at = self.order.index(was_open[0])
                self.order = [key for key in self.order if key not in members]
                self.order.insert(at, target)
            self.skills[target] = item
            self._renumber()

        found = [i for i, entry in enumerate(self.punch_up) if self.key(entry.skill) == target]
        if found:
            first = own(self.punch_up, found[0])
            for extra in [self.punch_up[i] for i in found[1:]]:
                first.absorb(extra)
                self.punch_up.remove(extra)
            first.skill = name

        if any(self.key(shown) == target for shown in self.practised_off_list):
            off_list: dict[str, int] = {}
            for shown, minutes in self.practised_off_list.items():
                if self.key(shown) == target:
                    off_list[name] = off_list.get(name, 0) + minutes
                else:
                    off_list[shown] = minutes
            self.practised_off_list = off_list

    def _renumber(self) -> None:
        # The list is short (a punch list), so renumbering all of it keeps 1..n exact.
        skills = self.skills
        for rank, key in enumerate(self.order, start=1):
            if skills[key].rank != rank:
                own(skills, key).rank = rank


# --- the fold --------------------------------------------------------------------------------


def _added(state: GapsState, event: GapAdded, recorded: Recorded) -> None:
    item = state.get(event.skill)
    if item is not None and item.status is GapStatus.OPEN and event.rank is None:
        # Already open and no rank asked for: it stays where it is.
        if SELF not in item.sources:
            state.change(item).sources.append(SELF)
        return
    state.place(event.skill, event.rank, event.at, SELF)


def _promoted(state: GapsState, event: GapPromoted, recorded: Recorded) -> None:
    item = state.get(event.skill)
    listed = item is not None and item.status is GapStatus.OPEN
    # Promoting something not on the list is the seeker putting it there; moving an
    # open item does not change where it came from.
    state.place(event.skill, event.to_rank, event.at, None if listed else SELF)


def _feedback(state: GapsState, event: FeedbackReceived, recorded: Recorded) -> None:
    source, interviewer = feedback_source(event), interviewer_of(event)
    for feedback in event.items:
        # What was said of this skill, then what was said of the whole feedback (its note).
        said = [text for text in (feedback.comment, event.note) if text]
        if feedback.mark is Mark.NEXT_FOCUS:
            item = state.get(feedback.skill)
            if item is None or item.status is GapStatus.CLOSED:
                item = state.place(feedback.skill, None, event.at, source)
            else:
                item = state.change(item)
                _add_source(item.sources, source)
            item.mentions += 1
            _add_person(item.interviewers, interviewer)
            item.comments += said
        else:
            _punch_up(state, feedback.skill, said, source, event.at)


def _punch_up(state: GapsState, skill: str, said: list[str], source: str, at: datetime) -> None:
    key = state.key(skill)
    index = next((i for i, entry in enumerate(state.punch_up) if entry.key == key), None)
    if index is None:
        entry = PunchUpItem(skill=state.name_of(skill))
        state.punch_up.append(entry)
    else:
        entry = own(state.punch_up, index)
    entry.mentions += 1
    _add_source(entry.sources, source)
    entry.comments += said
    if entry.last_at is None or at > entry.last_at:
        entry.last_at = at


def _practised(state: GapsState, event: GapPracticed, recorded: Recorded) -> None:
    item = state.get(event.skill)
    if item is not None:
        state.change(item).practise(event.minutes, event.at)
        return
    # Not on the list (yet, or by another spelling): keep the minutes rather than lose them.
    key = state.key(event.skill)
    shown = next(
        (s for s in state.practised_off_list if state.key(s) == key), state.name_of(event.skill)
    )
    state.practised_off_list[shown] = state.practised_off_list.get(shown, 0) + event.minutes


def _closed(state: GapsState, event: GapClosed, recorded: Recorded) -> None:
    state.close(event.skill, event.at)


def _suggested(state: GapsState, event: RoleSuggested, recorded: Recorded) -> None:
    # A role never adds to the list (the roles view shows what it is missing); it only
    # notes itself on the open skills it needs.
    source = role_source(event)
    for skill in event.skills:
        item = state.get(skill)
        if item is not None and item.status is GapStatus.OPEN and source not in item.sources:
            state.change(item).sources.append(source)


def _resume(state: GapsState, event: ResumeUpdated, recorded: Recorded) -> None:
    state.resume_version = event.version.strip()
    listed: dict[str, str] = {}
    for skill in event.skills:
        listed.setdefault(state.key(skill), skill.strip())
    state.resume_skills = list(listed.values())


def _merged(state: GapsState, event: SkillsMerged, recorded: Recorded) -> None:
    state.merge(event.skills, event.into)


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
    SkillsMerged: _merged,
}
#: The event classes the gap list folds (the rest leave it as it is).
EVENTS: tuple[type[Event], ...] = tuple(_HANDLERS)

#: Fold one event into the gap list (in place) and return it.
apply: Callable[[GapsState, Recorded], GapsState] = dispatcher(_HANDLERS)


VIEW: View[GapsState] = View(
    name="gaps",
    version=5,
    initial=GapsState,
    apply=apply,
    state_type=GapsState,
    description="The gap list in rank order, sources and practice; the punch-up resume to-do list.",
    events=EVENTS,
    copy_on_write=True,
)
