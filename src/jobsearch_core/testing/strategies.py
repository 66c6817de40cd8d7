"""Hypothesis strategies for valid events, event sequences, stream names and stored rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone, tzinfo
from typing import TYPE_CHECKING, Any

from hypothesis import strategies as st

from jobsearch_core.events import (
    SCREENS,
    ApplicationClosed,
    BaseRatesSet,
    CareerGoalSet,
    Event,
    EventRetracted,
    FeedbackItem,
    FeedbackReceived,
    GapAdded,
    GapClosed,
    GapPracticed,
    GapPromoted,
    InterviewScheduled,
    Mark,
    Outcome,
    ResumeSubmitted,
    ResumeUpdated,
    RoleSuggested,
    ScreenPassed,
    SkillsMerged,
)
from jobsearch_core.events.base import skill_key
from jobsearch_core.storage import NewRow

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = [
    "HOSTILE_TEXTS",
    "application_closed",
    "application_ids",
    "aware_datetimes",
    "base_rates_set",
    "career_goal_set",
    "event_retracted",
    "event_sequences",
    "events",
    "feedback_items",
    "feedback_received",
    "gap_added",
    "gap_closed",
    "gap_practiced",
    "gap_promoted",
    "hostile_texts",
    "interview_scheduled",
    "names",
    "new_rows",
    "notes",
    "resume_submitted",
    "resume_updated",
    "role_suggested",
    "screen_passed",
    "skills",
    "skills_merged",
    "stream_names",
]

# --- text ------------------------------------------------------------------------------------

#: Strings that break naive quoting, encoding, collation or storage of text.
HOSTILE_TEXTS: tuple[str, ...] = (
    'she said "hello"',
    "it's O'Reilly's",
    "Robert'); DROP TABLE events;--",
    "nul\x00inside",
    "\x00",
    "emoji 🎉 👩‍💻 🏳️‍🌈",
    "🦄",
    "مهندس بيانات",  # Arabic: right-to-left
    "מהנדסת נתונים",  # Hebrew: right-to-left
    "\u202eright-to-left override\u202c",
    "line\nbreak\r\nand\ttab",
    "back\\slash \\u0000 \\n",
    '{"json": ["inside", null]}',
    "%_ like wildcards *?",
    "zero\u200bwidth\ufeffbom",
    "e\u0301 combining accent",
    "null",
    "x" * 1000,
)

#: Optional free text may also be empty or blank; names may not.
_BLANKS = ("", " ", "\t\n")

# Any text that UTF-8 can encode (Hypothesis leaves out lone surrogates by default).
_any_text = st.text(max_size=20)


def hostile_texts() -> st.SearchStrategy[str]:
    """One of `HOSTILE_TEXTS`: quotes, NUL, emoji, right-to-left text, wildcards, a long line."""
    return st.sampled_from(HOSTILE_TEXTS)


def names() -> st.SearchStrategy[str]:
    """Non-blank text for a required name (company, role, source): plain, hostile or arbitrary."""
    return st.one_of(
        st.sampled_from(("Acme", "Globex", "Data Analyst", "recruiter", "Ümlaut GmbH", "株式会社")),
        hostile_texts(),
        _any_text.filter(str.strip),
    )


def notes() -> st.SearchStrategy[str | None]:
    """Optional free text: None, plain, blank, hostile or arbitrary."""
    return st.one_of(st.none(), st.sampled_from(_BLANKS), hostile_texts(), _any_text)


def _optional_names() -> st.SearchStrategy[str | None]:
    return st.none() | names()


# --- pools: small on purpose, so that events in one sequence refer to each other ---------------

_SKILLS = (
    "SQL",
    " sql ",
    "Sql",
    "Statistics",
    "statistics",
    "System Design",
    "system   design ",
    "Python",
    "Machine Learning",
    "machine learning",
)
_APPLICATION_IDS = ("acme-1", "globex-2", "initech-3", 'o\'brien "4"', "🦄-5")


@st.composite
def _skills(draw: st.DrawFn) -> str:
    # Nine in ten from the pool (and shrink towards it), one in ten anything non-blank.
    if draw(st.integers(0, 9)) < 9:
        return draw(st.sampled_from(_SKILLS))
    return draw(names())


def skills() -> st.SearchStrategy[str]:
    """A skill name, mostly from a small pool of case and space variants ("SQL", " sql ")."""
    return _skills()


def application_ids() -> st.SearchStrategy[str]:
    """An application id from a pool of five (one with quotes, one with an emoji)."""
    return st.sampled_from(_APPLICATION_IDS)


def stream_names() -> st.SearchStrategy[str]:
    """A valid stream name: non-empty printable text that is not blank."""
    printable = st.characters(
        exclude_categories=("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp", "Zs"),
        include_characters=" ",
    )
    return st.one_of(
        st.sampled_from(("me", "alice", "Bob", "o'brien", '"quoted"', "🦄", "עדי", "m_%")),
        st.text(printable, min_size=1, max_size=40),
    ).filter(lambda name: bool(name.strip()) and name.isprintable())


_OFFSETS = ((-12, 0), (-9, -30), (-5, 0), (0, 0), (1, 0), (5, 30), (5, 45), (9, 0), (14, 0))


def aware_datetimes() -> st.SearchStrategy[datetime]:
    """A timezone-aware datetime in the years 2000-2100, at UTC or another fixed offset."""
    offsets: st.SearchStrategy[tzinfo] = st.one_of(
        st.just(UTC),
        st.sampled_from([timezone(timedelta(hours=h, minutes=m)) for h, m in _OFFSETS]),
        st.integers(-23 * 60 - 59, 23 * 60 + 59).map(lambda m: timezone(timedelta(minutes=m))),
    )
    return st.datetimes(
        min_value=datetime(2000, 1, 1),
        max_value=datetime(2100, 12, 31, 23, 59, 59, 999999),
        timezones=offsets,
    )


# --- events ----------------------------------------------------------------------------------


def feedback_items() -> st.SearchStrategy[FeedbackItem]:
    """One feedback item: a skill, a mark (spelled as the enum or as text) and a comment."""
    return st.builds(FeedbackItem, skill=skills(), mark=_marks(), comment=notes())


def _marks() -> st.SearchStrategy[str]:
    return st.sampled_from((Mark.PUNCH_UP, Mark.NEXT_FOCUS, "punch_up", "Next Focus"))


def resume_submitted() -> st.SearchStrategy[ResumeSubmitted]:
    """An application sent."""
    return st.builds(
        ResumeSubmitted,
        at=aware_datetimes(),
        application_id=application_ids(),
        company=names(),
        role=names(),
        via=st.none() | st.sampled_from(("referral", "LinkedIn", "company site")) | names(),
        resume_version=_optional_names(),
        note=notes(),
    )


def screen_passed() -> st.SearchStrategy[ScreenPassed]:
    """A stage passed (the stage sometimes spelled as text, "Second Interview")."""
    stages = st.sampled_from((*SCREENS, "phone", "Second Interview", "second-interview"))
    return st.builds(
        ScreenPassed,
        at=aware_datetimes(),
        application_id=application_ids(),
        stage=stages,
        note=notes(),
    )


def feedback_received() -> st.SearchStrategy[FeedbackReceived]:
    """Feedback with one to four items, each a `FeedbackItem` or a plain mapping."""
    as_mapping: st.SearchStrategy[Mapping[str, Any]] = st.fixed_dictionaries(
        {"skill": skills(), "mark": _marks()}, optional={"comment": notes()}
    )
    items = st.lists(st.one_of(feedback_items(), as_mapping), min_size=1, max_size=4)
    return st.builds(
        FeedbackReceived,
        at=aware_datetimes(),
        application_id=application_ids(),
        items=items,
        source=_optional_names(),
        note=notes(),
    )


def gap_promoted() -> st.SearchStrategy[GapPromoted]:
    """A skill moved to a rank from 1 to 12 (often past the end of a short list)."""
    return st.builds(
        GapPromoted,
        at=aware_datetimes(),
        skill=skills(),
        to_rank=st.integers(1, 12),
        reason=notes(),
    )


def role_suggested() -> st.SearchStrategy[RoleSuggested]:
    """Another role suggested, with zero to five skills it needs."""
    return st.builds(
        RoleSuggested,
        at=aware_datetimes(),
        company=names(),
        role=names(),
        skills=st.lists(skills(), max_size=5),
        application_id=st.none() | application_ids(),
        suggested_by=_optional_names(),
        note=notes(),
    )


def gap_added() -> st.SearchStrategy[GapAdded]:
    """A skill written onto the gap list, at the bottom or at a rank from 1 to 12."""
    return st.builds(
        GapAdded,
        at=aware_datetimes(),
        skill=skills(),
        rank=st.none() | st.integers(1, 12),
        note=notes(),
    )


def gap_practiced() -> st.SearchStrategy[GapPracticed]:
    """Zero to 600 minutes spent on a skill."""
    return st.builds(
        GapPracticed,
        at=aware_datetimes(),
        skill=skills(),
        minutes=st.integers(0, 600),
        note=notes(),
    )


def gap_closed() -> st.SearchStrategy[GapClosed]:
    """A skill taken off the open list."""
    return st.builds(GapClosed, at=aware_datetimes(), skill=skills(), note=notes())


def application_closed() -> st.SearchStrategy[ApplicationClosed]:
    """An application ended, with any outcome."""
    return st.builds(
        ApplicationClosed,
        at=aware_datetimes(),
        application_id=application_ids(),
        outcome=st.sampled_from(Outcome),
        note=notes(),
    )


def career_goal_set() -> st.SearchStrategy[CareerGoalSet]:
    """A goal with a horizon of 1 to 30 years."""
    return st.builds(
        CareerGoalSet, at=aware_datetimes(), goal=names(), horizon_years=st.integers(1, 30)
    )


def event_retracted() -> st.SearchStrategy[EventRetracted]:
    """A retraction of a position from 1 to 50 (in a short log, often one that is not there)."""
    return st.builds(
        EventRetracted, at=aware_datetimes(), position=st.integers(1, 50), reason=notes()
    )


def base_rates_set() -> st.SearchStrategy[BaseRatesSet]:
    """Typical pass rates for one to four screens, shares from 0 to 1, and their source."""
    shares = st.floats(0.0, 1.0, allow_nan=False) | st.sampled_from([0, 1, 0.15, 0.4])
    return st.builds(
        BaseRatesSet,
        at=aware_datetimes(),
        rates=st.dictionaries(st.sampled_from(SCREENS), shares, min_size=1, max_size=4),
        source=names(),
    )


def resume_updated() -> st.SearchStrategy[ResumeUpdated]:
    """A resume version listing skills from the small pool (so they meet the gap list)."""
    return st.builds(
        ResumeUpdated,
        at=aware_datetimes(),
        version=st.sampled_from(("v1", "v2", "data-eng")),
        skills=st.lists(skills(), max_size=4),
        note=notes(),
    )


def skills_merged() -> st.SearchStrategy[SkillsMerged]:
    """Two or three spellings from the small pool made one, kept as one of them or a new one."""
    spellings = st.lists(skills(), min_size=2, max_size=3, unique_by=skill_key)
    return st.builds(
        lambda at, given, into: SkillsMerged(at=at, skills=given, into=into or given[0]),
        aware_datetimes(),
        spellings,
        st.none() | skills(),
    )


def interview_scheduled() -> st.SearchStrategy[InterviewScheduled]:
    """An interview arranged for one of the pooled applications, at a screen (sometimes
    spelled as text), on a moment before or after it was arranged."""
    stages = st.sampled_from((*SCREENS, "phone", "Second Interview", "final"))
    return st.builds(
        InterviewScheduled,
        at=aware_datetimes(),
        application_id=application_ids(),
        stage=stages,
        on=aware_datetimes(),
        with_whom=_optional_names(),
        note=notes(),
    )


def events() -> st.SearchStrategy[Event]:
    """Any built-in event."""
    return st.one_of(
        resume_submitted(),
        screen_passed(),
        feedback_received(),
        gap_promoted(),
        role_suggested(),
        gap_added(),
        gap_practiced(),
        gap_closed(),
        application_closed(),
        career_goal_set(),
        event_retracted(),
        base_rates_set(),
        resume_updated(),
        skills_merged(),
        interview_scheduled(),
    )


def event_sequences(min_size: int = 0, max_size: int = 40) -> st.SearchStrategy[list[Event]]:
    """A list of events over the small pools, in any order, so that they interact.

    Screens and feedback arrive for applications that were submitted and ones that were not;
    promotions name listed and unlisted skills, at ranks past the end; retractions point at
    events that exist and at positions that do not.
    """
    # The events that build the state others refer to are drawn more often.
    element = st.one_of(
        events(), resume_submitted(), gap_added(), screen_passed(), feedback_received()
    )
    return st.lists(element, min_size=min_size, max_size=max_size)


def new_rows() -> st.SearchStrategy[NewRow]:
    """An encoded row for a backend: a type name, a schema version and opaque bytes."""
    return st.builds(
        NewRow,
        type=st.sampled_from(("ResumeSubmitted", "GapAdded", "acme.Custom", "type 'quoted' 🦄")),
        schema_version=st.integers(1, 5),
        data=st.binary(max_size=64) | hostile_texts().map(str.encode),
        metadata=st.sampled_from(
            (b"{}", b'{"source":"test"}', '{"source":"t\u00fcl","causation_id":"\u0000"}'.encode())
        ),
    )
