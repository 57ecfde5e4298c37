"""A run on branches' own checklists (``run --self-check``): each branch stands alone."""

from __future__ import annotations

import attrs

from inspect_score.scoring.results import Results


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


SELF_CHECK_NOTE = ("self-check: quotas are not applied and branches are not ranked "
                   "against each other")
