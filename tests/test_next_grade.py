"""The path to the next grade: fewest items, values that really lift the branch, vetoes."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st
from strategies import make_checklists, runs

from inspect_score.checklists.load import load_checklists
from inspect_score.checklists.table import Checklists
from inspect_score.errors import ChecklistError
from inspect_score.rubric.loader import load_rubric
from inspect_score.rubric.model import Field, Grade, Item, Rubric, Section
from inspect_score.scoring.grading import grade_by_total
from inspect_score.scoring.score import score
from inspect_score.scoring.tables import Scores
from inspect_score.selfcheck.next_grade import path_to_next_grade

ROOT = Path(__file__).resolve().parent.parent
STREET = ROOT / "rubrics" / "street-2025-h1.toml"
SAMPLE = ROOT / "samples" / "街道社区2025上半年.csv"
CHOICES = ("齐全", "基本齐全", "不齐全")
#: every value a small rubric's field can take; the brute force tries them all
DOMAINS: dict[str, list[Any]] = {
    "int": [float(value) for value in range(7)],
    "bool": [0.0, 1.0],
    "choice": list(CHOICES),
}


@st.composite
def small_item(draw: st.DrawFn, kind: str, number: int) -> tuple[Item, tuple[Field, ...]]:
    """One item reading fields of its own, with any rule."""
    name = f"{kind}{number}"
    rule = draw(st.sampled_from(("check", "scale", "deduct", "steps", "choice", "share",
                                 "count")))
    maximum = float(draw(st.integers(2, 12)))
    if rule == "share":
        fields = tuple(Field(f"{name}_b{index}", "bool") for index in range(2))
        return Item(kind, name, name, maximum, "share",  # type: ignore[arg-type]
                    fields=tuple(field.id for field in fields)), fields
    if rule == "choice":
        field = Field(f"{name}_c", "choice", choices=CHOICES)
        points = ((CHOICES[0], maximum), (CHOICES[1], float(draw(st.integers(0, int(maximum))))),
                  (CHOICES[2], 0.0))
        return Item(kind, name, name, maximum, "choice", field=field.id,  # type: ignore[arg-type]
                    points=points), (field,)
    if rule == "check" and draw(st.booleans()):
        field = Field(f"{name}_b", "bool")
        return Item(kind, name, name, maximum, "check", field=field.id), (field,)  # type: ignore[arg-type]
    field = Field(f"{name}_n", "int", min=0.0, max=6.0)
    parameters: dict[str, Any] = {}
    if rule == "check":
        parameters = {"op": draw(st.sampled_from((">=", ">", "<=", "<"))),
                      "value": float(draw(st.integers(1, 5)))}
    elif rule == "scale":
        parameters = {"target": float(draw(st.integers(1, 6)))}
    elif rule in ("deduct", "count"):
        parameters = {"per": draw(st.sampled_from((0.5, 1.0, 2.5, 3.0)))}
    elif rule == "steps":
        thresholds = sorted(draw(st.sets(st.integers(1, 6), min_size=1, max_size=3)))
        parameters = {"steps": tuple(
            (float(threshold), float(draw(st.integers(0, int(maximum)))))
            for threshold in thresholds)}
    return Item(kind, name, name, maximum, rule, field=field.id,  # type: ignore[arg-type]
                **parameters), (field,)


@st.composite
def small_runs(draw: st.DrawFn) -> tuple[Rubric, dict[str, Any]]:
    """A rubric of 2-3 indicators, maybe a bonus and a penalty, and one branch's values."""
    indicators, fields = [], []
    for number in range(draw(st.integers(2, 3))):
        item, own = draw(small_item("indicator", number))
        indicators.append(attrs.evolve(item, section="main"))
        fields.extend(own)
    extras: dict[str, list[Item]] = {"bonus": [], "penalty": []}
    for kind in ("bonus", "penalty"):
        if draw(st.booleans()):
            item, own = draw(small_item(kind, 0))
            extras[kind].append(item)
            fields.extend(own)
    total = sum(item.max for item in indicators)
    cuts = sorted(draw(st.sets(st.integers(1, 99), min_size=1, max_size=2)), reverse=True)
    minimums = sorted({round(total * cut / 100, 2) for cut in cuts}, reverse=True)
    rubric = Rubric(
        id="small", title="small", total=total, fields=tuple(fields),
        sections=(Section("main", "main", total),), indicators=tuple(indicators),
        grades=(*(Grade(f"G{index}", minimum) for index, minimum in enumerate(minimums)),
                Grade("last", 0.0)),
        bonuses=tuple(extras["bonus"]), penalties=tuple(extras["penalty"]),
        bonus_cap=float(draw(st.sampled_from((1, 3, 20)))), precision=2,
    )
    values = {field.id: draw(st.sampled_from(DOMAINS[field.type])) for field in fields}
    return rubric, values


