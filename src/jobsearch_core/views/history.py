"""The `history` view: how each skill's rank moved, which event moved it, and the corrections.

It uses the `gaps` view: after each event that can move a rank, it compares the gap
list's order with the order it saw last, and records every rank that changed.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import attrs

from jobsearch_core.events import (
    CareerGoalSet,
    Event,
    EventRetracted,
    FeedbackReceived,
    GapAdded,
    GapClosed,
    GapPromoted,
    Recorded,
    SkillsMerged,
    event_type_of,
)
from jobsearch_core.events.base import skill_key
from jobsearch_core.views.frozen import own
from jobsearch_core.views.gaps import GapsState, feedback_source
from jobsearch_core.views.view import View

__all__ = [
    "VIEW",
    "Correction",
    "GoalChange",
    "HistoryState",
    "RankChange",
    "RankMove",
    "apply",
    "finish",
]

#: The events that can change open ranks.
_RANKING_EVENTS = (GapAdded, GapPromoted, FeedbackReceived, GapClosed, SkillsMerged)


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
    #: The event's type name: "GapPromoted", "FeedbackReceived", "GapAdded", "GapClosed",
    #: "SkillsMerged".
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
    """Every rank change by skill, the corrections made and the goals set."""

    #: Display skill -> its rank changes, in log order.
    ranks: dict[str, list[RankChange]] = attrs.Factory(dict)
    corrections: list[Correction] = attrs.Factory(list)
    goal_changes: list[GoalChange] = attrs.Factory(list)
    #: The skill keys of the open gap list, top first, as of the last event folded: what
    #: the next ranking event's order is compared with.
    order: list[str] = attrs.Factory(list)
    #: The gap list as of the last event folded: the `gaps` view's state, handed in by
    #: `finish` (empty while folding, and in snapshots).
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
    if isinstance(event, SkillsMerged):
        if moved == subject:
            return "merged: " + ", ".join(event.skills)
        if any(skill_key(moved) == skill_key(skill) for skill in event.skills):
            return f"merged into {subject}"
        return f"shifted: {', '.join(event.skills)} merged into {subject}"
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


def apply(state: HistoryState, recorded: Recorded, inputs: Mapping[str, Any]) -> HistoryState:
    """Record a correction or a goal, or every rank the event changed on the gap list."""
    event = recorded.event
    # A retraction only reaches back (the replay engine ignores one that points forward),
    # so only those are corrections.
    if isinstance(event, EventRetracted):
        if event.position < recorded.position:
            state.corrections.append(
                Correction(
                    position=recorded.position,
                    at=event.at,
                    retracted=event.position,
                    reason=event.reason,
                )
            )
        return state
    if isinstance(event, CareerGoalSet):
        state.goal_changes.append(
            GoalChange(
                position=recorded.position,
                at=event.at,
                goal=event.goal,
                horizon_years=event.horizon_years,
            )
        )
        return state
    gaps: GapsState = inputs["gaps"]
    order_before, order_after = state.order, gaps.order
    if order_after == order_before:
        return state
    # Ranks above the first difference did not move, nor (when the list kept its length)
    # those below the last: compare the window between only.
    same = 0
    for key_before, key_after in zip(order_before, order_after, strict=False):
        if key_before != key_after:
            break
        same += 1
    end_before, end_after = len(order_before), len(order_after)
    if end_before == end_after:
        while end_before > same and order_before[end_before - 1] == order_after[end_after - 1]:
            end_before -= 1
            end_after -= 1
    if isinstance(event, GapAdded | GapPromoted | GapClosed):
        subject: str | None = gaps.name_of(event.skill)
    elif isinstance(event, SkillsMerged):
        subject = gaps.name_of(event.into)
    else:
        subject = None
    cause, position, at = event_type_of(event), recorded.position, event.at
    before = {key: rank for rank, key in enumerate(order_before[same:end_before], start=same + 1)}
    changes: list[tuple[str, int | None, int | None]] = []
    # In the order of their new rank, then the skills that left the list.
    for rank, key in enumerate(order_after[same:end_after], start=same + 1):
        previous = before.pop(key, None)
        if previous != rank:
            changes.append((key, rank, previous))
    changes += [(key, None, left) for key, left in before.items()]
    ranks = state.ranks
    for key, new_rank, old_rank in changes:
        # A spelling merged away has left the gap list's items: its name is kept.
        item = gaps.skills.get(key)
        skill = item.skill if item is not None else gaps.spellings.get(key, key)
        change = RankChange(
            position=position,
            at=at,
            rank=new_rank,
            previous=old_rank,
            cause=cause,
            detail=_detail(event, skill, subject),
        )
        if skill not in ranks:
            ranks[skill] = [change]
        else:
            own(ranks, skill).append(change)
    state.order = list(order_after)
    return state


def finish(state: HistoryState, inputs: Mapping[str, Any]) -> HistoryState:
    """The state with the gap list it was folded against."""
    return attrs.evolve(state, gaps=inputs["gaps"])


VIEW: View[HistoryState] = View(
    name="history",
    version=3,
    initial=HistoryState,
    apply=apply,
    state_type=HistoryState,
    description="How each skill's rank moved, which event moved it, and the corrections made.",
    events=(*_RANKING_EVENTS, EventRetracted, CareerGoalSet),
    uses=("gaps",),
    finish=finish,
    copy_on_write=True,
)
