"""Tests for `SkillsMerged`: merged spellings count as one skill in every view, until retracted."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jobsearch_core import InvalidEventError, open_log
from jobsearch_core.events import (
    EventRetracted,
    FeedbackItem,
    FeedbackReceived,
    GapAdded,
    GapClosed,
    GapPracticed,
    GapPromoted,
    Mark,
    ResumeUpdated,
    RoleSuggested,
    SkillsMerged,
    skill_key,
)
from jobsearch_core.testing import event_sequences, skills_merged
from jobsearch_core.views import GAPS, HISTORY, ROLES, fold
from jobsearch_core.views.gaps import VIEW, GapStatus

T0 = datetime(2026, 3, 2, tzinfo=UTC)


def day(n: int) -> datetime:
    """The moment `n` days after T0 (a Monday)."""
    return T0 + timedelta(days=n)


def named(skill: str, who: str, app: str = "a1", n: int = 0) -> FeedbackReceived:
    """Feedback from `who` naming `skill` as a real gap."""
    return FeedbackReceived(
        application_id=app,
        items=[FeedbackItem(skill=skill, mark=Mark.NEXT_FOCUS, comment=f"{who} on {skill}")],
        source=who,
        at=day(n),
    )


#: Three spellings of one skill, each named once, with practice on two of them.
SPLIT = [
    GapAdded(skill="Statistics", at=day(0)),
    named("AB testing", "Ann", "a1", 1),
    named("A/B testing", "Bob", "a2", 2),
    named("experimentation", "Cy", "a3", 3),
    GapPracticed(skill="AB testing", minutes=30, at=day(4)),
    GapPracticed(skill="A/B testing", minutes=45, at=day(5)),
]
MERGE = SkillsMerged(
    skills=["AB testing", "A/B testing", "experimentation"], into="A/B testing", at=day(6)
)


class TestEvent:
    """The event's own rules."""

    def test_into_may_be_one_of_the_spellings(self):
        """`into` may repeat one of `skills`; the spellings are kept as given."""
        event = SkillsMerged(skills=["AB testing", "A/B testing"], into="A/B testing")
        assert event.skills == ("AB testing", "A/B testing")

    def test_one_spelling_and_a_new_name(self):
        """One spelling merged into a new name is two skills made one."""
        assert SkillsMerged(skills=["k8s"], into="Kubernetes").into == "Kubernetes"

    @pytest.mark.parametrize(
        ("skills", "into"), [(["SQL", " sql "], "Sql"), (["SQL"], "sql"), ([], "SQL")]
    )
    def test_nothing_to_merge_is_refused(self, skills, into):
        """Spellings that are already one skill are refused, naming the field."""
        with pytest.raises(InvalidEventError, match=r"SkillsMerged\.skills"):
            SkillsMerged(skills=skills, into=into)

    def test_blank_spelling_is_refused(self):
        """Every spelling must be a name."""
        with pytest.raises(InvalidEventError, match="non-blank"):
            SkillsMerged(skills=["SQL", " "], into="SQL")


