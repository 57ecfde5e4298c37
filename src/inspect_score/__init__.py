"""inspect-score: score inspections of community party branches against a TOML rubric.

The library API, one function per step::

    from inspect_score import load_rubric, load_checklists, evaluate, write_outputs

    rubric = load_rubric("rubrics/street-2025-h1.toml")
    checklists = load_checklists(rubric, ["samples/街道社区2025上半年.csv"])
    results = evaluate(rubric, checklists)        # pandas DataFrames
    results.ranking                               # rank, branch_id, total, grade, ...
    write_outputs(results, xlsx=Path("results.xlsx"), csv_dir=Path("out"))

Every step raises an :class:`InspectError` carrying all problems found.
"""

from __future__ import annotations

#: The one place the version is written: pyproject.toml reads it from here, so that
#: the command line need not import importlib.metadata (a tenth of a second) to say it.
__version__ = "0.1.0"

from typing import TYPE_CHECKING, Any

# The public names are imported on first use, so that `import inspect_score.rubric.model`
# (and the command line's start-up) does not pay for pandas and the writers.
_PUBLIC = {
    "ChecklistError": "inspect_score.errors",
    "Checklists": "inspect_score.checklists.table",
    "InspectError": "inspect_score.errors",
    "Issue": "inspect_score.errors",
    "OutputError": "inspect_score.errors",
    "Results": "inspect_score.scoring.results",
    "Rubric": "inspect_score.rubric.model",
    "RubricError": "inspect_score.errors",
    "Scores": "inspect_score.scoring.tables",
    "evaluate": "inspect_score.scoring.pipeline",
    "load_checklists": "inspect_score.checklists.load",
    "load_rubric": "inspect_score.rubric.loader",
    "rank_and_grade": "inspect_score.scoring.grading",
    "score": "inspect_score.scoring.score",
    "write_outputs": "inspect_score.outputs.write",
}

if TYPE_CHECKING:
    from inspect_score.checklists.load import load_checklists
    from inspect_score.checklists.table import Checklists
    from inspect_score.errors import ChecklistError, InspectError, Issue, OutputError, RubricError
    from inspect_score.outputs.write import write_outputs
    from inspect_score.rubric.loader import load_rubric
    from inspect_score.rubric.model import Rubric
    from inspect_score.scoring.grading import rank_and_grade
    from inspect_score.scoring.pipeline import evaluate
    from inspect_score.scoring.results import Results
    from inspect_score.scoring.score import score
    from inspect_score.scoring.tables import Scores


def __getattr__(name: str) -> Any:
    if name in _PUBLIC:
        import importlib

        return getattr(importlib.import_module(_PUBLIC[name]), name)
    raise AttributeError(f"module 'inspect_score' has no attribute {name!r}")


__all__ = [
    "ChecklistError",
    "Checklists",
    "InspectError",
    "Issue",
    "OutputError",
    "Results",
    "Rubric",
    "RubricError",
    "Scores",
    "__version__",
    "evaluate",
    "load_checklists",
    "load_rubric",
    "rank_and_grade",
    "score",
    "write_outputs",
]
