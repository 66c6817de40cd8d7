"""The method's words: the two questions for the end of an interview, and the sentence
that brings the gap list to it. Everything that says them (the plan, the prep sheet,
the debrief) says them from here."""

from __future__ import annotations

__all__ = ["QUESTION_ONE", "bring_the_list", "move_question", "question_two"]

#: Question 1: what would make the seeker a better fit; each answer is marked on the resume.
QUESTION_ONE = (
    "Let's suppose I don't get this role, and another very similar one opens up in three "
    "months. What improvements, changes, or additional skills would you like to see in my "
    "resume, to make me an even better fit for that job?"
)


def question_two(company: str) -> str:
    """Question 2: the other roles at the company the seeker might fit."""
    return (
        "What other roles do you see being available in the next few months at "
        f"{company} that I might be a really good fit for?"
    )


def move_question(skill: str, rank: int, other: str) -> str:
    """The question for a skill that should move up: "Move dbt in front of item 3, Statistics?"."""
    return f"Move {skill} in front of item {rank}, {other}?"


def bring_the_list(focus: list[str], third: str | None) -> str:
    """What the seeker says with the list in hand, after the answer to question 1."""
    if not focus:
        return "Bring your gap list: which of your suggestions should I learn first?"
    mine = " and ".join(focus)
    these = "This is my focus" if len(focus) == 1 else "These two are my focus"
    if third is None:
        return f"{these} right now: {mine}. Would it be better to put your suggestion first?"
    return (
        f"{these} right now: {mine}. Would it be better to move (your suggestion) in front "
        f"of item 3, {third}?"
    )