class TestGaps:
    """The gap list counts merged spellings as one item."""

    def test_evidence_adds_up(self):
        """Mentions, interviewers, comments, sources and minutes of every spelling add up."""
        state = fold(VIEW, [*SPLIT, MERGE])
        assert [item.skill for item in state.items] == ["Statistics", "A/B testing"]
        item = state.items[1]
        assert item.mentions == 3
        assert item.interviewers == ["Ann", "Bob", "Cy"]
        assert item.comments == ["Ann on AB testing", "Bob on A/B testing", "Cy on experimentation"]
        assert item.sources == ["feedback: Ann (a1)", "feedback: Bob (a2)", "feedback: Cy (a3)"]
        assert item.minutes_practised == 75
        assert item.last_practised == day(5)
        assert item.added_at == day(1)

    def test_keeps_the_best_rank_and_ranks_stay_1_to_n(self):
        """The merged item takes the best rank any spelling had; the rest close up."""
        events = [
            GapAdded(skill="Python", at=day(0)),
            GapAdded(skill="dbt", at=day(0)),
            GapAdded(skill="Stats", at=day(0)),
            GapAdded(skill="Statistics", at=day(0)),
            GapAdded(skill="SQL", at=day(0)),
            SkillsMerged(skills=["Statistics", "Stats"], into="Statistics", at=day(1)),
        ]
        state = fold(VIEW, events)
        assert [(item.skill, item.rank) for item in state.items] == [
            ("Python", 1),
            ("dbt", 2),
            ("Statistics", 3),
            ("SQL", 4),
        ]

    def test_later_evidence_in_any_spelling_joins(self):
        """After the merge, a merged-away spelling counts toward the kept item."""
        later = [
            named("experimentation", "Di", "a4", 7),
            GapPracticed(skill="AB testing", minutes=10, at=day(8)),
            GapPromoted(skill="ab testing", to_rank=1, at=day(9)),
        ]
        state = fold(VIEW, [*SPLIT, MERGE, *later])
        assert [item.skill for item in state.items] == ["A/B testing", "Statistics"]
        assert state.get("Experimentation") is state.get("A/B testing")
        assert state.items[0].mentions == 4
        assert state.items[0].minutes_practised == 85

    def test_closing_any_spelling_closes_the_skill(self):
        """A merged-away spelling closes the kept item, and then the seeker has it."""
        state = fold(VIEW, [*SPLIT, MERGE, GapClosed(skill="experimentation", at=day(9))])
        assert state.get("A/B testing").status is GapStatus.CLOSED
        assert state.has("AB testing")

    def test_one_open_spelling_keeps_it_open(self):
        """A closed spelling merged with an open one gives an open item."""
        events = [
            GapAdded(skill="k8s", at=day(0)),
            GapClosed(skill="k8s", at=day(1)),
            GapAdded(skill="Kubernetes", at=day(2)),
            SkillsMerged(skills=["k8s"], into="Kubernetes", at=day(3)),
        ]
        state = fold(VIEW, events)
        assert [(item.skill, item.rank, item.status) for item in state.items] == [
            ("Kubernetes", 1, GapStatus.OPEN)
        ]

    def test_merge_before_any_mention_routes_later_ones(self):
        """Spellings merged before they are seen are counted as the kept one when they are."""
        events = [
            SkillsMerged(skills=["k8s", "kube"], into="Kubernetes", at=day(0)),
            named("k8s", "Ann", "a1", 1),
            named("kube", "Bob", "a2", 2),
        ]
        state = fold(VIEW, events)
        assert [(item.skill, item.mentions) for item in state.items] == [("Kubernetes", 2)]

    def test_chained_merges(self):
        """A skill merged into one that is later merged again ends in the last one."""
        events = [
            named("AB testing", "Ann", "a1", 1),
            named("A/B tests", "Bob", "a2", 2),
            named("Experimentation", "Cy", "a3", 3),
            SkillsMerged(skills=["AB testing", "A/B tests"], into="A/B testing", at=day(4)),
            SkillsMerged(skills=["A/B testing", "Experimentation"], into="Experiments", at=day(5)),
            named("ab testing", "Di", "a4", 6),
        ]
        state = fold(VIEW, events)
        assert [(item.skill, item.mentions) for item in state.items] == [("Experiments", 4)]
        assert state.key("AB testing") == state.key("a/b tests") == skill_key("Experiments")

    def test_punch_ups_and_the_resume_merge(self):
        """Punch-up entries of the spellings become one; the resume's spellings count as had."""
        feedback = FeedbackReceived(
            application_id="a1",
            items=[
                FeedbackItem(skill="Postgres", mark=Mark.PUNCH_UP),
                FeedbackItem(skill="PostgreSQL", mark=Mark.PUNCH_UP),
            ],
            source="Ann",
            at=day(1),
        )
        events = [
            ResumeUpdated(version="v1", skills=["JS"], at=day(0)),
            feedback,
            SkillsMerged(skills=["Postgres", "PostgreSQL"], into="PostgreSQL", at=day(2)),
            SkillsMerged(skills=["JS"], into="JavaScript", at=day(2)),
        ]
        state = fold(VIEW, events)
        assert [(entry.skill, entry.mentions) for entry in state.punch_up] == [("PostgreSQL", 2)]
        assert state.has("javascript")
        assert state.on_resume("JavaScript")


