"""Tests for the `roles` view: suggested roles and their gap analysis against the list."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import cattrs
from hypothesis import given

from jobsearch_core.events import (
    EventRetracted,
    FeedbackReceived,
    GapAdded,
    GapClosed,
    ResumeUpdated,
    RoleSuggested,
    skill_key,
)
from jobsearch_core.testing import event_sequences
from jobsearch_core.views import fold
from jobsearch_core.views.roles import VIEW, RolesState

T0 = datetime(2024, 3, 1, tzinfo=UTC)


def day(n: int) -> datetime:
    """The moment `n` days after T0."""
    return T0 + timedelta(days=n)


def json_converter() -> cattrs.Converter:
    """A plain converter that writes datetimes as ISO 8601 text."""
    converter = cattrs.Converter()
    converter.register_unstructure_hook(datetime, datetime.isoformat)
    converter.register_structure_hook(datetime, lambda value, _: datetime.fromisoformat(value))
    return converter


class TestGapAnalysis:
    """Each role's skills are split into what the seeker has, what is planned, and what is new."""

    def test_has_planned_and_missing(self):
        """The issue's case: only SQL on the resume, Looker on the gap list. The resume's
        skill is covered, the gap is planned (with its rank), the rest is missing, and the
        coverage counts only what the seeker has."""
        events = [
            ResumeUpdated(version="v1", skills=["SQL", "Python"]),
            GapAdded(skill="Statistics"),
            GapAdded(skill="Looker"),
            RoleSuggested(
                company="Acme",
                role="Analytics Engineer",
                skills=["sql ", "dbt", "Data modeling", "Looker"],
            ),
        ]
        [role] = fold(VIEW, events).roles
        assert (role.company, role.role) == ("Acme", "Analytics Engineer")
        assert role.skills == ["sql", "dbt", "Data modeling", "Looker"]
        assert role.covered == ["sql"]
        assert role.planned == ["Looker"]
        assert role.planned_ranks == {"Looker": 2}
        assert role.missing == ["dbt", "Data modeling"]
        assert role.coverage == 1 / 4
        assert role.on_resume == ["sql"]

    def test_an_open_gap_is_planned_not_had(self):
        """Writing a skill onto the gap list does not raise the coverage."""
        events = [
            GapAdded(skill="SQL"),
            RoleSuggested(company="Acme", role="Analyst", skills=["SQL", "Go"]),
        ]
        [role] = fold(VIEW, events).roles
        assert (role.covered, role.planned, role.missing) == ([], ["SQL"], ["Go"])
        assert role.coverage == 0

    def test_closed_skill_is_covered(self):
        """A closed gap item was learned, so the seeker has it."""
        events = [
            GapAdded(skill="SQL"),
            GapClosed(skill="SQL"),
            RoleSuggested(company="Acme", role="Analyst", skills=["SQL"]),
        ]
        [role] = fold(VIEW, events).roles
        assert (role.covered, role.planned, role.missing, role.coverage) == (
            ["SQL"],
            [],
            [],
            1.0,
        )

    def test_the_latest_resume_counts(self):
        """A skill dropped from the resume is no longer had."""
        events = [
            ResumeUpdated(version="v1", skills=["SQL", "Tableau"]),
            ResumeUpdated(version="v2", skills=["SQL"]),
            RoleSuggested(company="Acme", role="Analyst", skills=["Tableau", "sql"]),
        ]
        state = fold(VIEW, events)
        [role] = state.roles
        assert (role.covered, role.missing) == (["sql"], ["Tableau"])
        assert (state.gaps.resume_version, state.gaps.resume_skills) == ("v2", ["SQL"])

    def test_compared_with_the_list_at_the_end(self):
        """A skill added to the list after the suggestion is planned."""
        events = [
            RoleSuggested(company="Acme", role="Analyst", skills=["SQL", "Go"]),
            FeedbackReceived(application_id="a1", items=[{"skill": "go", "mark": "next_focus"}]),
        ]
        [role] = fold(VIEW, events).roles
        assert (role.covered, role.planned, role.missing) == ([], ["Go"], ["SQL"])

    def test_punch_up_counts_as_had(self):
        """A punch-up skill is already on the resume: had, and listed as on_resume."""
        events = [
            FeedbackReceived(application_id="a1", items=[{"skill": "SQL", "mark": "punch_up"}]),
            RoleSuggested(company="Acme", role="Analyst", skills=["sql", "dbt"]),
        ]
        [role] = fold(VIEW, events).roles
        assert (role.covered, role.missing, role.on_resume) == (["sql"], ["dbt"], ["sql"])
        assert fold(VIEW, events).gaps.items == []  # still not a gap

    def test_no_skills(self):
        """A role that names no skills is fully covered."""
        [role] = fold(VIEW, [RoleSuggested(company="Acme", role="Analyst", skills=[])]).roles
        assert (role.skills, role.covered, role.planned, role.missing, role.coverage) == (
            [],
            [],
            [],
            [],
            1.0,
        )

    def test_adds_nothing_to_the_gap_list(self):
        """Suggesting a role leaves the gap list empty."""
        state = fold(VIEW, [RoleSuggested(company="Acme", role="Analyst", skills=["SQL"])])
        assert state.gaps.items == []


