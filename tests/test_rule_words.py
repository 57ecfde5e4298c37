"""Rules, clauses and conditions in words: the form and ``compare`` say a rule alike."""

from __future__ import annotations

from pathlib import Path

import attrs
from hypothesis import given
from hypothesis import strategies as st

from inspect_score.rubric.loader import load_rubric
from inspect_score.rubric.model import Condition, Item, Rubric
from inspect_score.scoring.rule_words import (
    cap_text,
    clause_name,
    clause_text,
    condition_text,
    quoted,
    rule_text,
)
from inspect_score.selfcheck.template import rubric_in_words
from inspect_score.tuning.rubric_diff import diff_rubrics

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = ROOT / "rubrics"
SCHEMA_2_BASIC = ROOT / "tests" / "data" / "rubrics" / "schema2-basic.toml"


def item(rubric: Rubric, item_id: str) -> Item:
    return next(each for each in rubric.items if each.id == item_id)


def explained(rubric: Rubric) -> str:
    return "\n".join(text for _, text in rubric_in_words(rubric))


def test_compare_states_a_changed_rule_as_the_form_explains_it() -> None:
    """Every rule compare reports changed, from the half-year rubric to the star rating,
    reads word for word as each rubric's self-check form explains it."""
    old = load_rubric(BUNDLED / "street-2025-h1.toml")
    new = load_rubric(BUNDLED / "stars-2025.toml")
    edits = [edit for edit in diff_rubrics(old, new)
             if edit.code in ("item-rule", "item-parameters")]
    assert edits
    for edit in edits:
        assert edit.old in explained(old) and edit.new in explained(new), edit.text


def test_a_penalty_counted_per_case_takes_points() -> None:
    """A ``count`` penalty takes its points per case, up to its max (never "得")."""
    rubric = load_rubric(BUNDLED / "street-2025-h1.toml")
    assert rule_text(rubric, item(rubric, "cases")) == "受党纪处分人次每人次扣5分，最多扣10分"


def test_a_clause_says_what_it_counts_in_its_unit_and_its_cap_apart() -> None:
    """A shortfall clause counts in the field's unit; its cap is a text of its own, "" where
    the clause has none; a bonus's clause adds."""
    rubric = load_rubric(BUNDLED / "street-2025-h2.toml")
    meetings = item(rubric, "three_meetings")
    assert [clause_text(rubric, meetings, clause) for clause in meetings.clauses[1:3]] == [
        "党员大会次数不足2次的，每少1次扣2分", "党小组会次数不足6次的，每少1次扣0.5分"]
    assert [cap_text(rubric, meetings, clause) for clause in meetings.clauses[1:3]] == [
        "", "最多扣3分"]
    honours = item(rubric, "honours")
    assert clause_text(rubric, honours, honours.clauses[0]) == "获得表彰为区级的，加2分"


def test_a_condition_met_by_any_of_several_values_names_the_field_once() -> None:
    """``is = ["教学", "非教学"]`` reads "单位类型为教学或非教学"; a single value, or another
    operator, reads ``label op value``."""
    rubric = load_rubric(SCHEMA_2_BASIC)
    either = Condition("unit_type", "==", ("教学", "非教学"))
    assert condition_text(rubric, either) == "单位类型为教学或非教学"
    assert condition_text(attrs.evolve(rubric, lang="en"), either) == "单位类型 is 教学 or 非教学"
    assert condition_text(rubric, Condition("unit_type", "!=", ("教学",))) == "单位类型不为教学"


def test_a_title_is_quoted_once() -> None:
    """A title gets Chinese quotation marks; one the rubric already quoted keeps its own,
    and quotes inside a title become single ones, as quotes within quotes are written."""
    assert quoted("党员发展") == "“党员发展”"
    assert quoted("“三会一课”") == "“三会一课”"
    assert quoted("落实“三会一课”制度") == "“落实‘三会一课’制度”"
    assert quoted("“三会一课”和“主题党日”") == "“‘三会一课’和‘主题党日’”"
    assert clause_name("“三会一课”", 2) == "“三会一课”第2条"
    assert clause_name("Meetings", 2, "en") == "Meetings, clause 2"


@given(st.text(alphabet="“”三会一课ab ", max_size=12))
def test_a_quoted_title_never_doubles_its_quotation_marks(title: str) -> None:
    """Whatever quotation marks a title holds, it is quoted by exactly one outer pair:
    never “” twice in a row, and no double mark inside."""
    shown = quoted(title)
    assert shown.startswith("“") and shown.endswith("”")
    assert "““" not in shown and "””" not in shown
    assert "“" not in shown[1:-1] and "”" not in shown[1:-1]
