"""Branches of the small English rubric (tests/data/rubrics/en-basic.toml), built in code."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hypothesis import assume

from inspect_score.checklists.table import Checklists
from inspect_score.errors import ChecklistError
from inspect_score.rubric.model import Rubric
from inspect_score.scoring.score import score
from inspect_score.scoring.tables import Scores

EN_BASIC = Path(__file__).parent / "data" / "rubrics" / "en-basic.toml"

#: Values that earn every indicator's full points under en-basic.
FULL_MARKS: dict[str, Any] = {
    "meetings_held": 12, "meetings_required": 12, "reserve_cadres": 3, "dues_on_time": 1,
    "files_status": "complete", "roster_ok": 1, "minutes_ok": 1, "study_absences": 0,
    "service_events": 5, "awards": 0, "discipline_cases": 0, "serious_violation": 0,
    "remarks": "",
}


def branch(branch_id: str, **values: Any) -> dict[str, Any]:
    """A branch at full marks but for the values given."""
    return {"branch_id": branch_id, "branch_name": f"Branch {branch_id}", **FULL_MARKS, **values}


def scored(rubric: Rubric, checklists: Checklists) -> Scores:
    """The scores, or (inside a hypothesis test) a discarded example when nothing can be scored."""
    try:
        return score(rubric, checklists)
    except ChecklistError:
        assume(False)
        raise
