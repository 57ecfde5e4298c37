"""One run, from a rubric and checklists to everything the outputs need."""

from __future__ import annotations

from inspect_score.checklists.table import Checklists
from inspect_score.errors import ChecklistError, Issue
from inspect_score.memory import release_freed_memory
from inspect_score.messages import msg
from inspect_score.rubric.model import Rubric
from inspect_score.scoring.grading import rank_and_grade
from inspect_score.scoring.results import Results
from inspect_score.scoring.score import score
from inspect_score.scoring.summary import summarize


def evaluate(rubric: Rubric, checklists: Checklists) -> Results:
    """Score, rank and grade every branch; ``Results.findings`` lists the problems
    found when first asked for.

    Raises :class:`~inspect_score.errors.ChecklistError` where the
    checklists cannot be scored (no branch at all, a branch with no applicable
    indicator).
    """
    if checklists.frame.empty:
        # loading refuses this already; a Checklists made otherwise gets the same answer,
        # not an empty ranking or a bulletin that cannot be drafted
        raise ChecklistError([
            Issue("no-branches", msg("the checklists hold no branch rows"), source)
            for source in checklists.sources[:1] or ("",)])
    scores = score(rubric, checklists)
    ranking = rank_and_grade(rubric, scores)
    summary, grade_counts = summarize(rubric, scores, ranking)
    release_freed_memory()  # what scoring and ranking a million branches left
    return Results(
        rubric=rubric,
        checklists=checklists,
        scores=scores,
        ranking=ranking,
        summary=summary,
        grade_counts=grade_counts,
        warnings=checklists.warnings,
    )