class TestSuggestions:
    """Repeat suggestions merge into one role."""

    def test_repeat_suggestion_merges(self):
        """Same company and role in any case: one role with skills, people and ids merged."""
        events = [
            RoleSuggested(
                company="Acme",
                role="Data Analyst",
                skills=["SQL", "Statistics"],
                suggested_by="Ann",
                application_id="a1",
                note="good fit",
                at=day(5),
            ),
            RoleSuggested(
                company=" acme ",
                role="data  analyst",
                skills=["statistics", "Tableau"],
                suggested_by="ann",
                application_id="a2",
                at=day(2),
            ),
            RoleSuggested(
                company="Acme",
                role="Data Analyst",
                skills=[],
                suggested_by="Bob",
                application_id="a1",
                note="ask Bob",
                at=day(7),
            ),
        ]
        [role] = fold(VIEW, events).roles
        assert (role.company, role.role) == ("Acme", "Data Analyst")
        assert role.skills == ["SQL", "Statistics", "Tableau"]
        assert role.suggested_by == ["Ann", "Bob"]
        assert role.application_ids == ["a1", "a2"]
        assert (role.first_suggested_at, role.last_suggested_at) == (day(2), day(7))
        assert role.note == "ask Bob"

    def test_different_roles_stay_apart(self):
        """Another role or another company is another entry, in the order first suggested."""
        events = [
            RoleSuggested(company="Acme", role="Analyst", skills=[]),
            RoleSuggested(company="Acme", role="Engineer", skills=[]),
            RoleSuggested(company="Globex", role="Analyst", skills=[]),
        ]
        roles = fold(VIEW, events).roles
        assert [(role.company, role.role) for role in roles] == [
            ("Acme", "Analyst"),
            ("Acme", "Engineer"),
            ("Globex", "Analyst"),
        ]

    def test_retracted_suggestion_is_skipped(self):
        """A retracted suggestion is not listed."""
        events = [
            RoleSuggested(company="Acme", role="Analyst", skills=["SQL"]),
            RoleSuggested(company="Globex", role="Engineer", skills=["Go"]),
            EventRetracted(position=1, reason="misheard"),
        ]
        roles = fold(VIEW, events).roles
        assert [role.company for role in roles] == ["Globex"]


class TestProperties:
    """Properties that hold for any sequence of events."""

    @given(event_sequences(max_size=30))
    def test_fold_is_total_and_skills_split(self, events):
        """Any sequence folds; covered, planned and missing split each role's skills
        exactly: covered what the seeker has, planned the open gaps, missing neither."""
        state = fold(VIEW, events)
        gaps = state.gaps
        ranks = gaps.ranks()
        for role in state.roles:
            assert sorted(role.covered + role.planned + role.missing) == sorted(role.skills)
            assert all(gaps.has(skill) for skill in role.covered)
            assert all(not gaps.has(s) and skill_key(s) in ranks for s in role.planned)
            assert all(not gaps.has(s) and skill_key(s) not in ranks for s in role.missing)
            assert role.planned_ranks == {s: ranks[skill_key(s)] for s in role.planned}
            assert set(role.on_resume) <= set(role.covered)
            keys = [skill_key(skill) for skill in role.skills]
            assert len(set(keys)) == len(keys)
            assert 0.0 <= role.coverage <= 1.0

    @given(event_sequences(max_size=30))
    def test_one_entry_per_company_and_role(self, events):
        """No two roles share a company and role, in any case or spacing."""
        roles = fold(VIEW, events).roles
        keys = [(skill_key(role.company), skill_key(role.role)) for role in roles]
        assert len(set(keys)) == len(keys)

    @given(event_sequences(max_size=30))
    def test_json_round_trip(self, events):
        """The state survives cattrs -> JSON -> cattrs unchanged."""
        state = fold(VIEW, events)
        converter = json_converter()
        text = json.dumps(converter.unstructure(state))
        assert converter.structure(json.loads(text), RolesState) == state
