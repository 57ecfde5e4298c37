"""The bulletin: every sentence checked against the numbers it was made from."""

from __future__ import annotations

import datetime
import re
import sys
from pathlib import Path

import docx
import numpy as np
import pytest

from inspect_score.checklists.load import load_checklists
from inspect_score.followup.bulletin import (
    TEXT_PLACEHOLDERS,
    Bulletin,
    TemplateError,
    build_bulletin,
    chinese_numeral,
    docx_bytes,
    load_template,
    markdown_text,
    write_bulletin,
)
from inspect_score.rubric.loader import load_rubric
from inspect_score.scoring.pipeline import evaluate
from inspect_score.scoring.results import Results
from inspect_score.scoring.rounding import round_points

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).parent.parent
TEMPLATES = ROOT / "src" / "inspect_score" / "followup" / "templates"
BUNDLED_ZH = TEMPLATES / "bulletin_zh.toml"
GOLDEN = Path(__file__).parent / "data" / "golden"
CASES = sorted(path.name for path in GOLDEN.iterdir() if path.is_dir())
SAMPLE_RUBRIC = ROOT / "rubrics" / "street-2025-h1.toml"
SAMPLE_CHECKLIST = ROOT / "samples" / "街道社区2025上半年.csv"

#: A template whose problem sentences can be taken apart exactly: names in [brackets].
PARSEABLE = {
    "problem": "{ordinal}<{item}> count={count} lost={lost}: {names}{end}",
    "penalty": "{ordinal}<{item}> count={count} lost={lost}: {names}{end}",
    "problem_entry": "[{name}]",
    "grades": "grades: {grade_list}",
    "grade_entry": "{grade}={count}",
    "veto": "veto <{veto}>: {names}",
    "well_all": "well <{item}> {count}/{branches}",
    "well_most": "well <{item}> {count}/{branches}",
    "best": "best: {best}",
    "best_entry": "[{name}]",
}


def golden_results(case: str) -> Results:
    folder = GOLDEN / case
    rubric = load_rubric(folder / "rubric.toml")
    return evaluate(rubric, load_checklists(rubric, [folder / "checklist.csv"]))


def sample_results() -> Results:
    rubric = load_rubric(SAMPLE_RUBRIC)
    return evaluate(rubric, load_checklists(rubric, [SAMPLE_CHECKLIST]))


def parseable_template(tmp_path: Path, lang: str = "zh") -> Path:
    bundled = TEMPLATES / f"bulletin_{lang}.toml"
    document = tomllib.loads(bundled.read_text(encoding="utf-8"))
    lines = ["[words]"]
    lines += [f"{key} = {value!r}" if isinstance(value, int) else f'{key} = "{value}"'
              for key, value in document["words"].items()]
    lines.append("[text]")
    text = {**document["text"], **PARSEABLE}
    lines += [f"{key} = '{value}'" for key, value in text.items()]
    path = tmp_path / "parseable.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def shown_name(results: Results) -> dict[str, str]:
    branches = results.scores.branches
    return {branch: name or branch for branch, name in
            zip(branches["branch_id"], branches["branch_name"], strict=True)}


def losers(results: Results, item_id: str) -> dict[str, float]:
    """Branch → points lost on the item, straight from the points (not from the findings)."""
    item = next(item for item in results.rubric.items if item.id == item_id)
    points = results.scores.points[item.id].to_numpy(dtype=np.float64)
    lost = (round_points(item.max - points, results.rubric.precision)
            if item.kind == "indicator" else points)
    ids = results.scores.branches["branch_id"].to_numpy(dtype=object)
    return {str(branch): float(value) for branch, value in zip(ids, lost, strict=True)
            if value > 0}


@pytest.mark.parametrize("case", CASES)
def test_every_branch_named_in_a_problem_lost_points_on_that_item(case: str,
                                                                  tmp_path: Path) -> None:
    """Each problem sentence names exactly the branches that lost points on its item, with
    the right count and total lost; items are ordered most widespread first."""
    results = golden_results(case)
    template = load_template(parseable_template(tmp_path), "zh")
    bulletin = build_bulletin(results, template)
    names = shown_name(results)
    titles = {item.id: item.title for item in results.rubric.items}
    sentences = [block for block in bulletin.blocks if block.kind == "item"]
    pattern = re.compile(r"^.+?<(?P<item>.+)> count=(?P<count>\d+) lost=(?P<lost>[\d.]+): "
                         r"(?P<names>(\[[^\]]*\](、)?)+)[；。]$")
    counts = []
    for block in sentences:
        match = pattern.match(block.text)
        assert match is not None, block.text
        expected = losers(results, block.item_id)
        named = re.findall(r"\[([^\]]*)\]", match["names"])
        assert titles[block.item_id] == match["item"]
        assert sorted(names[branch] for branch in expected) == sorted(named)
        assert len(expected) == int(match["count"])
        total = round_points(np.array([sum(expected.values())]), results.rubric.precision)[0]
        assert f"{total:.{results.rubric.precision}f}" == match["lost"]
        counts.append(len(expected))
    items_losing = {item.id for item in (*results.rubric.indicators, *results.rubric.penalties)
                    if losers(results, item.id)}
    assert items_losing == {block.item_id for block in sentences}
    assert sorted(counts, reverse=True) == counts


