"""The `roles` view: the roles interviewers suggested, each with its own gap analysis.

It uses the `gaps` view: the analysis of each role is made against the gap list when
the view is handed out (`finish`), so the gap list is folded once, by its own view.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime  # cattrs resolves attrs annotations at runtime
from typing import Any

import attrs

from jobsearch_core.events import Recorded, RoleSuggested
from jobsearch_core.views._skills import key_of
from jobsearch_core.views.frozen import own
from jobsearch_core.views.gaps import GapsState
from jobsearch_core.views.view import View

__all__ = ["VIEW", "RolesState", "SuggestedRole", "Suggestion", "analyse", "apply", "finish"]


def _add_once(names: list[str], name: str) -> None:
    # Names compare like skills: "Jane Doe" and " jane doe" are the same person.
    key = key_of(name)
    if all(key_of(existing) != key for existing in names):
        names.append(name.strip())


@attrs.define(kw_only=True)
class Suggestion:
    """A suggested role as recorded: repeat suggestions of the same company and role merged."""

    company: str
    role: str
    #: The skills it needs, first spelling of each, in the order first named.
    skills: list[str] = attrs.Factory(list)
    suggested_by: list[str] = attrs.Factory(list)
    application_ids: list[str] = attrs.Factory(list)
    first_suggested_at: datetime
    last_suggested_at: datetime
    #: The latest note given with a suggestion of this role.
    note: str | None = None

    def matches(self, company: str, role: str) -> bool:
        """True for the same company and role, in any case or spacing."""
        return key_of(self.company) == key_of(company) and key_of(self.role) == key_of(role)

    def merge(self, event: RoleSuggested) -> None:
        """Fold another suggestion of this role in."""
        for skill in event.skills:
            _add_once(self.skills, skill)
        if event.suggested_by is not None:
            _add_once(self.suggested_by, event.suggested_by)
        if event.application_id is not None and event.application_id not in self.application_ids:
            self.application_ids.append(event.application_id)
        self.first_suggested_at = min(self.first_suggested_at, event.at)
        self.last_suggested_at = max(self.last_suggested_at, event.at)
        if event.note is not None:
            self.note = event.note


@attrs.frozen(kw_only=True)
class SuggestedRole:
    """A suggested role with its gap analysis: which of its skills the seeker has, which
    are planned (on the open gap list) and which are new gaps."""

    company: str
    role: str
    skills: list[str]
    #: Skills the seeker has: on the current resume, marked `punch_up` by an interviewer,
    #: or closed gap items (learned).
    covered: list[str]
    #: Skills not had yet but on the open gap list: planned (see `planned_ranks`).
    planned: list[str]
    #: Skills neither had nor planned: new gaps.
    missing: list[str]
    #: Each planned skill's rank on the gap list.
    planned_ranks: dict[str, int]
    #: The covered skills that are on the current resume or its to-do list.
    on_resume: list[str]
    suggested_by: list[str]
    application_ids: list[str]
    first_suggested_at: datetime
    last_suggested_at: datetime
    note: str | None

    @property
    def coverage(self) -> float:
        """The share of the role's skills the seeker has (1.0 when it names none)."""
        return len(self.covered) / len(self.skills) if self.skills else 1.0


@attrs.define(kw_only=True)
class RolesState:
    """Suggested roles as recorded, and (as `view("roles")` hands it out) each one's analysis."""

    suggestions: list[Suggestion] = attrs.Factory(list)
    #: Each suggested role, in the order first suggested, with covered and missing skills.
    #: Made from the gap list by `finish`: empty while folding, and in snapshots.
    roles: list[SuggestedRole] = attrs.Factory(list)
    #: The gap list the roles are compared with: the `gaps` view's state, handed in by
    #: `finish` (empty while folding, and in snapshots).
    gaps: GapsState = attrs.Factory(GapsState)

    def suggest(self, event: RoleSuggested) -> Suggestion:
        """Record a suggestion, merging it into an earlier one of the same company and role."""
        for index, suggestion in enumerate(self.suggestions):
            if suggestion.matches(event.company, event.role):
                suggestion = own(self.suggestions, index)
                break
        else:
            suggestion = Suggestion(
                company=event.company.strip(),
                role=event.role.strip(),
                first_suggested_at=event.at,
                last_suggested_at=event.at,
            )
            self.suggestions.append(suggestion)
        suggestion.merge(event)
        return suggestion


def analyse(suggestion: Suggestion, gaps: GapsState) -> SuggestedRole:
    """One suggested role's gap analysis: what the seeker has (`GapsState.has`), what is
    planned on the open gap list, and what is missing. Merged spellings are one skill,
    under the name the merge kept."""
    ranks = gaps.ranks()
    skills: dict[str, str] = {}
    for skill in suggestion.skills:
        key = gaps.key(skill)
        # A spelling merged away goes by the kept name; any other keeps the role's own.
        skills.setdefault(key, skill if key == key_of(skill) else gaps.name_of(skill))
    covered = [skill for skill in skills.values() if gaps.has(skill)]
    planned = [skill for key, skill in skills.items() if key in ranks and skill not in covered]
    missing = [skill for skill in skills.values() if skill not in covered and skill not in planned]
    return SuggestedRole(
        company=suggestion.company,
        role=suggestion.role,
        skills=list(skills.values()),
        covered=covered,
        planned=planned,
        missing=missing,
        planned_ranks={skill: ranks[gaps.key(skill)] for skill in planned},
        on_resume=[skill for skill in covered if gaps.on_resume(skill)],
        suggested_by=list(suggestion.suggested_by),
        application_ids=list(suggestion.application_ids),
        first_suggested_at=suggestion.first_suggested_at,
        last_suggested_at=suggestion.last_suggested_at,
        note=suggestion.note,
    )


def apply(state: RolesState, recorded: Recorded, inputs: Mapping[str, Any]) -> RolesState:
    """Fold one suggestion in (the gap list it is measured against is the `gaps` view's)."""
    if isinstance(recorded.event, RoleSuggested):
        state.suggest(recorded.event)
    return state


def finish(state: RolesState, inputs: Mapping[str, Any]) -> RolesState:
    """The state with every suggested role analysed against the gap list as it stands."""
    gaps: GapsState = inputs["gaps"]
    return attrs.evolve(state, roles=[analyse(s, gaps) for s in state.suggestions], gaps=gaps)


VIEW: View[RolesState] = View(
    name="roles",
    version=3,
    initial=RolesState,
    apply=apply,
    state_type=RolesState,
    description="Suggested roles, each with the skills the gap list covers and the ones it misses.",
    events=(RoleSuggested,),
    uses=("gaps",),
    finish=finish,
    copy_on_write=True,
)
