"""Tests for the `plan` view: the evidence's order beside the seeker's, and the questions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from jobsearch_core import open_log
from jobsearch_core.events import (
    Event,
    FeedbackItem,
    FeedbackReceived,
    GapAdded,
    GapClosed,
    Mark,
    ResumeUpdated,
    RoleSuggested,
    SkillsMerged,
)
from jobsearch_core.views import PLAN, PlanState

T0 = datetime(2026, 3, 2, tzinfo=UTC)


def day(n: int) -> datetime:
    """The moment `n` days after T0."""
    return T0 + timedelta(days=n)


def feedback(who: str, app: str, *skills: str, n: int = 1) -> FeedbackReceived:
    """`who`, interviewing for `app`, names `skills` as real gaps."""
    items = [FeedbackItem(skill=skill, mark=Mark.NEXT_FOCUS) for skill in skills]
    return FeedbackReceived(application_id=app, items=items, source=who, at=day(n))


def plan_of(events: list[Event]) -> PlanState:
    """The plan of a fresh log holding `events`."""
    log = open_log("memory://")
    log.append(events)
    return log.view(PLAN)


def order(plan: PlanState) -> list[tuple[str, int | None]]:
    """The plan as (skill, seeker's rank) in the suggested order."""
    return [(item.skill, item.rank) for item in plan.items]


class TestHandWorked:
    """Cases worked out by hand."""

    def test_the_method_s_question(self):
        """dbt named by two interviewers outranks Statistics, which nobody named."""
        plan = plan_of(
            [
                *(GapAdded(skill=s, at=day(0)) for s in ("Python", "SQL", "Statistics", "dbt")),
                feedback("Ann", "a1", "Python", "SQL", "dbt"),
                feedback("Bob", "a2", "Python", "SQL", "dbt"),
            ]
        )
        assert order(plan) == [("Python", 1), ("SQL", 2), ("dbt", 4), ("Statistics", 3)]
        assert [item.focus for item in plan.items] == [True, True, False, False]
        assert plan.questions == ["Move dbt in front of item 3, Statistics?"]
        (question,) = plan.disagreements
        assert (question.skill, question.in_front_of, question.rank) == ("dbt", "Statistics", 3)
        assert plan.get("DBT").reasons == (
            "named by 2 interviewers: Ann, Bob",
            "you ranked it 4",
        )

    def test_a_role_and_an_interviewer_beat_either(self):
        """Looker, named once and needed by a role, outranks SQL named by three; a role's
        missing skill comes onto the plan with its role named."""
        plan = plan_of(
            [
                GapAdded(skill="SQL", at=day(0)),
                GapAdded(skill="Looker", at=day(0)),
                feedback("Ann", "a1", "SQL"),
                feedback("Bob", "a2", "SQL"),
                feedback("Cy", "a3", "SQL", "Looker"),
                RoleSuggested(
                    company="Acme", role="Analytics Engineer", skills=["Looker", "dbt"], at=day(2)
                ),
            ]
        )
        assert order(plan) == [("Looker", 2), ("SQL", 1), ("dbt", None)]
        assert plan.get("dbt").reasons == (
            "needed by Analytics Engineer at Acme",
            "not on your gap list yet",
        )
        assert plan.questions == ["Move Looker in front of item 1, SQL?"]

    def test_what_the_seeker_has_is_left_out(self):
        """Skills on the resume, punched up or closed never appear; an open item the resume
        lists is offered for closing."""
        plan = plan_of(
            [
                ResumeUpdated(version="v1", skills=["Python"], at=day(0)),
                GapAdded(skill="Python", at=day(0)),
                GapAdded(skill="Go", at=day(0)),
                GapClosed(skill="Go", at=day(1)),
                FeedbackReceived(
                    application_id="a1",
                    items=[FeedbackItem(skill="SQL", mark=Mark.PUNCH_UP)],
                    at=day(1),
                ),
                RoleSuggested(company="Acme", role="DE", skills=["Python", "SQL", "Go", "Spark"]),
            ]
        )
        assert order(plan) == [("Spark", None)]
        assert plan.had == ["Python"]

    def test_merged_spellings_are_one_candidate(self):
        """Two interviewers naming two spellings count as two once the spellings are merged."""
        events: list[Event] = [
            GapAdded(skill="Statistics", at=day(0)),
            feedback("Ann", "a1", "AB testing"),
            feedback("Bob", "a2", "A/B testing"),
        ]
        assert [d.skill for d in plan_of(events).disagreements] == ["AB testing", "A/B testing"]
        merged = plan_of([*events, SkillsMerged(skills=["AB testing"], into="A/B testing")])
        assert order(merged) == [("A/B testing", 2), ("Statistics", 1)]
        assert merged.items[0].interviewers == ("Ann", "Bob")

    def test_accepting_records_the_suggested_order(self):
        """The promotions make the gap list's order the suggested one; then nothing is asked."""
        log = open_log("memory://")
        log.append(
            [
                *(GapAdded(skill=s, at=day(0)) for s in ("Statistics", "SQL", "dbt")),
                feedback("Ann", "a1", "dbt", "SQL"),
                feedback("Bob", "a2", "dbt"),
                RoleSuggested(company="Acme", role="AE", skills=["Looker"], at=day(3)),
            ]
        )
        plan = log.view(PLAN)
        promotions = plan.promotions()
        assert [(p.skill, p.to_rank) for p in promotions] == [("dbt", 1), ("SQL", 2), ("Looker", 3)]
        assert promotions[0].reason == "plan: named by 2 interviewers: Ann, Bob; you ranked it 3"
        log.append(promotions)
        after = log.view(PLAN)
        assert [item.skill for item in after.items] == [item.skill for item in plan.items]
        assert [item.rank for item in after.items] == [1, 2, 3, 4]
        assert after.questions == []
        assert after.promotions() == []


# --- properties --------------------------------------------------------------------------------

SKILLS = ("SQL", "dbt", "Statistics", "Python", "Looker", "Spark")
PEOPLE = ("Ann", "Bob", "Cy", "Di")
APPS = ("a1", "a2")


@st.composite
def searches(draw: st.DrawFn) -> tuple[list[Event], dict[str, tuple[int, int, bool]]]:
    """A search over a small pool of skills, and each skill's evidence worked out from it:
    skill -> (distinct interviewers, suggested roles, has it)."""
    resume = draw(st.lists(st.sampled_from(SKILLS), unique=True, max_size=2))
    listed = draw(st.permutations(SKILLS).map(lambda p: list(p[: draw(st.integers(0, 6))])))
    said = draw(
        st.lists(
            st.tuples(
                st.sampled_from(PEOPLE),
                st.sampled_from(APPS),
                st.lists(st.sampled_from(SKILLS), unique=True, min_size=1, max_size=3),
            ),
            max_size=6,
        )
    )
    roles = draw(
        st.lists(st.lists(st.sampled_from(SKILLS), unique=True, min_size=1, max_size=3), max_size=3)
    )
    events: list[Event] = [ResumeUpdated(version="v1", skills=resume, at=day(0))]
    events += [GapAdded(skill=skill, at=day(0)) for skill in listed]
    events += [feedback(who, app, *skills, n=i + 1) for i, (who, app, skills) in enumerate(said)]
    events += [
        RoleSuggested(company="Acme", role=f"Role {i}", skills=skills, at=day(10 + i))
        for i, skills in enumerate(roles)
    ]
    evidence = {
        skill: (
            len({who for who, _, skills in said if skill in skills}),
            sum(skill in skills for skills in roles),
            skill in resume,
        )
        for skill in SKILLS
    }
    return events, evidence


def _pairs(plan: PlanState):
    for a in plan.items:
        for b in plan.items:
            if a is not b:
                yield a, b


class TestProperties:
    """What the plan keeps for any search."""

    @given(searches())
    def test_candidates_are_the_open_list_and_the_roles_minus_what_is_had(self, search):
        """Every skill named anywhere and not had is on the plan, once; had skills never are."""
        events, evidence = search
        plan = plan_of(events)
        added = {e.skill for e in events if isinstance(e, GapAdded)}
        expected = {
            skill
            for skill, (people, roles, has) in evidence.items()
            if (skill in added or people or roles) and not has
        }
        assert sorted(item.skill for item in plan.items) == sorted(expected)
        assert [item.suggested_rank for item in plan.items] == list(range(1, len(plan.items) + 1))
        assert [item.skill for item in plan.focus] == [item.skill for item in plan.items[:2]]

    @given(searches())
    def test_more_interviewers_rank_higher(self, search):
        """With the same number of roles needing them, the skill more people named is higher."""
        events, evidence = search
        plan = plan_of(events)
        for a, b in _pairs(plan):
            (a_people, a_roles, _), (b_people, b_roles, _) = evidence[a.skill], evidence[b.skill]
            if a_roles == b_roles and a_people > b_people:
                assert a.suggested_rank < b.suggested_rank

    @given(searches())
    def test_named_and_needed_beats_one_of_them(self, search):
        """Named by an interviewer and needed by a role ranks above only one of the two."""
        events, evidence = search
        plan = plan_of(events)
        for a, b in _pairs(plan):
            (a_people, a_roles, _), (b_people, b_roles, _) = evidence[a.skill], evidence[b.skill]
            if a_people and a_roles and (bool(b_people) != bool(b_roles)):
                assert a.suggested_rank < b.suggested_rank

    @given(searches())
    def test_ties_keep_the_seeker_s_order(self, search):
        """Two listed skills with the same evidence keep the order the seeker gave them."""
        events, evidence = search
        plan = plan_of(events)
        for a, b in _pairs(plan):
            if evidence[a.skill][:2] == evidence[b.skill][:2] and a.rank and b.rank:
                assert (a.rank < b.rank) == (a.suggested_rank < b.suggested_rank)

    @given(searches())
    def test_deterministic_and_questions_agree_with_the_ranks(self, search):
        """The same search gives the same plan; each question names a real disagreement, and
        accepting the plan leaves none."""
        events, _ = search
        plan = plan_of(events)
        assert plan_of(events).items == plan.items
        assert plan_of(events).disagreements == plan.disagreements
        for question in plan.disagreements:
            skill, other = plan.get(question.skill), plan.get(question.in_front_of)
            assert skill.suggested_rank < other.suggested_rank
            assert other.rank == question.rank
            assert skill.rank is None or other.rank < skill.rank
        disagree = any(
            b.rank is not None
            and b.suggested_rank > a.suggested_rank
            and (a.rank is None or b.rank < a.rank)
            for a, b in _pairs(plan)
        )
        assert bool(plan.questions) == disagree
        promotions = plan.promotions()
        if promotions:
            log = open_log("memory://")
            log.append([*events, *promotions])
            accepted = log.view(PLAN)
            assert accepted.questions == []
            assert [item.skill for item in accepted.items] == [item.skill for item in plan.items]