@pytest.mark.parametrize("case", CASES)
def test_grade_counts_scope_and_vetoes_match_the_results(case: str, tmp_path: Path) -> None:
    """The grade sentence counts every grade right, the scope counts the branches, and each
    veto sentence names exactly the vetoed branches."""
    results = golden_results(case)
    bulletin = build_bulletin(results, load_template(parseable_template(tmp_path), "zh"))
    paragraphs = bulletin.texts("paragraph")
    grades = next(text for text in paragraphs if text.startswith("grades: "))
    expected = {grade: int(count) for grade, count in
                zip(results.grade_counts["grade"], results.grade_counts["branches"],
                    strict=True)}
    actual = dict(entry.split("=") for entry in grades.removeprefix("grades: ").split("、"))
    assert expected == {grade: int(count) for grade, count in actual.items()}
    assert f"对 {len(results.ranking)} 个社区" in paragraphs[0]
    names = shown_name(results)
    for veto in results.rubric.vetoes:
        hit = results.scores.vetoes[veto.id].to_numpy(dtype=bool)
        vetoed = sorted(names[branch] for branch in
                        results.scores.branches["branch_id"].to_numpy(dtype=object)[hit])
        sentence = [text for text in paragraphs if text.startswith(f"veto <{veto.title}>: ")]
        if vetoed:
            assert sorted(sentence[0].split(": ", 1)[1].split("、")) == vetoed
        else:
            assert sentence == []


@pytest.mark.parametrize("case", CASES)
def test_what_went_well_names_only_items_most_branches_met_in_full(case: str,
                                                                   tmp_path: Path) -> None:
    """An item is praised exactly when at least 80% of the branches it applies to got full
    marks, with the right counts."""
    results = golden_results(case)
    bulletin = build_bulletin(results, load_template(parseable_template(tmp_path), "zh"))
    praised = {match[1]: (int(match[2]), int(match[3])) for text in bulletin.texts("paragraph")
               if (match := re.match(r"^well <(.+)> (\d+)/(\d+)$", text))}
    expected = {}
    for item in results.rubric.indicators:
        points = results.scores.points[item.id].to_numpy(dtype=np.float64)
        applies = int((~np.isnan(points)).sum())
        full = int((points == item.max).sum())
        if applies and full >= 0.8 * applies:
            expected[item.title] = (full, applies)
    assert expected == praised


def test_best_branches_are_the_best_totals_not_vetoed(tmp_path: Path) -> None:
    """The best-branches sentence names the three best totals among branches not vetoed."""
    results = sample_results()
    bulletin = build_bulletin(results, load_template(parseable_template(tmp_path), "zh"))
    best = next(text for text in bulletin.texts("paragraph") if text.startswith("best: "))
    assert re.findall(r"\[([^\]]*)\]", best) == ["幸福里社区", "东湖社区", "柳园社区"]


def test_problems_are_numbered_in_chinese_and_end_like_a_list() -> None:
    """With the bundled zh template, problems read 一是…；二是…；…。 one paragraph each,
    each naming its branches on the same line."""
    results = sample_results()
    bulletin = build_bulletin(results, deadline=datetime.date(2025, 9, 30))
    items = bulletin.texts("item")
    assert [f"{chinese_numeral(n)}是" for n in range(1, len(items) + 1)] == [
        text.split("是", 1)[0] + "是" for text in items]
    assert all(text.endswith("；") for text in items[:-1])
    assert items[-1].endswith("。")
    assert all("\n" not in text for text in items)
    assert "积极分子培养（满分 6 分）有 2 个社区失分" in items[-3]
    assert "和平社区（入党积极分子人数 0，应不少于 1）、南苑社区" in items[-3]
    assert "于2025年9月30日前完成整改" in bulletin.texts("paragraph")[-1]


def test_without_a_deadline_the_closing_sets_none() -> None:
    """No --deadline: the closing paragraph asks for rectification within the time set."""
    bulletin = build_bulletin(sample_results())
    assert "限期完成" in bulletin.texts("paragraph")[-1]