def _grades_of(rubric: Rubric, records: list[dict[str, Any]]) -> np.ndarray:
    scores = score(rubric, make_checklists(rubric, records))
    totals = scores.branches["total"].to_numpy(dtype=np.float64)
    caps = scores.branches["veto_cap"].to_numpy(dtype=np.int64)
    return np.maximum(grade_by_total(rubric, totals), caps)


def _record(values: dict[str, Any], branch: str = "B1") -> dict[str, Any]:
    return {"branch_id": branch, "branch_name": "", **values}


def _some_subset_reaches(rubric: Rubric, values: dict[str, Any], size: int, target: int) -> bool:
    """Brute force: does any assignment of the fields of any ``size`` items reach ``target``?"""
    for subset in itertools.combinations(rubric.items, size):
        fields = [field_id for item in subset for field_id in item.input_fields]
        domains = [DOMAINS[rubric.field(field_id).type] for field_id in fields]
        records = [
            _record({**values, **dict(zip(fields, combo, strict=True))}, f"C{index}")
            for index, combo in enumerate(itertools.product(*domains))
        ]
        if (_grades_of(rubric, records) <= target).any():
            return True
    return False


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_runs())
def test_suggested_values_lift_the_branch_and_no_smaller_set_can(
    run: tuple[Rubric, dict[str, Any]],
) -> None:
    """Applying the suggested values lifts the branch to at least the next grade, and no
    set of fewer items, whatever values its fields take, can (brute force)."""
    rubric, values = run
    checklists = make_checklists(rubric, [_record(values)])
    path = path_to_next_grade(rubric, checklists, "B1")
    current = int(_grades_of(rubric, [_record(values)])[0])
    if path.target is None:
        assert current == 0
        return
    target = current - 1
    if path.fixes:
        fixed = dict(values)
        for fix in path.fixes:
            fixed.update({change.field_id: change.after for change in fix.changes})
        assert int(_grades_of(rubric, [_record(fixed)])[0]) <= target
        smaller = len(path.fixes) - 1
    else:
        smaller = len(rubric.items)
    for size in range(1, smaller + 1):
        assert not _some_subset_reaches(rubric, values, size, target)


def test_the_path_names_the_fewest_items_with_their_values() -> None:
    """A branch far below 合格 is told the two items that lift it, and the values needed."""
    rubric = load_rubric(STREET)
    checklists = load_checklists(rubric, [SAMPLE])
    path = path_to_next_grade(rubric, checklists, "SQ07")
    expected = ("不合格", "合格", ["files", "ledgers"])
    assert expected == (path.grade, path.target, [fix.item.id for fix in path.fixes])
    changes = {change.field_id: change.after for fix in path.fixes for change in fix.changes}
    assert changes["files_status"] == "齐全"
    assert path.new_total is not None and path.new_total >= 60


def test_a_branch_one_fix_away_gets_one_item_with_its_gain() -> None:
    """88.52 with 3 absences: clearing them (+1.5) reaches 90, the fewest points needed."""
    rubric = load_rubric(STREET)
    checklists = load_checklists(rubric, [SAMPLE])
    path = path_to_next_grade(rubric, checklists, "SQ11")
    fix = path.fixes[0]
    expected = (1, "study", "study_absences", 0.0, 1.5)
    assert expected == (len(path.fixes), fix.item.id, fix.changes[0].field_id,
                        fix.changes[0].after, fix.gain)