class TestOtherViews:
    """Roles and history see the merge too."""

    def test_roles_count_the_merged_skill_once(self):
        """A role needing two spellings of one skill needs it once, and it is planned."""
        events = [
            *SPLIT,
            MERGE,
            RoleSuggested(
                company="Acme",
                role="Analyst",
                skills=["AB testing", "experimentation", "SQL"],
                at=day(7),
            ),
            ResumeUpdated(version="v1", skills=["sql"], at=day(7)),
        ]
        log = open_log("memory://")
        log.append(events)
        (role,) = log.view(ROLES).roles
        assert role.skills == ["A/B testing", "SQL"]
        assert role.covered == ["SQL"]
        assert role.planned == ["A/B testing"]
        assert role.missing == []
        assert role.coverage == 0.5

    def test_history_shows_the_merge_as_a_cause(self):
        """The spellings that left the list and the kept one that moved name the merge."""
        events = [
            GapAdded(skill="Python", at=day(0)),
            GapAdded(skill="A/B testing", at=day(0)),
            GapAdded(skill="AB testing", at=day(0)),
            GapPromoted(skill="AB testing", to_rank=1, at=day(1)),
            SkillsMerged(skills=["AB testing", "A/B testing"], into="A/B testing", at=day(2)),
        ]
        log = open_log("memory://")
        log.append(events)
        history = log.view(HISTORY)
        merged = [c for changes in history.ranks.values() for c in changes if c.position == 5]
        assert {(c.cause, c.rank) for c in merged} >= {("SkillsMerged", None)}
        assert history.ranks["AB testing"][-1].rank is None
        assert history.ranks["AB testing"][-1].detail == "merged into A/B testing"
        assert history.ranks["A/B testing"][-1].rank == 1
        assert history.ranks["A/B testing"][-1].cause == "SkillsMerged"
        assert history.ranks_at(5) == {"A/B testing": 1, "Python": 2}


class TestRetraction:
    """Retracting the merge splits the spellings, each with its own evidence."""

    def test_retracted_merge_splits_them_again(self):
        """After the retraction each spelling is its own item with its own mentions and minutes."""
        log = open_log("memory://")
        log.append([*SPLIT, MERGE])
        merged = log.view(GAPS)
        assert len(merged.items) == 2
        log.append([EventRetracted(position=7, reason="not the same", at=day(8))])
        split = log.view(GAPS)
        assert [(item.skill, item.mentions, item.minutes_practised) for item in split.items] == [
            ("Statistics", 0, 0),
            ("AB testing", 1, 30),
            ("A/B testing", 1, 45),
            ("experimentation", 1, 0),
        ]
        assert log.view(GAPS, as_of=7).items == merged.items
        history = log.view(HISTORY)
        assert all(c.cause != "SkillsMerged" for cs in history.ranks.values() for c in cs)

    def test_evidence_after_the_merge_goes_back_to_its_spelling(self):
        """Mentions recorded in a merged-away spelling return to it when the merge goes."""
        log = open_log("memory://")
        log.append([*SPLIT, MERGE, named("AB testing", "Di", "a4", 7)])
        log.append([EventRetracted(position=7, at=day(8))])
        assert log.view(GAPS).get("AB testing").mentions == 2


class TestProperties:
    """Properties that hold for any search."""

    @given(event_sequences(max_size=25), skills_merged())
    def test_merge_adds_up_what_the_spellings_had(self, events, merge):
        """Merging at the end gives one item holding every spelling's mentions and minutes."""
        before = fold(VIEW, events)
        after = fold(VIEW, [*events, merge])
        members = {before.key(s) for s in (*merge.skills, merge.into)}
        items = [before.skills[k] for k in members if k in before.skills]
        assert [item.rank for item in after.items] == list(range(1, len(after.items) + 1))
        kept = after.get(merge.into)
        if not items:
            assert kept is None
            return
        assert kept is not None
        assert kept.mentions == sum(item.mentions for item in items)
        assert kept.minutes_practised == sum(item.minutes_practised for item in items)
        ranks = [item.rank for item in items if item.rank is not None]
        if ranks:
            assert kept.rank == min(ranks)
        others = [k for k in before.order if k not in members]
        assert [k for k in after.order if k != kept.key] == others
        for spelling in merge.skills:
            assert after.get(spelling) is kept

    @given(event_sequences(max_size=20), st.data())
    def test_retracting_a_merge_is_folding_without_it(self, events, data):
        """A merge put anywhere and then retracted leaves every view as if it never was."""
        merge = data.draw(skills_merged())
        at = data.draw(st.integers(0, len(events)))
        without = [e for e in events if not isinstance(e, EventRetracted)]
        at = min(at, len(without))
        log = open_log("memory://")
        log.append([*without[:at], merge, *without[at:]])
        log.append([EventRetracted(position=at + 1)])
        plain = open_log("memory://")
        plain.append(without)
        assert log.view(GAPS).items == plain.view(GAPS).items
        assert log.view(GAPS).punch_up == plain.view(GAPS).punch_up
        assert log.view(ROLES).roles == plain.view(ROLES).roles
