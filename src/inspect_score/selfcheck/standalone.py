"""A run on branches' own checklists (``run --self-check``): each branch stands alone."""

from __future__ import annotations

import attrs

from inspect_score.checklists.table import Checklists
from inspect_score.messages import tr
from inspect_score.rubric.model import Rubric
from inspect_score.scoring.pipeline import evaluate
from inspect_score.scoring.results import Results


def without_quotas(rubric: Rubric) -> Rubric:
    """The rubric with every grade's quotas taken off: its bands and vetoes alone."""
    return attrs.evolve(rubric, grades=tuple(
        attrs.evolve(grade, max_share=None, max_count=None, min_share=None, min_count=None)
        for grade in rubric.grades))


def evaluate_self_check(rubric: Rubric, checklists: Checklists) -> Results:
    """Score a self-check: no quota is applied, so none can refuse the run either (a
    branch checking itself alone cannot fill "二星及以下不少于2个"); the results keep the
    rubric as issued."""
    results = evaluate(without_quotas(rubric), checklists)
    return self_check_results(attrs.evolve(results, rubric=rubric))


def self_check_results(results: Results) -> Results:
    """A run on a branch's own checklist: grades before quotas, no rank against others."""
    ranking = results.ranking.copy()
    ranking["grade"] = ranking["grade_without_quota"]
    # each branch stands alone: first of one; one excluded by a veto stays unranked
    if ranking["rank"].hasnans:
        ranking["rank"] = ranking["rank"].where(ranking["rank"].isna(), 1)
    else:
        ranking["rank"] = 1
    return attrs.evolve(results, ranking=ranking)


def self_check_note() -> str:
    """What ``run --self-check`` says about its results, in the language of the run."""
    return tr("self-check: quotas are not applied and branches are not ranked "
              "against each other")