def test_a_vetoed_branch_is_told_which_veto_blocks_it() -> None:
    """No score lifts a branch past its veto's grade: the path names the veto, not items."""
    rubric = load_rubric(STREET)
    checklists = load_checklists(rubric, [SAMPLE])
    path = path_to_next_grade(rubric, checklists, "SQ09")
    expected = (["discipline"], (), False)
    assert expected == ([veto.id for veto in path.blocking_vetoes], path.fixes, path.reachable)


def test_the_top_grade_has_no_next_grade() -> None:
    """A branch at the top grade (before quotas) has nothing to reach."""
    rubric = load_rubric(STREET)
    checklists = load_checklists(rubric, [SAMPLE])
    path = path_to_next_grade(rubric, checklists, "SQ01")
    assert (path.target, path.fixes) == (None, ())


def scored_with_fixes(rubric: Rubric, checklists: Checklists, branch: str, path: Any) -> Scores:
    """The branch scored alone with the path's suggested values written into every row."""
    frame = checklists.frame[checklists.frame["branch_id"] == branch].reset_index(drop=True)
    for fix in path.fixes:
        for change in fix.changes:
            field = rubric.field(change.field_id)
            values = [change.after] * len(frame)
            frame[field.id] = (pd.Categorical(values, categories=list(field.choices))
                               if field.type == "choice" else np.asarray(values, dtype=float))
    return score(rubric, attrs.evolve(checklists, frame=frame))


def test_several_raters_are_fixed_in_every_row() -> None:
    """With three raters the suggested values, written in every rater's row, reach the grade."""
    rubric = load_rubric(STREET)
    checklists = load_checklists(rubric, [ROOT / "samples" / "raters"])
    branch = str(checklists.frame["branch_id"].iloc[0])
    path = path_to_next_grade(rubric, checklists, branch)
    if not path.fixes:
        assert path.target is None or path.blocking_vetoes
        return
    scores = scored_with_fixes(rubric, checklists, branch, path)
    total = float(scores.branches["total"].iloc[0])
    assert path.target_min is not None and total >= path.target_min
    assert total == path.new_total


def test_a_number_field_is_raised_by_the_least_step_that_reaches() -> None:
    """A percentage is raised to the least value (to the rubric's precision) that reaches 90."""
    rubric = load_rubric(STREET)
    checklists = load_checklists(rubric, [SAMPLE])
    path = path_to_next_grade(rubric, checklists, "SQ15")
    change = path.fixes[0].changes[0]
    assert (change.field_id, path.new_total) == ("satisfaction", 90.0)
    frame = checklists.frame[checklists.frame["branch_id"] == "SQ15"].reset_index(drop=True)
    totals = []
    for value in (change.after - 0.01, change.after):
        frame["satisfaction"] = value
        scores = score(rubric, attrs.evolve(checklists, frame=frame))
        totals.append(float(scores.branches["total"].iloc[0]))
    assert totals[0] < 90.0 <= totals[1]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(runs(max_branches=3))
def test_on_any_rubric_the_suggested_values_reach_the_next_grade(run: Any) -> None:
    """Whatever the rubric (shared fields, n/a and zero blanks, raters, vetoes), writing the
    suggested values into every row of the branch gives at least the next grade."""
    rubric, checklists = run
    try:
        score(rubric, checklists)
    except ChecklistError:
        reject()  # drawn checklists that cannot be scored (nothing applicable)
    branch = str(checklists.frame["branch_id"].iloc[0])
    path = path_to_next_grade(rubric, checklists, branch)
    if not path.fixes:
        return
    scores = scored_with_fixes(rubric, checklists, branch, path)
    total = float(scores.branches["total"].iloc[0])
    cap = int(scores.branches["veto_cap"].iloc[0])
    grade = max(int(grade_by_total(rubric, np.array([total]))[0]), cap)
    assert (total, grade <= rubric.grade_index(str(path.target))) == (path.new_total, True)
