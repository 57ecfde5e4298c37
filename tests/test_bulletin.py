"""The bulletin: every sentence checked against the numbers it was made from."""

from __future__ import annotations

import datetime
import re
import sys
import zipfile
from pathlib import Path

import attrs
import docx
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from inspect_score.checklists.load import load_checklists
from inspect_score.followup.bulletin import (
    TEXT_PLACEHOLDERS,
    Bulletin,
    Masthead,
    TemplateError,
    build_bulletin,
    chinese_numeral,
    joined_names,
    load_template,
    markdown_text,
    write_bulletin,
)
from inspect_score.followup.official_docx import (
    FACES,
    MARGINS_MM,
    W,
    docx_bytes,
    line_width,
    text_width_mm,
    title_lines,
)
from inspect_score.outputs.print_style import display_width
from inspect_score.rubric.loader import load_rubric
from inspect_score.scoring.labels import plain_number
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
MASTHEAD = Masthead(period="2025年上半年", subject="社区党建工作", issuer="某某街道党工委",
                    recipients="各社区党组织", date=datetime.date(2025, 9, 1))
CJK_SPACE_DIGIT = re.compile(
    r"[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef] +[0-9]|[0-9] +[\u4e00-\u9fff]")

#: A template whose problem sentences can be taken apart exactly: names in [brackets].
PARSEABLE = {
    "problem": "{ordinal}<{item}> count={count}: {groups}{end}",
    "problem_group": "{{{names}}}={problem}",
    "grades": "grades: {grade_list}",
    "grade_entry": "{grade}={count}",
    "veto": "veto <{veto}>: {names}",
    "veto_excluded": "veto <{veto}>: {names}",
    "veto_zero": "veto <{veto}>: {names}",
    "veto_zero_ungraded": "veto <{veto}>: {names}",
    "well_all": "well <{item}> {count}/{branches}",
    "well_most": "well <{item}> {count}/{branches}",
    "well_most_each": "well <{item}> {count}/{branches}",
    "well_all_some": "well <{item}> {count}/{branches}",
    "well_most_some": "well <{item}> {count}/{branches}",
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
    # names are listed in full: no name ends in this noun
    words = {**document["words"], "noun": "单位", "group_separator": "|"}
    lines += [f"{key} = {value!r}" if isinstance(value, int) else f'{key} = "{value}"'
              for key, value in words.items()]
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
    """Each problem entry names exactly the branches that lost points on its item, each
    under the problems it has (under schema 2 a branch may have several, one per clause),
    never twice in one group, groups with the most branches first; items with the most
    branches first."""
    results = golden_results(case)
    template = load_template(parseable_template(tmp_path), "zh")
    bulletin = build_bulletin(results, template)
    names = shown_name(results)
    titles = {item.id: item.title for item in results.rubric.items}
    sentences = [block for block in bulletin.blocks if block.kind == "item"]
    pattern = re.compile(r"^.+?<(?P<item>.+)> count=(?P<count>\d+): (?P<groups>.+)[；。]$")
    counts = []
    for block in sentences:
        match = pattern.match(block.text)
        assert match is not None, block.text
        expected = losers(results, block.item_id)
        groups = [re.fullmatch(r"\{(.*)\}=(.*)", group) for group in match["groups"].split("|")]
        assert all(group is not None for group in groups), block.text
        named = [name for group in groups if group for name in group[1].split("、")]
        sizes = [len(group[1].split("、")) for group in groups if group]
        assert titles[block.item_id] == match["item"]
        assert sorted(names[branch] for branch in expected) == sorted(set(named))
        assert all(len(set(group[1].split("、"))) == len(group[1].split("、"))
                   for group in groups if group)
        assert len(expected) == int(match["count"])
        assert sorted(sizes, reverse=True) == sizes
        counts.append(len(expected))
    items_losing = {item.id for item in (*results.rubric.indicators, *results.rubric.penalties)
                    if losers(results, item.id)}
    assert items_losing == {block.item_id for block in sentences}
    assert sorted(counts, reverse=True) == counts


@pytest.mark.parametrize("case", CASES)
def test_grade_counts_scope_and_vetoes_match_the_results(case: str, tmp_path: Path) -> None:
    """The grade sentence counts every grade a branch holds, and the branches a veto
    excluded under the veto's label, so that its counts add up to the branches; the
    opening counts the branches, and each veto sentence (cap, zero or exclude) names
    exactly the vetoed branches."""
    results = golden_results(case)
    bulletin = build_bulletin(results, load_template(parseable_template(tmp_path), "zh"))
    paragraphs = bulletin.texts("paragraph")
    grades = next(text for text in paragraphs if text.startswith("grades: "))
    expected = {grade: int(count) for grade, count in
                zip(results.grade_counts["grade"], results.grade_counts["branches"],
                    strict=True) if count}
    excluded = results.ranking[results.ranking["rank"].isna()]
    expected.update(excluded["grade"].value_counts().to_dict())
    assert sum(expected.values()) == len(results.ranking)
    actual = dict(entry.split("=") for entry in grades.removeprefix("grades: ").split("、"))
    assert expected == {grade: int(count) for grade, count in actual.items()}
    assert f"对{len(results.ranking)}个单位" in paragraphs[0]
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
    marks, with the right counts: branches a veto excluded, and branches where its
    applies_if does not hold (they score ``otherwise`` there), are not counted."""
    results = golden_results(case)
    bulletin = build_bulletin(results, load_template(parseable_template(tmp_path), "zh"))
    praised = {title: (int(match[2]), int(match[3])) for text in bulletin.texts("paragraph")
               if (match := re.match(r"^well <(.+)> (\d+)/(\d+)$", text))
               for title in match[1].split("、")}
    assert praised == expected_praise(results)


def expected_praise(results: Results) -> dict[str, tuple[int, int]]:
    """Item title → (branches with full marks, branches it applies to), for the items at
    least 80% of the branches they apply to met in full."""
    from inspect_score.checklists.conditions import applies_if_mask

    ranked = ~results.scores.branches["excluded"].to_numpy(dtype=bool)
    owners = results.scores.row_branch.to_numpy(dtype=np.int64)
    expected = {}
    for item in results.rubric.indicators:
        points = results.scores.points[item.id].to_numpy(dtype=np.float64)
        holds = applies_if_mask(results.rubric, item, results.checklists.frame)[0]
        holding = np.zeros(len(points), dtype=bool)
        holding[owners[holds]] = True
        applies = ranked & ~np.isnan(points) & holding
        full = int((applies & (points == item.max)).sum())
        if applies.sum() and full >= 0.8 * applies.sum():
            expected[item.title] = (full, int(applies.sum()))
    return expected


def test_what_went_well_leaves_out_branches_an_item_does_not_apply_to(tmp_path: Path) -> None:
    """配备专职党务副书记 applies only where the secretary is also the director (一肩挑):
    two of fifteen 社区, one of which has no deputy. The thirteen others score it in full
    without being asked: they are no sign it went well, so the item is not praised; nor is
    桂花社区, excluded by a veto, counted among the fourteen ranked."""
    rubric = load_rubric(H2_RUBRIC)
    results = evaluate(rubric, load_checklists(rubric, [H2_CHECKLIST]))
    praised = expected_praise(results)
    assert "配备专职党务副书记" not in praised
    assert {counts[1] for counts in praised.values()} == {14}
    bulletin = build_bulletin(results, load_template(parseable_template(tmp_path), "zh"))
    shown = {title: (int(match[2]), int(match[3])) for text in bulletin.texts("paragraph")
             if (match := re.match(r"^well <(.+)> (\d+)/(\d+)$", text))
             for title in match[1].split("、")}
    assert shown == praised


def test_what_went_well_reads_as_a_report_says_it() -> None:
    """No statistics ("党费收缴：13个社区达标（共15个）"): a sentence, the items met in full by
    as many 社区 said together ("各有12个社区"), every 社区 "各社区……均……", an item that
    applies to some only "涉及……的2个社区……"."""
    heading = "（二）做得较好的方面"
    text = markdown_text(h2_bulletin())
    praise = text.split(heading)[1].split("## ")[0].strip()
    assert praise == "党费收缴、积极分子培养各有12个社区达到考评要求。"
    template = load_template(None, "zh")
    assert template.say("well_all", item="党费收缴、财务管理", count=7, branches=7) == \
        "各社区党费收缴、财务管理均达到考评要求。"
    assert template.say("well_most", item="党员发展", count=6, branches=7) == \
        "6个社区党员发展达到考评要求。"
    assert template.say("well_all_some", item="配备专职党务副书记", count=2, branches=2) == \
        "涉及配备专职党务副书记的2个社区均达到考评要求。"


def test_best_branches_are_the_best_totals_not_vetoed(tmp_path: Path) -> None:
    """The best-branches sentence names the three best totals among branches not vetoed."""
    results = sample_results()
    bulletin = build_bulletin(results, load_template(parseable_template(tmp_path), "zh"))
    best = next(text for text in bulletin.texts("paragraph") if text.startswith("best: "))
    assert re.findall(r"\[([^\]]*)\]", best) == ["幸福里社区", "东湖社区", "柳园社区"]


def test_a_branch_with_a_penalty_is_never_named_among_the_best(tmp_path: Path) -> None:
    """SQ12 lost 5 points to a 党纪处分 (直接扣分): however many best branches are named,
    it is not one of them; the branches named have no veto and no penalty."""
    results = sample_results()
    bulletin = build_bulletin(results, load_template(parseable_template(tmp_path), "zh"),
                              best=14)
    best = next(text for text in bulletin.texts("paragraph") if text.startswith("best: "))
    named = set(re.findall(r"\[([^\]]*)\]", best))
    ranking = results.ranking.set_index("branch_name")
    assert "SQ12" in set(ranking.loc[ranking["penalty"] > 0, "branch_id"])
    assert named and (ranking.loc[sorted(named), "penalty"] == 0).all()
    assert (ranking.loc[sorted(named), "vetoed"] == "").all()
    assert ranking.index[ranking["branch_id"] == "SQ12"][0] not in named


def test_problems_read_as_a_report_states_them() -> None:
    """With the bundled zh template, problems read as the sub-district's own report:
    "一是{headline}，柳园、清河、春晖、文昌社区{problem}，…；" with the most widespread
    problem first, names shortened where all end in 社区, the last entry ending in "。"."""
    results = sample_results()
    bulletin = build_bulletin(results, masthead=MASTHEAD, deadline=datetime.date(2025, 9, 30))
    items = bulletin.texts("item")
    assert [f"{chinese_numeral(n)}是" for n in range(1, len(items) + 1)] == [
        text.split("是", 1)[0] + "是" for text in items]
    assert all(text.endswith("；") for text in items[:-1])
    assert items[-1].endswith("。")
    assert all("\n" not in text for text in items)
    learning = next(text for text in items if "学习教育方面存在不足" in text)
    assert "是学习教育方面存在不足，柳园、清河、春晖、文昌社区学习教育扣2分，东湖、桂花、和平社区" \
        in learning
    assert "于2025年9月30日前完成整改" in bulletin.texts("paragraph")[-1]


def test_no_standard_deviation_and_no_sums_of_points_across_branches() -> None:
    """The bulletin reports no 标准差 and never adds up points lost by different branches."""
    text = markdown_text(build_bulletin(sample_results(), masthead=MASTHEAD))
    assert "标准差" not in text
    assert "共失" not in text and "共扣" not in text


@pytest.mark.parametrize("names, expected", [
    (["幸福里社区", "东湖社区"], "幸福里、东湖社区"),
    (["幸福里社区"], "幸福里社区"),
    (["幸福里社区", "东湖村"], "幸福里社区、东湖村"),
    (["社区", "东湖社区"], "社区、东湖社区"),
])
def test_names_are_shortened_where_all_end_in_the_noun(names: list[str], expected: str) -> None:
    """"幸福里、东湖社区": the noun is said once where every name ends in it."""
    assert expected == joined_names(names, load_template(None, "zh"))


def test_the_title_names_the_period_and_subject_never_the_rubric() -> None:
    """关于{period}{subject}考评情况的通报; without them a blank to fill in, not the rubric's
    title; the 主送 line, the 落款 and the date as given."""
    results = sample_results()
    given = build_bulletin(results, masthead=MASTHEAD)
    assert given.title == "关于2025年上半年社区党建工作考评情况的通报"
    assert given.texts("recipients") == ["各社区党组织："]
    assert (given.texts("issuer"), given.texts("date")) == (["某某街道党工委"], ["2025年9月1日"])
    blank = build_bulletin(results)
    assert blank.title == "关于________________考评情况的通报"
    assert results.rubric.title not in blank.title
    assert blank.texts("recipients") == ["________："]
    assert blank.texts("issuer") == ["________"]
    assert blank.texts("date") == ["____年__月__日"]


def test_no_ascii_space_between_chinese_and_numbers() -> None:
    """"15个社区", "84.1分": no Western space between Chinese text and a number anywhere."""
    bulletin = build_bulletin(sample_results(), masthead=MASTHEAD,
                              deadline=datetime.date(2025, 9, 30))
    texts = [block.text for block in bulletin.blocks if block.kind != "table"]
    assert [text for text in texts if CJK_SPACE_DIGIT.search(text)] == []
    assert "15个社区" in texts[2]


def test_without_a_deadline_the_closing_sets_none() -> None:
    """No --deadline: the closing paragraph asks for rectification within the time set."""
    bulletin = build_bulletin(sample_results())
    assert "限期完成" in bulletin.texts("paragraph")[-1]


def test_headings_are_numbered_in_order() -> None:
    """一级 headings 一、二、…, 二级 （一）（二）… restarting under each."""
    bulletin = build_bulletin(sample_results())
    assert bulletin.texts("heading") == \
        ["一、考评结果", "二、存在问题", "三、一票否决情形", "四、整改要求"]
    assert bulletin.texts("subheading") == ["（一）总体情况", "（二）做得较好的方面"]


def test_an_english_template_gives_english_sentences() -> None:
    """The English template numbers problems (1), (2)… and counts branches in English."""
    results = golden_results("every-rule")
    english = build_bulletin(results, load_template(None, "en"))
    assert english.texts("heading")[0] == "1. Results"
    assert english.texts("item")[0].startswith("(1) ")
    assert f"of {len(results.ranking)} branches" in english.texts("paragraph")[0]


@pytest.mark.parametrize("number, expected", [
    (1, "一"), (9, "九"), (10, "十"), (11, "十一"), (20, "二十"), (23, "二十三"),
    (100, "一百"), (105, "一百零五"), (110, "一百一十"), (999, "九百九十九"),
])
def test_chinese_numerals(number: int, expected: str) -> None:
    """Problems are counted as a Chinese report counts them."""
    assert expected == chinese_numeral(number)


def test_markdown_keeps_the_same_text_as_the_document() -> None:
    """Markdown: # title, ## 一级, ### 二级, every block's text as it is, a pipe table with a
    row per branch."""
    results = sample_results()
    bulletin = build_bulletin(results, masthead=MASTHEAD)
    text = markdown_text(bulletin)
    assert text.startswith("# 关于2025年上半年社区党建工作考评情况的通报\n")
    assert text.count("\n## ") == 5  # four headings and the appendix's title
    assert text.count("\n### ") == 2
    assert all(block.text in text for block in bulletin.blocks if block.kind != "table")
    table_rows = [line for line in text.splitlines() if line.startswith("| ")]
    assert len(results.ranking) + 1 == len(table_rows)
    assert all(line.count(" | ") == table_rows[0].count(" | ") for line in table_rows)


def _docx(tmp_path: Path, masthead: Masthead = MASTHEAD) -> tuple[Bulletin, docx.Document]:
    bulletin = build_bulletin(sample_results(), masthead=masthead,
                              deadline=datetime.date(2025, 9, 30))
    path = tmp_path / "通报.docx"
    write_bulletin(bulletin, path)
    return bulletin, docx.Document(str(path))


def _east_asian_font(style: object) -> str | None:
    fonts = style.element.rPr.rFonts  # type: ignore[attr-defined]
    return fonts.get(docx.oxml.ns.qn("w:eastAsia"))  # type: ignore[no-any-return]


def test_docx_page_is_a4_with_the_official_margins(tmp_path: Path) -> None:
    """A4 portrait, margins 37/35/28/26 mm, page numbers "— PAGE —" at the foot."""
    _, document = _docx(tmp_path)
    section = document.sections[0]
    millimetres = [round(length.mm) for length in (
        section.page_width, section.page_height, section.top_margin, section.bottom_margin,
        section.left_margin, section.right_margin)]
    assert millimetres == [210, 297, 37, 35, 28, 26]
    footer = section.footer.paragraphs[0]
    assert footer.text.startswith("— ") and footer.text.endswith(" —")
    assert "PAGE" in footer._p.xml


def test_docx_fonts_and_sizes_follow_each_paragraph_role(tmp_path: Path) -> None:
    """Title 2号 (22 pt) 小标宋 centred; 主送, body, 附件说明, 落款 3号 (16 pt) 仿宋 on a fixed
    28-pt line; 一级标题 黑体, 二级标题 楷体; 落款 and date right-aligned."""
    bulletin, document = _docx(tmp_path)
    # a title may be broken into lines (python-docx reads a line break as "\n")
    roles = {paragraph.text.replace("\n", ""): paragraph.style
             for paragraph in document.paragraphs}
    title = roles[bulletin.title]
    assert (22, FACES["title"].name) == (title.font.size.pt, _east_asian_font(title))
    assert title.paragraph_format.alignment == docx.enum.text.WD_ALIGN_PARAGRAPH.CENTER
    expected = {"recipients": "body", "paragraph": "body", "item": "body", "heading": "heading",
                "subheading": "subheading", "appendix_note": "body", "issuer": "body",
                "date": "body"}
    for kind, face in expected.items():
        for text in bulletin.texts(kind):  # type: ignore[arg-type]
            style = roles[text]
            assert (16, FACES[face].name) == (style.font.size.pt, _east_asian_font(style)), kind
            assert style.paragraph_format.line_spacing.pt == 28
            assert style.paragraph_format.line_spacing_rule == \
                docx.enum.text.WD_LINE_SPACING.EXACTLY
    for kind in ("issuer", "date"):
        assert roles[bulletin.texts(kind)[0]].paragraph_format.alignment == \
            docx.enum.text.WD_ALIGN_PARAGRAPH.RIGHT  # type: ignore[arg-type]
    shown = bulletin.texts("recipients") + bulletin.texts("issuer") + bulletin.texts("date")
    expected_lines = ["各社区党组织：", "某某街道党工委", "2025年9月1日"]
    assert expected_lines == [text for text in shown if text in roles]


def test_docx_has_no_theme_fonts_or_colours(tmp_path: Path) -> None:
    """No part of the document but the theme itself refers to the theme, and the fonts it
    names fall back to installed faces (小标宋 → 宋体)."""
    path = tmp_path / "通报.docx"
    write_bulletin(build_bulletin(sample_results(), masthead=MASTHEAD), path)
    with zipfile.ZipFile(path) as package:
        parts = {name: package.read(name) for name in package.namelist()
                 if name.startswith("word/") and name.endswith(".xml")
                 and not name.startswith("word/theme/")}
    for name, content in parts.items():
        assert re.search(rb"w:(ascii|hAnsi|eastAsia|cs)Theme=|w:theme(Color|Fill|Shade|Tint)=",
                         content) is None, name
    fonts = parts["word/fontTable.xml"].decode()
    assert re.search(r'w:name="方正小标宋简体">\s*<w:altName w:val="宋体"', fonts)


def test_docx_table_fits_with_no_name_or_number_wrapping(tmp_path: Path) -> None:
    """The appendix table is as wide as the text block at most, each column wide enough for
    its widest name or number at the table's font size; the header repeats, no row splits."""
    bulletin, document = _docx(tmp_path)
    rows = next(block for block in bulletin.blocks if block.kind == "table").rows
    table = document.tables[0]
    assert [list(row) for row in rows] == [[cell.text for cell in row.cells]
                                           for row in table.rows]
    widths = [cell.width.pt for cell in table.rows[0].cells]
    assert sum(widths) <= text_width_mm() / 25.4 * 72 + 1
    size = table.rows[1].cells[1].paragraphs[0].runs[0].font.size.pt
    for index, width in enumerate(widths):
        widest = max(display_width(row[index]) for row in rows[1:])
        assert widest * size / 2 < width - 8, (rows[0][index], widest, width)
    assert "w:tblHeader" in table.rows[0]._tr.xml
    assert all("w:cantSplit" in row._tr.xml for row in table.rows)


@pytest.mark.parametrize("branches", [15, 40])
def test_the_table_fits_at_fifteen_to_forty_branches(branches: int) -> None:
    """Long names ("东湖花园第二社区") and three-digit totals still fit without wrapping."""
    from inspect_score.followup.official_docx import column_widths

    header = ("排名", "名称", "组织建设(35)", "基础工作(35)", "财务管理(30)", "加分", "扣分",
              "总分", "等次")
    body = [(str(rank), "东湖花园第二社区", "35.00", "35.00", "29.76", "4.00", "10.00",
             "103.76", "不合格") for rank in range(1, branches + 1)]
    assert column_widths([header, *body], 10.5) is not None


def test_a_table_too_wide_for_the_page_squeezes_its_text_not_its_numbers() -> None:
    """Eleven columns (the h2 rubric's parts) do not fit a portrait page even at 小五: the
    columns of numbers keep room for their widest number (a total never breaks as
    "101.5 / 0"), the names and grades share what is left and wrap; the table fills the
    text width exactly."""
    from inspect_score.followup.official_docx import (
        DIGIT_EM,
        TABLE_PT,
        column_widths,
        squeezed_widths,
        text_width_mm,
    )

    header = ("排名", "名称", "一、组织建设(40)", "（一）三会一课(16)", "（二）队伍建设(24)",
              "二、基础工作(30)", "三、民主测评(100分，占30%)", "加分", "扣分", "总分", "等次")
    body = [(str(rank), "幸福里社区", "40.00", "16.00", "24.00", "30.00", "95.00", "3.00",
             "10.00", "101.50", "取消考核资格") for rank in range(1, 16)]
    size = TABLE_PT[-1]
    assert column_widths([header, *body], size) is None
    widths = squeezed_widths([header, *body], size)
    assert abs(sum(widths) - text_width_mm() / 25.4 * 72) < 1e-6
    # "101.50" and "10.00" each keep room for every digit
    assert widths[9] >= 6 * size * DIGIT_EM and widths[8] >= 5 * size * DIGIT_EM
    equal = text_width_mm() / 25.4 * 72 / len(header)
    assert widths[9] > equal and widths[1] < 5 * size * 1.08


def test_docx_paragraphs_have_no_space_between_chinese_and_digits(tmp_path: Path) -> None:
    """Read back from Word: no paragraph has an ASCII space between a CJK character and a
    digit."""
    _, document = _docx(tmp_path)
    assert [paragraph.text for paragraph in document.paragraphs
            if CJK_SPACE_DIGIT.search(paragraph.text)] == []
    assert MARGINS_MM["top"] == 37


def _keeps_with_next(paragraph: docx.text.paragraph.Paragraph) -> bool:
    """Keep-with-next as Word applies it: the paragraph's own setting, else its style's."""
    own = paragraph.paragraph_format.keep_with_next
    return bool(own if own is not None else paragraph.style.paragraph_format.keep_with_next)


def test_the_sign_off_never_stands_alone_on_a_page(tmp_path: Path) -> None:
    """GB/T 9704: the 落款 goes with the text. The last paragraph of the body, the 附件说明
    and the issuer keep with the next paragraph, so the issuer and the date move to a new page
    only with the end of the text; headings keep with what they head; the date does not
    (the appendix starts a page of its own)."""
    bulletin, document = _docx(tmp_path)
    paragraphs = document.paragraphs
    note = next(index for index, paragraph in enumerate(paragraphs)
                if paragraph.text == bulletin.texts("appendix_note")[0])
    date = next(index for index, paragraph in enumerate(paragraphs)
                if paragraph.text == bulletin.texts("date")[0])
    assert [_keeps_with_next(paragraph) for paragraph in paragraphs[note - 1:date + 1]] == [
        True, True, True, False]
    headings = bulletin.texts("heading") + bulletin.texts("subheading")
    assert all(_keeps_with_next(paragraph) for paragraph in paragraphs
               if paragraph.text in headings)


def test_a_long_title_breaks_between_its_phrases(tmp_path: Path) -> None:
    """GB/T 9704: a title too long for a line breaks where the sense allows, never leaving a
    word such as "通报" alone on the last line: "关于2025年上半年" / "社区党建工作考评情况的
    通报", each line centred (a line break inside the one title paragraph)."""
    bulletin, document = _docx(tmp_path)
    title = next(paragraph for paragraph in document.paragraphs
                 if paragraph.text.replace("\n", "") == bulletin.title)
    assert title.text.split("\n") == ["关于2025年上半年", "社区党建工作考评情况的通报"]
    assert document.core_properties.title == bulletin.title
    appendix = next(block for block in bulletin.blocks if block.kind == "appendix_title")
    assert title_lines(appendix.text, appendix.breaks) == [appendix.text]  # it fits


TITLE_SUBJECTS = st.text(st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5), min_size=1,
                         max_size=60)


