"""The `plan` view: the learning plan, ranked from the evidence beside the seeker's own order.

It uses the `gaps` and `roles` views and folds nothing of its own: the plan is made
from their answers when it is handed out (`finish`).

The rule, in one paragraph: every open gap item and every skill a suggested role is
missing is a candidate, unless the seeker has it already. Candidates named both by an
interviewer and by a suggested role come first, then those with one of the two, then
the rest; within each of those, more distinct interviewers rank higher, then more
suggested roles needing it. Ties keep the seeker's order (items on the gap list before
skills not on it); among skills not on the list, the more recently suggested comes
first. The top two are the focus. For each skill the evidence ranks above an item the
seeker put in front of it, the plan asks the method's question: "Move dbt in front of
item 3, Statistics?"
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import attrs

from jobsearch_core.events import GapPromoted, Recorded
from jobsearch_core.method import move_question
from jobsearch_core.views.gaps import FocusPractice, GapItem, GapsState
from jobsearch_core.views.roles import RolesState
from jobsearch_core.views.view import View

__all__ = ["VIEW", "Disagreement", "PlanItem", "PlanState", "apply", "finish", "make_plan"]


@attrs.frozen(kw_only=True)
class PlanItem:
    """One skill of the plan: where the evidence puts it, where the seeker put it, and why."""

    skill: str
    #: The seeker's rank on the gap list; None when it is not on the list.
    rank: int | None
    #: Where the evidence puts it: 1..n over the plan.
    suggested_rank: int
    #: The evidence and the seeker's choice, in words.
    reasons: tuple[str, ...]
    #: One of the two suggested top items.
    focus: bool
    #: The interviewers who named it (`GapItem.interviewers`).
    interviewers: tuple[str, ...]
    #: The suggested roles that need it and the seeker does not have: "<role> at <company>".
    roles: tuple[str, ...]
    #: The gap item, when it is on the list.
    item: GapItem | None = attrs.field(default=None, eq=False, repr=False)


@attrs.frozen(kw_only=True)
class Disagreement:
    """A skill the evidence ranks above an item the seeker put in front of it, and the
    method's question about it."""

    skill: str
    #: The item the seeker put in front of it that the evidence ranks below it.
    in_front_of: str
    #: That item's rank on the gap list.
    rank: int
    #: "Move dbt in front of item 3, Statistics?"
    question: str


@attrs.define(kw_only=True)
class PlanState:
    """The plan (`items`, suggested order) and its `questions`; empty while folding."""

    items: list[PlanItem] = attrs.Factory(list)
    #: Each skill the evidence ranks above the seeker's choice, in the suggested order.
    disagreements: list[Disagreement] = attrs.Factory(list)
    #: Open gap items the seeker has already (on the resume, or punched up): close them?
    had: list[str] = attrs.Factory(list)
    #: The gap list and the roles the plan was made from (handed in by `finish`).
    gaps: GapsState = attrs.Factory(GapsState)
    roles: RolesState = attrs.Factory(RolesState)

    @property
    def questions(self) -> list[str]:
        """The method's question for each disagreement: "Move dbt in front of item 3, Statistics?"."""
        return [disagreement.question for disagreement in self.disagreements]

    @property
    def focus(self) -> list[PlanItem]:
        """The two suggested top items."""
        return [item for item in self.items if item.focus]

    def get(self, skill: str) -> PlanItem | None:
        """The plan's item for a skill in any spelling, or None."""
        key = self.gaps.key(skill)
        return next((item for item in self.items if self.gaps.key(item.skill) == key), None)

    def practice(self, now: datetime | None = None) -> list[FocusPractice]:
        """How the seeker's own focus items (the gap list's top two) are being practised."""
        return self.gaps.practice(now)

    def promotions(self) -> list[GapPromoted]:
        """The `GapPromoted` events that make the gap list's order the suggested one, each
        with its reasons: none when the seeker's order agrees already."""
        key = self.gaps.key
        order = list(self.gaps.order)
        events = []
        for index, item in enumerate(self.items):
            wanted = key(item.skill)
            if index < len(order) and order[index] == wanted:
                continue
            if wanted in order:
                order.remove(wanted)
            order.insert(index, wanted)
            events.append(
                GapPromoted(
                    skill=item.skill,
                    to_rank=index + 1,
                    reason="plan: " + "; ".join(item.reasons),
                )
            )
        return events


