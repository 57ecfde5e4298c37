"""Rules, clauses and conditions in words: the form and ``compare`` say a rule alike."""

from __future__ import annotations

from pathlib import Path

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from inspect_score.rubric.loader import load_rubric
from inspect_score.rubric.model import Condition, Field, Item, Rubric
from inspect_score.scoring.labels import field_name, labels_for, unit_of
from inspect_score.scoring.rule_words import (
    cap_text,
    clause_name,
    clause_text,
    condition_text,
    describe_condition,
    quoted,
    rule_text,
)
from inspect_score.selfcheck.template import rubric_in_words
from inspect_score.tuning.rubric_diff import diff_rubrics

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = ROOT / "rubrics"
SCHEMA_2_BASIC = ROOT / "tests" / "data" / "rubrics" / "schema2-basic.toml"
UNITS = load_rubric(ROOT / "tests" / "data" / "rubrics" / "schema2-units.toml")


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


def clauses_of(rubric: Rubric, item_id: str) -> list[str]:
    found = item(rubric, item_id)
    return [clause_text(rubric, found, clause) for clause in found.clauses]


def test_a_percentage_falls_short_in_percentage_points_below_a_percentage() -> None:
    """A field of percentages ("报到率(%)") is named without its "(%)", its requirement
    carries the "%", and it falls short 低于 the requirement, in 个百分点: never "不足90次"."""
    assert clauses_of(UNITS, "service")[0] == "在职党员报到率低于90%的，每低1个百分点扣0.5分"


def test_a_rate_of_at_most_100_is_a_percentage_wherever_a_rule_states_it() -> None:
    """A 率 field of max 100 ("居民满意率") holds percentages too, though its label has no
    "%": its scale target, its veto and a condition on it carry the "%", and a level is
    不低于 a percentage, not 不少于 it."""
    satisfaction = item(UNITS, "satisfaction_item")
    assert rule_text(UNITS, satisfaction) == "按居民满意率与100%之比计分，达到100%得满分80分"
    assert describe_condition(UNITS, "satisfaction", "<", 60.0) == "居民满意率低于60%"
    assert clauses_of(UNITS, "publicity")[1] == "在职党员报到率不低于100%的，加1分"


def test_a_count_is_said_in_the_measure_word_of_its_label() -> None:
    """Each count in its own unit: 每篇, 每例, 每人次, 户, and a unit named in brackets
    ("后备干部（名）") left to the number ("不足3名")."""
    assert clauses_of(UNITS, "publicity")[0] == "市级以上媒体报道篇数每篇加0.5分"
    assert clauses_of(UNITS, "team")[:2] == ["后备干部不足3名的，每少1名扣1分",
                                             "发展党员程序不规范例数每例扣2分"]
    assert clauses_of(UNITS, "service")[1] == "走访困难群众户数不足20户的，每少1户扣0.5分"
    assert clauses_of(UNITS, "discipline") == ["委员受处分人次每人次扣5分"]


@pytest.mark.parametrize(("label", "unit"), [
    ("市级以上媒体报道篇数", "篇"), ("发展党员程序不规范例数", "例"), ("欠缴党费人数", "人"),
    ("支委会次数", "次"), ("不符合三审制度票据笔数", "笔"), ("党小组个数", "个"),
    ("信访件数", "件"), ("走访户数", "户"), ("资料记录不规范项数", "项"),
    ("书记受处分人次", "人次"), ("委员受处分人次数", "人次"), ("后备干部（名）", "名"),
    ("后备干部(名)", "名"), ("志愿服务小时数", "小时"), ("党员大会召开情况", "次"),
])
def test_a_label_names_its_unit_by_its_measure_word(label: str, unit: str) -> None:
    """The measure word before 数 (or in a trailing bracket, or a compound such as 人次) is
    the unit; a label naming none counts in 次."""
    assert unit_of(labels_for("zh"), Field(id="f", type="int", label=label)) == unit


@pytest.mark.parametrize(("label", "maximum", "unit", "name"), [
    ("在职党员报到率(%)", None, "个百分点", "在职党员报到率"),
    ("居民满意率（%）", None, "个百分点", "居民满意率"),
    ("居民满意率", 100.0, "个百分点", "居民满意率"),
    ("出勤率", 1.0, "次", "出勤率"),
    ("后备干部（名）", None, "名", "后备干部"),
    ("得分（酌情）", None, "次", "得分（酌情）"),
])
def test_a_percentage_or_a_bracketed_unit_leaves_the_label_for_the_number(
        label: str, maximum: float | None, unit: str, name: str) -> None:
    """A label marked with % (or a 率 of at most 100) holds percentages, counted in
    个百分点; the rules name the field without the "(%)" or the bracketed unit the number
    then carries; a bracket that names no unit stays; a rate of at most 1 is no percentage."""
    field = Field(id="f", type="number", label=label, max=maximum)
    assert (unit_of(labels_for("zh"), field), field_name(labels_for("zh"), field)) == (unit, name)