@given(subject=TITLE_SUBJECTS, period=st.sampled_from(["", "2025年上半年", "2025年度"]))
def test_no_title_line_is_a_short_word_alone(subject: str, period: str) -> None:
    """Whatever the subject, a title's lines each fit the text block, keep every character in
    order, and none holds fewer than four characters."""
    template = load_template(None, "zh")
    text = template.say("title", period=period, subject=subject)
    lines = title_lines(text, template.breaks("title", period=period, subject=subject))
    assert "".join(lines) == text
    assert all(line_width(line, 22) <= text_width_mm() / 25.4 * 72 for line in lines)
    assert len(lines) == 1 or min(len(line) for line in lines) >= 4


#: Properties elements whose children the schema allows once each.
SINGLE_CHILD_PROPERTIES = ("tblPr", "trPr", "tcPr", "pPr", "rPr")


def test_docx_properties_name_each_setting_once(tmp_path: Path) -> None:
    """Valid WordprocessingML: no table, row, cell, paragraph or run properties element has
    a child twice (a second <w:tblLayout> makes Word repair or refuse the file), in the body
    and in the styles."""
    from lxml import etree

    path = tmp_path / "通报.docx"
    write_bulletin(build_bulletin(sample_results(), masthead=MASTHEAD), path)
    repeated = []
    with zipfile.ZipFile(path) as package:
        for part in ("word/document.xml", "word/styles.xml"):
            root = etree.fromstring(package.read(part))
            for name in SINGLE_CHILD_PROPERTIES:
                for element in root.iter(f"{{{W}}}{name}"):
                    children = [etree.QName(child).localname for child in element
                                if isinstance(child.tag, str)]
                    repeated += [(part, name, child) for child in sorted(set(children))
                                 if children.count(child) > 1]
    assert repeated == []


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
    broken = bundled.replace('problem_group = "{names}{problem}"',
                             'problem_group = "{names}{secretary}"')
    broken = re.sub(r"^vetoes_heading = .*$", "", broken, flags=re.MULTILINE)
    path = tmp_path / "mine.toml"
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(TemplateError) as raised:
        load_template(path, "zh")
    found = {(issue.code, issue.key) for issue in raised.value.issues}
    assert {("template-placeholder-unknown", "text.problem_group"),
            ("template-key-missing", "text.vetoes_heading")} == found


