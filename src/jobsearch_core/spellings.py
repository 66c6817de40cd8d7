"""Likely duplicate spellings of one skill: the merges `jobsearch gaps` suggests.

Nothing here changes the log. Spellings that differ only by punctuation, spacing or a
plural ("A/B testing", "AB testing", "A/B tests"), and spellings an installed alias pack
names (`k8s` is `Kubernetes`), are offered as `MergeSuggestion`s; the seeker confirms
one by recording a `SkillsMerged` (`jobsearch gap merge`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING

import attrs

from jobsearch_core.events.base import skill_key
from jobsearch_core.views.gaps import GapsState, GapStatus

if TYPE_CHECKING:
    from jobsearch_core.log import EventLog

__all__ = ["MergeSuggestion", "loose_key", "merges_to_ask", "suggest_merges"]

_NOT_LETTERS = re.compile(r"[\W_]+")


def loose_key(skill: str) -> str:
    """A skill compared loosely: case, punctuation and spacing dropped, each word's plural
    "s" too ("A/B Tests" and "ab test" are both "abtest")."""
    words = _NOT_LETTERS.sub(" ", skill_key(skill)).split()
    singular = [
        w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w for w in words
    ]
    return "".join(singular)


@attrs.frozen(kw_only=True)
class MergeSuggestion:
    """Spellings that are probably one skill, the name to keep, and why they look alike."""

    skills: tuple[str, ...]
    into: str
    #: "spelled alike", or "alias from <pack>".
    why: str


def _standing(gaps: GapsState, skill: str) -> tuple[int, int, int]:
    # The spelling to keep: an open item (the best ranked), then the most named.
    item = gaps.get(skill)
    if item is None:
        return (2, 0, 0)
    if item.status is GapStatus.OPEN and item.rank is not None:
        return (0, item.rank, -item.mentions)
    return (1, -item.mentions, 0)


def suggest_merges(
    gaps: GapsState,
    aliases: Mapping[str, Mapping[str, str]] | None = None,
    *,
    also: Iterable[str] = (),
) -> list[MergeSuggestion]:
    """The merges worth asking about: spellings on the gap list (open or closed), its
    punch-ups, the current resume and `also` (a suggested role's skills, say) that look
    like one skill but are counted as two.

    `aliases` maps each alias pack's name to its aliases (alias -> skill), as
    `Catalog.skill_aliases` holds them. Spellings already merged are one skill and are
    never suggested again.
    """
    seen: dict[str, str] = {}
    spelled = [
        *(item.skill for item in gaps.skills.values()),
        *(entry.skill for entry in gaps.punch_up),
        *gaps.resume_skills,
        *also,
    ]
    for skill in spelled:
        seen.setdefault(gaps.key(skill), gaps.name_of(skill))
    suggestions: list[MergeSuggestion] = []
    asked: set[frozenset[str]] = set()

    def offer(skills: list[str], into: str, why: str) -> None:
        keys = frozenset(gaps.key(skill) for skill in (*skills, into))
        if len(keys) > 1 and keys not in asked:
            asked.add(keys)
            suggestions.append(MergeSuggestion(skills=tuple(skills), into=into, why=why))

    groups: dict[str, list[str]] = {}
    for name in seen.values():
        groups.setdefault(loose_key(name), []).append(name)
    for names in groups.values():
        if len(names) > 1:
            kept = min(names, key=lambda name: _standing(gaps, name))
            offer(names, kept, "spelled alike")
    for pack, mapping in (aliases or {}).items():
        for alias, skill in mapping.items():
            key = gaps.key(alias)
            if key in seen:
                offer([seen[key]], gaps.name_of(skill), f"alias from {pack}")
    return suggestions


def merges_to_ask(
    log: EventLog, *, stream: str, as_of: int | datetime | None = None
) -> list[MergeSuggestion]:
    """`suggest_merges` for a stream of a log: its gap list, the skills of its suggested
    roles, and the alias packs of the log's plugins."""
    from jobsearch_core.views import GAPS, ROLES

    gaps = log.view(GAPS, stream=stream, as_of=as_of)
    roles = log.view(ROLES, stream=stream, as_of=as_of)
    needed = [skill for suggestion in roles.suggestions for skill in suggestion.skills]
    return suggest_merges(gaps, log.catalog.skill_aliases, also=needed)
