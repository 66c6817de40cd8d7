"""The `roles` view: the roles interviewers suggested, each with its own gap analysis.

It uses the `gaps` view: the analysis of each role is made against the gap list when
the view is handed out (`finish`), so the gap list is folded once, by its own view.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from datetime import datetime  # cattrs resolves attrs annotations at runtime
from typing import Any

import attrs

from jobsearch_core.events import Recorded, RoleSuggested
from jobsearch_core.views._skills import key_of
from jobsearch_core.views.frozen import freeze, is_frozen, own
from jobsearch_core.views.gaps import GapsState, GapStatus
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


@attrs.frozen(cache_hash=True)
class _Standing:
    """What the analyses ask of the gap list, worked out once for all the roles (equal
    standings give equal analyses of a role)."""

    #: Skill key -> rank of every open item.
    ranks: dict[str, int] = attrs.field(hash=False)
    #: The same, as a tuple (what it is hashed by).
    ranked: tuple[tuple[str, int], ...]
    #: The keys of skills on the current resume or its to-do list.
    on_resume: frozenset[str]
    #: The keys of skills the seeker has: those, and closed gap items.
    had: frozenset[str]
    #: What names skills go by: each merged spelling's key, and each item's name.
    merged: tuple[tuple[str, str], ...]
    names: tuple[tuple[str, str], ...]

    @classmethod
    def of(cls, gaps: GapsState) -> _Standing:
        key = gaps.key
        on_resume = frozenset(
            [key(skill) for skill in gaps.resume_skills]
            + [key(entry.skill) for entry in gaps.punch_up]
        )
        closed = [k for k, item in gaps.skills.items() if item.status is GapStatus.CLOSED]
        ranks = gaps.ranks()
        return cls(
            ranks=ranks,
            ranked=tuple(ranks.items()),
            on_resume=on_resume,
            had=on_resume.union(closed),
            merged=(*gaps.merged.items(), *gaps.spellings.items()),
            names=tuple((k, item.skill) for k, item in gaps.skills.items()),
        )


#: The analyses made lately, for each of the last few standings, by the suggestion's id:
#: a frozen suggestion that the new events left alone is not analysed again. Each entry
#: holds its suggestion, so the id stays its own.
_ANALYSED: OrderedDict[_Standing, dict[int, tuple[Suggestion, SuggestedRole]]] = OrderedDict()
_STANDINGS_KEPT = 8


def _analyses(standing: _Standing) -> dict[int, tuple[Suggestion, SuggestedRole]]:
    """The analyses made under this standing (the most recent ones kept)."""
    found = _ANALYSED.get(standing)
    if found is None:
        found = _ANALYSED[standing] = {}
        if len(_ANALYSED) > _STANDINGS_KEPT:
            _ANALYSED.popitem(last=False)
    else:
        _ANALYSED.move_to_end(standing)
    return found


def _analysed(
    suggestion: Suggestion,
    gaps: GapsState,
    standing: _Standing,
    made: dict[int, tuple[Suggestion, SuggestedRole]],
) -> SuggestedRole:
    if not is_frozen(suggestion):
        return analyse(suggestion, gaps, standing)
    found = made.get(id(suggestion))
    if found is not None and found[0] is suggestion:
        return found[1]
    role = freeze(analyse(suggestion, gaps, standing))
    made[id(suggestion)] = (suggestion, role)
    return role


def analyse(
    suggestion: Suggestion, gaps: GapsState, standing: _Standing | None = None
) -> SuggestedRole:
    """One suggested role's gap analysis: what the seeker has (`GapsState.has`), what is
    planned on the open gap list, and what is missing. Merged spellings are one skill,
    under the name the merge kept."""
    known = standing if standing is not None else _Standing.of(gaps)
    ranks = known.ranks
    skills: dict[str, str] = {}
    for skill in suggestion.skills:
        key = gaps.key(skill)
        # A spelling merged away goes by the kept name; any other keeps the role's own.
        skills.setdefault(key, skill if key == key_of(skill) else gaps.name_of(skill))
    had = known.had
    covered = [skill for key, skill in skills.items() if key in had]
    planned = [skill for key, skill in skills.items() if key in ranks and skill not in covered]
    missing = [skill for skill in skills.values() if skill not in covered and skill not in planned]
    keys = {skill: key for key, skill in skills.items()}
    return SuggestedRole(
        company=suggestion.company,
        role=suggestion.role,
        skills=list(skills.values()),
        covered=covered,
        planned=planned,
        missing=missing,
        planned_ranks={skill: ranks[keys[skill]] for skill in planned},
        on_resume=[skill for skill in covered if keys[skill] in known.on_resume],
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
    standing = _Standing.of(gaps)
    made = _analyses(standing)
    roles = [_analysed(s, gaps, standing, made) for s in state.suggestions]
    if len(made) > 2 * len(roles):  # the analyses of suggestions changed since
        kept = {id(s) for s in state.suggestions}
        for gone in [key for key in made if key not in kept]:
            del made[gone]
    return attrs.evolve(state, roles=roles, gaps=gaps)


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