def test_a_reworded_template_changes_only_the_words(tmp_path: Path) -> None:
    """An office's rewording is used as it is: 存在问题 becomes 发现的问题."""
    bundled = BUNDLED_ZH.read_text(encoding="utf-8")
    path = tmp_path / "mine.toml"
    path.write_text(bundled.replace('"存在问题"', '"发现的问题"'), encoding="utf-8")
    bulletin: Bulletin = build_bulletin(sample_results(), load_template(path, "zh"))
    assert "二、发现的问题" in bulletin.texts("heading")


SCHEMA2 = Path(__file__).parent / "data" / "documents" / "street-schema2.toml"


def schema2_results() -> Results:
    """The sample under a schema 2 copy of the rubric: subject, issuer, recipients,
    problem_min_lost = 1, and headline/problem/rectify on three items."""
    rubric = load_rubric(SCHEMA2)
    return evaluate(rubric, load_checklists(rubric, [SAMPLE_CHECKLIST]))


def test_the_rubric_metadata_heads_the_bulletin() -> None:
    """subject, issuer and recipients come from the rubric when no option gives them."""
    bulletin = build_bulletin(schema2_results(), period="2025年上半年")
    assert bulletin.title == "关于2025年上半年社区党建工作考评情况的通报"
    assert bulletin.texts("recipients") == ["各社区党组织："]
    assert bulletin.texts("issuer") == ["某某街道党工委"]