@attrs.frozen
class _Candidate:
    skill: str
    rank: int | None
    interviewers: tuple[str, ...]
    roles: tuple[str, ...]
    #: The latest suggestion of a role needing it (for skills not on the list).
    last_suggested: datetime | None
    #: The order it was first seen in: the gap list, then the roles.
    seen: int
    item: GapItem | None

    def order(self) -> tuple[Any, ...]:
        named, needed = len(self.interviewers), len(self.roles)
        listed = self.rank is not None
        recency = -self.last_suggested.timestamp() if self.last_suggested and not listed else 0.0
        return (
            -((named > 0) + (needed > 0)),
            -named,
            -needed,
            not listed,
            self.rank or 0,
            recency,
            self.seen,
        )


def _count(what: str, names: tuple[str, ...]) -> str:
    if len(names) == 1:
        return names[0]
    return f"{len(names)} {what}: {', '.join(names)}"


def _reasons(candidate: _Candidate) -> tuple[str, ...]:
    reasons = []
    if candidate.interviewers:
        reasons.append("named by " + _count("interviewers", candidate.interviewers))
    if candidate.roles:
        reasons.append("needed by " + _count("suggested roles", candidate.roles))
    if not reasons:
        reasons.append("no interviewer or suggested role has named it")
    if candidate.rank is None:
        reasons.append("not on your gap list yet")
    else:
        reasons.append(f"you ranked it {candidate.rank}")
    return tuple(reasons)


def make_plan(gaps: GapsState, roles: RolesState) -> PlanState:
    """The plan for a gap list and the suggested roles measured against it."""
    key = gaps.key
    needs: dict[str, list[str]] = {}
    latest: dict[str, datetime] = {}
    names: dict[str, str] = {}
    for role in roles.roles:
        for skill in (*role.planned, *role.missing):
            needs.setdefault(key(skill), []).append(f"{role.role} at {role.company}")
            when = latest.get(key(skill))
            latest[key(skill)] = (
                max(when, role.last_suggested_at) if when else role.last_suggested_at
            )
            names.setdefault(key(skill), skill)
    candidates: list[_Candidate] = []
    had: list[str] = []
    for item in gaps.items:
        if gaps.has(item.skill):
            had.append(item.skill)
            continue
        candidates.append(
            _Candidate(
                skill=item.skill,
                rank=item.rank,
                interviewers=tuple(item.interviewers),
                roles=tuple(needs.get(item.key, ())),
                last_suggested=latest.get(item.key),
                seen=len(candidates),
                item=item,
            )
        )
    listed = {key(candidate.skill) for candidate in candidates} | {key(s) for s in had}
    for skill_key, skill in names.items():
        if skill_key not in listed and not gaps.has(skill):
            candidates.append(
                _Candidate(
                    skill=skill,
                    rank=None,
                    interviewers=(),
                    roles=tuple(needs[skill_key]),
                    last_suggested=latest[skill_key],
                    seen=len(candidates),
                    item=None,
                )
            )
    candidates.sort(key=_Candidate.order)
    items = [
        PlanItem(
            skill=candidate.skill,
            rank=candidate.rank,
            suggested_rank=place,
            reasons=_reasons(candidate),
            focus=place <= 2,
            interviewers=candidate.interviewers,
            roles=candidate.roles,
            item=candidate.item,
        )
        for place, candidate in enumerate(candidates, start=1)
    ]
    return PlanState(
        items=items, disagreements=_disagreements(items), had=had, gaps=gaps, roles=roles
    )


def _disagreements(items: list[PlanItem]) -> list[Disagreement]:
    # For each item, the highest-ranked item on the list that the seeker put in front of
    # it but the evidence puts behind it.
    found = []
    for item in items:
        passed = [
            (other.rank, other.skill)
            for other in items
            if other.rank is not None
            and other.suggested_rank > item.suggested_rank
            and (item.rank is None or other.rank < item.rank)
        ]
        if passed:
            rank, skill = min(passed)
            found.append(
                Disagreement(
                    skill=item.skill,
                    in_front_of=skill,
                    rank=rank,
                    question=move_question(item.skill, rank, skill),
                )
            )
    return found


def apply(state: PlanState, recorded: Recorded, inputs: Mapping[str, Any]) -> PlanState:
    """Nothing to fold: the plan is made from the gap list and the roles (`finish`)."""
    return state


def finish(state: PlanState, inputs: Mapping[str, Any]) -> PlanState:
    """The plan made from the `gaps` and `roles` views' answers."""
    return make_plan(inputs["gaps"], inputs["roles"])


VIEW: View[PlanState] = View(
    name="plan",
    version=1,
    initial=PlanState,
    apply=apply,
    description="The learning plan: the evidence's order beside yours, the focus, the questions.",
    events=(),
    uses=("gaps", "roles"),
    finish=finish,
    copy_on_write=True,
)
