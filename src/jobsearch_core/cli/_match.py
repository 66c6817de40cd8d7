"""Finding what the user meant: an application id or a skill, by any case, a unique prefix,
or a "did you mean" when it is a near miss."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from jobsearch_core.errors import InvalidInputError
from jobsearch_core.events import skill_key

__all__ = ["match"]


def match(given: str, known: Iterable[str], *, what: str, where: str = "") -> str:
    """The one name of `known` that `given` means, compared as skills are ("SQL" is " sql").

    Exactly, else as the start of exactly one name. Anything else is an `InvalidInputError`
    naming the candidates: several a prefix fits, or the near misses ("did you mean").
    """
    names = list(dict.fromkeys(known))
    wanted = skill_key(given)
    exact = [name for name in names if skill_key(name) == wanted]
    if exact:
        return exact[0]
    starting = [name for name in names if wanted and skill_key(name).startswith(wanted)]
    if len(starting) == 1:
        return starting[0]
    place = f" {where}" if where else ""
    if starting:
        shown = ", ".join(repr(name) for name in starting[:6])
        raise InvalidInputError(f"{given!r} could be more than one {what}{place}: {shown}")
    keys = {skill_key(name): name for name in names}
    close = difflib.get_close_matches(wanted, list(keys), n=3, cutoff=0.6) or _mistyped_start(
        wanted, keys
    )
    if close:
        shown = " or ".join(repr(keys[key]) for key in close)
        raise InvalidInputError(f"no {what} {given!r}{place}; did you mean {shown}?")
    listed = ", ".join(repr(name) for name in names[:8]) or "none yet"
    raise InvalidInputError(f"no {what} {given!r}{place} (known: {listed})")


def _mistyped_start(wanted: str, keys: Iterable[str]) -> list[str]:
    """The keys whose start, cut to the length of `wanted`, is a near miss of it.

    Names are typed by their start ("globx" for globex-backend-developer), so a slip in a
    prefix is compared with the prefixes, and more strictly than a whole name is.
    """
    starts: dict[str, list[str]] = {}
    for key in keys:
        if len(key) > len(wanted):
            starts.setdefault(key[: len(wanted)], []).append(key)
    near = difflib.get_close_matches(wanted, list(starts), n=3, cutoff=0.75)
    return [key for start in near for key in starts[start]][:3]