def test_problems_use_the_rubric_headline_and_problem_texts() -> None:
    """An item's headline names its problems; each branch is listed under its problem text,
    as the report states it: "积极分子培养工作落后，和平、南苑社区没有积极分子"."""
    items = build_bulletin(schema2_results()).texts("item")
    assert any(text.endswith("是积极分子培养工作落后，和平、南苑社区没有积极分子；")
               or text.endswith("是积极分子培养工作落后，和平、南苑社区没有积极分子。")
               for text in items)
    study = next(text for text in items if "党员学习教育不到位" in text)
    assert "柳园、清河、春晖、文昌社区党员学习缺勤4人次" in study


def test_losses_below_problem_min_lost_are_not_criticised() -> None:
    """幸福里社区 lost 0.24 on 群众满意度, below the rubric's problem_min_lost of 1: it is
    no finding, and the bulletin does not name it under that problem."""
    results = schema2_results()
    findings = results.findings
    small = findings[(findings["branch_id"] == "SQ01") & (findings["item_id"] == "satisfaction")]
    points = results.scores.points.set_index(results.scores.branches["branch_id"])
    top = next(item.max for item in results.rubric.items if item.id == "satisfaction")
    assert small.empty and 0 < top - float(points.loc["SQ01", "satisfaction"]) < 1
    satisfaction = next(text for text in build_bulletin(results).texts("item")
                        if "群众满意度有待提高" in text)
    assert "幸福里" not in satisfaction
    assert "锦绣社区群众满意度58%" in satisfaction


