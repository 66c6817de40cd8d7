"""Skill keys, remembered: a fold compares the same few dozen skills over and over."""

from __future__ import annotations

from jobsearch_core.events.base import skill_key

__all__ = ["key_of"]

_KEYS: dict[str, str] = {}
#: Past this many spellings the memo starts afresh, so odd input cannot grow it forever.
_LIMIT = 4096


def key_of(skill: str) -> str:
    """`skill_key(skill)`, looked up rather than worked out when the spelling was seen before."""
    key = _KEYS.get(skill)
    if key is None:
        if len(_KEYS) >= _LIMIT:
            _KEYS.clear()
        key = _KEYS[skill] = skill_key(skill)
    return key