def test_an_english_template_gives_english_sentences() -> None:
    """The English template numbers problems (1), (2)… and counts branches in English."""
    results = golden_results("every-rule")
    english = build_bulletin(results, load_template(None, "en"))
    assert english.texts("heading")[0] == "1. Scope"
    assert english.texts("item")[0].startswith("(1) ")
    assert f"scored {len(results.ranking)} branches." in english.texts("paragraph")[0]


@pytest.mark.parametrize("number, expected", [
    (1, "一"), (9, "九"), (10, "十"), (11, "十一"), (20, "二十"), (23, "二十三"),
    (100, "一百"), (105, "一百零五"), (110, "一百一十"), (999, "九百九十九"),
])
def test_chinese_numerals(number: int, expected: str) -> None:
    """Problems are counted as a Chinese report counts them."""
    assert expected == chinese_numeral(number)


def test_markdown_has_headings_a_table_and_escaped_cells() -> None:
    """Markdown: # title, ## parts, a pipe table with a row per branch, "|" escaped."""
    results = sample_results()
    bulletin = build_bulletin(results)
    text = markdown_text(bulletin)
    assert text.startswith("# 关于社区党建工作半年检查考评细则考评情况的通报\n")
    assert text.count("\n## ") == 6
    table_rows = [line for line in text.splitlines() if line.startswith("| ")]
    assert len(results.ranking) + 1 == len(table_rows)
    assert all(line.count(" | ") == table_rows[0].count(" | ") for line in table_rows)


def test_docx_opens_with_headings_table_and_one_paragraph_per_problem(tmp_path: Path) -> None:
    """The .docx opens in python-docx: a Title, Heading 1 parts, the results table, every
    problem as a paragraph of its own, pinned core dates."""
    bulletin = build_bulletin(sample_results(), deadline=datetime.date(2025, 9, 30))
    path = tmp_path / "通报.docx"
    write_bulletin(bulletin, path)
    document = docx.Document(str(path))
    styles = [(paragraph.style.name, paragraph.text) for paragraph in document.paragraphs]
    assert ("Title", bulletin.title) == styles[0]
    assert bulletin.texts("heading") == [text for style, text in styles if style == "Heading 1"]
    texts = [text for _, text in styles]
    assert all(item in texts for item in bulletin.texts("item"))
    table = next(block for block in bulletin.blocks if block.kind == "table")
    assert [list(row) for row in table.rows] == [
        [cell.text for cell in row.cells] for row in document.tables[0].rows]
    assert datetime.datetime(2000, 1, 1, tzinfo=datetime.timezone.utc) == \
        document.core_properties.created


def test_the_same_results_give_the_same_docx_bytes() -> None:
    """Reproducible: two drafts of the same results are byte-identical."""
    first = docx_bytes(build_bulletin(sample_results()))
    second = docx_bytes(build_bulletin(sample_results()))
    assert first == second


def test_bundled_templates_use_only_known_placeholders() -> None:
    """Both bundled templates load, with every sentence the bulletin needs."""
    for lang in ("zh", "en"):
        template = load_template(None, lang)  # type: ignore[arg-type]
        assert set(TEXT_PLACEHOLDERS) == set(template.text)


def test_a_template_placeholder_the_results_cannot_fill_is_an_error(tmp_path: Path) -> None:
    """A reworded template naming {secretary} (not in the results) and missing a sentence
    is refused with codes and key paths, never drafted with holes."""
    bundled = BUNDLED_ZH.read_text(encoding="utf-8")
    broken = bundled.replace('problem_entry = "{name}（{note}）"',
                             'problem_entry = "{name}（{secretary}）"')
    broken = re.sub(r"^vetoes_none = .*$", "", broken, flags=re.MULTILINE)
    path = tmp_path / "mine.toml"
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(TemplateError) as raised:
        load_template(path, "zh")
    found = {(issue.code, issue.key) for issue in raised.value.issues}
    assert {("template-placeholder-unknown", "text.problem_entry"),
            ("template-key-missing", "text.vetoes_none")} == found


def test_a_reworded_template_changes_only_the_words(tmp_path: Path) -> None:
    """An office's rewording is used as it is: 存在问题 becomes 发现的问题."""
    bundled = BUNDLED_ZH.read_text(encoding="utf-8")
    path = tmp_path / "mine.toml"
    path.write_text(bundled.replace("四、存在问题", "四、发现的问题"), encoding="utf-8")
    bulletin: Bulletin = build_bulletin(sample_results(), load_template(path, "zh"))
    assert "四、发现的问题" in bulletin.texts("heading")