H2_RUBRIC = ROOT / "rubrics" / "street-2025-h2.toml"
H2_CHECKLIST = ROOT / "samples" / "h2" / "街道社区2025下半年.csv"


def h2_bulletin() -> Bulletin:
    rubric = load_rubric(H2_RUBRIC)
    results = evaluate(rubric, load_checklists(rubric, [H2_CHECKLIST]))
    return build_bulletin(results, period="2025年下半年")


def test_one_branchs_several_problems_are_said_in_one_breath() -> None:
    """Under schema 2 a branch has a problem per clause: where the very same branches have
    several problems of one item they are named once, the problems joined with "、"
    ("南苑社区支委会少开3次、党课少讲2次、未按月开展主题党日"), as a report states them."""
    items = h2_bulletin().texts("item")
    meetings = next(text for text in items if "三会一课" in text)
    assert "南苑社区支委会少开3次、党课少讲2次、未按月开展主题党日" in meetings
    assert "金桥社区支委会少开1次、党小组会少开3次" in meetings
    # a branch appears under several groups only where the groups' branches differ
    assert "清河、朝阳社区党员大会少开1次" in meetings
    assert "清河社区党课少讲1次" in meetings


def test_a_penalty_without_a_headline_states_the_fact() -> None:
    """A penalty is something that happened, not a piece of work done badly: without a
    ``headline`` its entry says what happened and where ("3个社区班子成员受党纪处分",
    "个别社区班子成员受党纪处分" for one or two), never "…方面存在不足"; a penalty's own
    headline still stands."""
    items = h2_bulletin().texts("item")
    discipline = next(text for text in items if "受党纪处分" in text)
    ordinal = r"^[一二三四五六七八九十]+是"
    assert re.match(ordinal + "3个社区班子成员受党纪处分，文昌、桂花社区", discipline)
    few = next(text for text in build_bulletin(sample_results()).texts("item")
               if "受党纪处分" in text)
    assert re.match(ordinal + "个别社区班子成员受党纪处分，桂花、文昌社区", few)
    assert not any("受党纪处分方面存在不足" in text for text in items)
    rubric = load_rubric(H2_RUBRIC)
    rubric = attrs.evolve(rubric, penalties=tuple(
        attrs.evolve(item, headline="班子成员违纪受处分") for item in rubric.penalties))
    results = evaluate(rubric, load_checklists(rubric, [H2_CHECKLIST]))
    assert any(re.match(r"^[一二三四五六七八九十]+是班子成员违纪受处分，", text)
               for text in build_bulletin(results).texts("item"))


