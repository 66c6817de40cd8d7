"""The `history` view: how each skill's rank moved, which event moved it, and the corrections."""

from __future__ import annotations

from datetime import datetime

import attrs

from jobsearch_core.events import (
    CareerGoalSet,
    Event,
    EventRetracted,
    FeedbackReceived,
    GapAdded,
    GapClosed,
    GapPracticed,
    GapPromoted,
    Recorded,
    RoleSuggested,
    event_type_of,
)
from jobsearch_core.views import View
from jobsearch_core.views import gaps as gaps_view
from jobsearch_core.views.gaps import GapsState, feedback_source

__all__ = ["VIEW", "Correction", "GoalChange", "HistoryState", "RankChange", "RankMove", "apply"]

#: The events that can change open ranks; the others are folded without a diff.
_RANKING_EVENTS = (GapAdded, GapPromoted, FeedbackReceived, GapClosed)
#: Events of exactly these classes neither change a rank nor add to the history itself.
_UNRANKED = frozenset({GapPracticed, RoleSuggested})


@attrs.define(kw_only=True)
class RankChange:
    """One change of a skill's rank and the event that caused it."""

    #: Log position of the event that moved it.
    position: int
    #: That event's `at`.
    at: datetime
    #: The new rank; None when it left the open list.
    rank: int | None
    #: The rank before; None when it was not on the open list.
    previous: int | None
    #: The event's type name: "GapPromoted", "FeedbackReceived", "GapAdded", "GapClosed".
    cause: str
    #: A readable line: the promotion reason, the feedback source, what shifted it ...
    detail: str | None = None


@attrs.define(kw_only=True)
class Correction:
    """An `EventRetracted` seen in the log: the retracted event is left out of every view."""

    position: int
    at: datetime
    #: Position of the event it retracts.
    retracted: int
    reason: str | None = None


@attrs.define(kw_only=True)
class GoalChange:
    """A `CareerGoalSet` seen in the log."""

    position: int
    at: datetime
    goal: str
    horizon_years: int


@attrs.frozen(kw_only=True)
class RankMove:
    """How one skill's rank differs between two moments (None: not on the open list)."""

    skill: str
    before: int | None
    after: int | None


@attrs.define(kw_only=True)
class HistoryState:
    """Every rank change by skill, with the gap list that produced them."""

    #: Display skill -> its rank changes, in log order.
    ranks: dict[str, list[RankChange]] = attrs.Factory(dict)
    corrections: list[Correction] = attrs.Factory(list)
    goal_changes: list[GoalChange] = attrs.Factory(list)
    #: The gap list as of the last event folded, diffed before and after each event.
    gaps: GapsState = attrs.Factory(GapsState)

    def ranks_at(self, when: int | datetime) -> dict[str, int]:
        """The open ranks (display skill -> rank) as of a log position or a moment.

        Read from the recorded changes: for a position, the changes by events at or
        before it; for a moment, the changes by events whose `at` is not later (exact
        when events were recorded in time order; `EventLog.view(as_of=...)` refolds).
        """
        ranks: dict[str, int] = {}
        for skill, changes in self.ranks.items():
            reached = [change for change in changes if _not_after(change, when)]
            if reached and reached[-1].rank is not None:
                ranks[skill] = reached[-1].rank
        return dict(sorted(ranks.items(), key=lambda pair: pair[1]))

    def diff(self, start: int | datetime, end: int | datetime) -> list[RankMove]:
        """The skills whose rank differs between `start` and `end` (positions or moments).

        Ordered by the rank at `end`, then the skills that left the list.
        """
        before, after = self.ranks_at(start), self.ranks_at(end)
        moves = [
            RankMove(skill=skill, before=before.get(skill), after=after.get(skill))
            for skill in {**before, **after}
            if before.get(skill) != after.get(skill)
        ]
        return sorted(moves, key=lambda move: (move.after is None, move.after or 0, move.skill))


def _not_after(change: RankChange, when: int | datetime) -> bool:
    if isinstance(when, datetime):
        return change.at <= when
    return change.position <= when


def _detail(event: Event, moved: str, subject: str | None) -> str | None:
    # The skill the event names gets the event's own words; skills it pushed aside are
    # told what pushed them.
    if isinstance(event, FeedbackReceived):
        return feedback_source(event)
    if moved == subject:
        if isinstance(event, GapPromoted):
            return event.reason
        if isinstance(event, GapAdded | GapClosed):
            return event.note
        return None
    if isinstance(event, GapPromoted):
        return f"shifted: {subject} moved to rank {event.to_rank}"
    if isinstance(event, GapAdded):
        return f"shifted: {subject} added"
    if isinstance(event, GapClosed):
        return f"shifted: {subject} closed"
    return None


def apply(state: HistoryState, recorded: Recorded) -> HistoryState:
    """Fold one event into the gap list held, and record every rank it changed."""
    event = recorded.event
    if type(event) in _UNRANKED:  # the most common events (practice) change no rank
        gaps_view.apply(state.gaps, recorded)
        return state
    # A retraction only reaches back (the replay engine ignores one that points forward),
    # so only those are corrections.
    if isinstance(event, EventRetracted) and event.position < recorded.position:
        state.corrections.append(
            Correction(
                position=recorded.position,
                at=event.at,
                retracted=event.position,
                reason=event.reason,
            )
        )
    elif isinstance(event, CareerGoalSet):
        state.goal_changes.append(
            GoalChange(
                position=recorded.position,
                at=event.at,
                goal=event.goal,
                horizon_years=event.horizon_years,
            )
        )
    if not isinstance(event, _RANKING_EVENTS):
        gaps_view.apply(state.gaps, recorded)
        return state
    order_before = state.gaps.order[:]
    gaps_view.apply(state.gaps, recorded)
    order_after = state.gaps.order
    if order_after == order_before:
        return state
    # Ranks above the first difference did not move: compare the rest only.
    same = 0
    for key_before, key_after in zip(order_before, order_after, strict=False):
        if key_before != key_after:
            break
        same += 1
    before = {key: rank for rank, key in enumerate(order_before[same:], start=same + 1)}
    after = {key: rank for rank, key in enumerate(order_after[same:], start=same + 1)}
    subject_item = None if isinstance(event, FeedbackReceived) else state.gaps.get(event.skill)
    subject = subject_item.skill if subject_item is not None else None
    cause = event_type_of(event)
    # Keys in the order of their new rank, then the ones that left the list.
    for key in [*after, *(key for key in before if key not in after)]:
        if before.get(key) == after.get(key):
            continue
        skill = state.gaps.skills[key].skill
        state.ranks.setdefault(skill, []).append(
            RankChange(
                position=recorded.position,
                at=event.at,
                rank=after.get(key),
                previous=before.get(key),
                cause=cause,
                detail=_detail(event, skill, subject),
            )
        )
    return state


VIEW: View[HistoryState] = View(
    name="history",
    version=1,
    initial=HistoryState,
    apply=apply,
    state_type=HistoryState,
    description="How each skill's rank moved, which event moved it, and the corrections made.",
    events=(*gaps_view.EVENTS, EventRetracted),
)