def test_the_grade_sentence_counts_the_excluded_branches_apart() -> None:
    """A branch excluded by a veto holds no grade: the grade sentence counts it under the
    veto's label ("取消考核资格1个") so its counts add up to the branches."""
    paragraphs = h2_bulletin().texts("paragraph")
    assert "评定优秀2个、良好9个、合格1个、不合格2个、取消考核资格1个。" in paragraphs


def test_the_spread_is_over_the_ranked_branches() -> None:
    """The mean, highest and lowest totals are over the ranked branches: a branch a veto
    excluded (桂花社区, 93.5) is out of the 考核; a zeroed one (和平社区) counts with 0."""
    rubric = load_rubric(H2_RUBRIC)
    results = evaluate(rubric, load_checklists(rubric, [H2_CHECKLIST]))
    ranked = results.ranking[results.ranking["rank"].notna()]["total"]
    mean = plain_number(float(round_points(np.array([ranked.mean()]), 2)[0]))
    assert f"平均得分{mean}分，最高101.5分，最低0分。" in h2_bulletin().texts("paragraph")


def test_a_subject_that_names_the_period_says_it_once() -> None:
    """A rubric subject that already names the period ("2025年下半年社区党建工作") is not
    preceded by the period a second time."""
    rubric = attrs.evolve(load_rubric(H2_RUBRIC), subject="2025年下半年社区党建工作")
    results = evaluate(rubric, load_checklists(rubric, [H2_CHECKLIST]))
    bulletin = build_bulletin(results, period="2025年下半年")
    assert bulletin.title == "关于2025年下半年社区党建工作考评情况的通报"
    assert "2025年下半年2025年下半年" not in markdown_text(bulletin)


def test_the_second_half_rubrics_leave_the_period_to_the_checklists() -> None:
    """The h2 rubrics' subject is what was inspected, without a period ("社区党建工作"):
    the same rubric serves any half year, the period coming from --period or 期间."""
    for name in ("street-2025-h2.toml", "stars-2025-h2.toml"):
        assert load_rubric(ROOT / "rubrics" / name).subject == "社区党建工作"
    assert h2_bulletin().title == "关于2025年下半年社区党建工作考评情况的通报"


UNGRADED = """schema = 2
[rubric]
id = "ungraded"
title = "不评等次测试"
total = 100
[[field]]
id = "score"
label = "考评得分"
type = "number"
[[field]]
id = "violation"
label = "发生严重违纪"
type = "bool"
[[field]]
id = "rate"
label = "报到率"
type = "number"
[[section]]
id = "all"
title = "考评"
max = 100
[[indicator]]
id = "score_item"
section = "all"
title = "考评得分"
max = 100
rule = "direct"
field = "score"
[[veto]]
id = "discipline"
title = "发生严重违纪"
field = "violation"
action = "zero"
[[veto]]
id = "report"
title = "报到率不到95%"
field = "rate"
op = "<"
value = 95
action = "exclude"
label = "取消考核资格"
"""


def test_a_rubric_without_grades_has_no_grade_sentence(tmp_path: Path) -> None:
    """Without grades the bulletin says nothing of grades: no grade sentence (not even the
    excluded branches' label) and a zeroed branch is not said to take "the lowest grade"."""
    (tmp_path / "rubric.toml").write_text(UNGRADED, encoding="utf-8")
    (tmp_path / "c.csv").write_text(
        "branch_id,branch_name,score,violation,rate\nC1,甲社区,98,否,100\n"
        "C2,乙社区,90,是,100\nC3,丙社区,96,否,80\n", encoding="utf-8")
    rubric = load_rubric(tmp_path / "rubric.toml")
    results = evaluate(rubric, load_checklists(rubric, [tmp_path / "c.csv"]))
    text = markdown_text(build_bulletin(results))
    assert "评定" not in text
    assert "最低等次" not in text
    assert "乙社区发生严重违纪，总分计0分。" in text
    assert "丙社区报到率不到95%，取消考核资格。" in text


def test_a_template_without_the_newer_keys_takes_the_bundled_wording(tmp_path: Path) -> None:
    """An office's template written before ``veto_zero_ungraded`` existed still loads, with
    the bundled sentence for it."""
    lines = [line for line in BUNDLED_ZH.read_text(encoding="utf-8").splitlines()
             if not line.startswith("veto_zero_ungraded")]
    path = tmp_path / "old.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    template = load_template(path, "zh")
    assert template.text["veto_zero_ungraded"] == load_template(None, "zh").text[
        "veto_zero_ungraded"]
