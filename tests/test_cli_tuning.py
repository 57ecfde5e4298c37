"""The compare, sensitivity and check --strict commands, through the real command line."""

from __future__ import annotations

import csv
import importlib.util
import io
import re
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
from chart_checks import assert_charts_point_at_their_tables
from click.testing import CliRunner
from print_checks import assert_print_style, table_bounds

from inspect_score.cli.main import main
from inspect_score.rubric.loader import load_rubric

DATA = Path(__file__).parent / "data"
EN_BASIC = DATA / "rubrics" / "en-basic.toml"
LINT = DATA / "lint"

HEADER = ("branch_id,branch_name,meetings_held,meetings_required,reserve_cadres,dues_on_time,"
          "files_status,roster_ok,minutes_ok,study_absences,service_events,awards,"
          "discipline_cases,serious_violation,remarks")
ROWS = [
    "B1,Branch one,12,12,3,yes,complete,yes,yes,0,5,1,0,no,",
    "B2,Branch two,9,12,3,yes,partial,yes,yes,0,5,0,0,no,",
    "B3,Branch three,6,12,1,yes,complete,yes,no,1,4,0,0,no,",
    "B4,Branch four,12,12,2,no,complete,yes,yes,2,3,0,1,no,",
    "B5,Branch five,3,12,3,yes,missing,no,yes,0,5,0,0,yes,",
    "B6,Branch six,10,12,3,yes,complete,yes,yes,0,2,3,0,no,",
]


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder with the old rubric, a new one (meetings worth 30), and a checklist."""
    monkeypatch.chdir(tmp_path)
    shutil.copy(EN_BASIC, "old.toml")
    text = EN_BASIC.read_text(encoding="utf-8")
    # meetings 20 -> 30, organisation 40 -> 50, total 100 -> 110
    text = text.replace('max = 20\nrule = "scale"', 'max = 30\nrule = "scale"')
    text = text.replace('id = "org"\ntitle = "Organisation"\nmax = 40',
                        'id = "org"\ntitle = "Organisation"\nmax = 50')
    text = text.replace("total = 100", "total = 110")
    Path("new.toml").write_text(text, encoding="utf-8")
    Path("list.csv").write_text("\n".join([HEADER, *ROWS]) + "\n", encoding="utf-8")
    return tmp_path


def csv_rows(path: Path) -> list[list[str]]:
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_compare_writes_the_csv_and_the_workbook(workspace: Path) -> None:
    """compare.csv has the spec's columns, one per item and the remainder, and rows that add
    up; the workbook holds the comparison, the item changes, the summary and a chart."""
    status, out, _ = invoke("compare", "old.toml", "new.toml", "list.csv",
                            "-o", "cmp.xlsx", "--csv", "out")
    rows = csv_rows(workspace / "out" / "compare.csv")
    header = rows[0]
    assert status == 0
    assert header == ["branch_id", "branch_name", "total_old", "total_new", "rank_old",
                      "rank_new", "grade_old", "grade_new", "delta", "meetings", "reserve",
                      "dues", "files", "ledgers", "study", "volunteer", "awards", "cases",
                      "cap/floor/rescaling"]
    for cells in rows[1:]:
        assert round(sum(float(c) for c in cells[9:]), 2) == float(cells[8])
    b1 = next(cells for cells in rows if cells[0] == "B1")
    assert (b1[8], b1[9]) == ("10.00", "10.00")
    assert "'Meetings held as required' (meetings): max 20 -> 30" in out

    book = openpyxl.load_workbook(workspace / "cmp.xlsx")
    assert book.sheetnames[:3] == ["Comparison", "Item changes", "Summary"]
    comparison = book["Comparison"]
    assert comparison["A1"].value == "Results under both rubrics (Branch inspection, basic)"
    assert [cell.value for cell in comparison[2]][:3] == ["ID", "Name", "Old total"]
    assert comparison.max_row == len(ROWS) + 2
    with zipfile.ZipFile(workspace / "cmp.xlsx") as archive:
        assert "barChart" in archive.read("xl/charts/chart1.xml").decode()


def test_compare_reports_the_problems_of_both_rubrics_and_writes_nothing(
    workspace: Path,
) -> None:
    """A checklist that breaks both rubrics: exit 1, the problem reported once, nothing written."""
    Path("bad.csv").write_text(HEADER + "\n" + ROWS[0].replace(",12,12,", ",x,12,") + "\n",
                               encoding="utf-8")
    status, _, err = invoke("compare", "old.toml", "new.toml", "bad.csv", "-o", "cmp.xlsx")
    assert status == 1
    assert err.count("bad.csv:2:meetings_held") == 1
    assert not (workspace / "cmp.xlsx").exists()


def test_compare_reports_each_rubrics_own_problems(workspace: Path) -> None:
    """A checklist missing a column only the new rubric needs: the new rubric's error only."""
    text = Path("new.toml").read_text(encoding="utf-8")
    Path("new.toml").write_text(
        text + '\n[[field]]\nid = "visits"\ntype = "int"\n', encoding="utf-8")
    status, _, err = invoke("compare", "old.toml", "new.toml", "list.csv", "-o", "cmp.xlsx")
    assert status == 1
    assert "visits" in err
    assert not (workspace / "cmp.xlsx").exists()


def test_compare_will_not_overwrite_without_force(workspace: Path) -> None:
    """An existing output needs --force (exit 2 without it)."""
    Path("cmp.xlsx").write_bytes(b"keep")
    status, _, err = invoke("compare", "old.toml", "new.toml", "list.csv", "-o", "cmp.xlsx")
    assert (status, Path("cmp.xlsx").read_bytes()) == (2, b"keep")
    assert "--force" in err
    status, _, _ = invoke("compare", "old.toml", "new.toml", "list.csv", "-o", "cmp.xlsx",
                          "--force", "-q")
    assert status == 0
    assert Path("cmp.xlsx").read_bytes() != b"keep"


def test_sensitivity_writes_the_csv_and_the_workbook_with_charts(workspace: Path) -> None:
    """sensitivity.csv has the spec's columns and grade shares that add up to 1; the workbook
    has a rank-interval chart (bars with the median marked) and grade-probability bars."""
    status, out, _ = invoke("sensitivity", "old.toml", "list.csv", "--runs", "300",
                            "--seed", "3", "--thresholds", "2", "--csv", "out", "-o", "s.xlsx")
    rows = csv_rows(workspace / "out" / "sensitivity.csv")
    assert status == 0
    assert rows[0] == ["branch_id", "branch_name", "rank", "rank_median",
                                   "rank_p05", "rank_p95", "excellent", "good", "pass", "fail"]
    assert len(rows) == len(ROWS) + 1
    for cells in rows[1:]:
        assert int(cells[4]) <= int(cells[3]) <= int(cells[5])
        assert round(sum(float(c) for c in cells[6:]), 4) == 1.0
    assert "300 runs" in out

    book = openpyxl.load_workbook(workspace / "s.xlsx")
    assert book.sheetnames[:3] == ["Rank intervals", "Indicators", "About"]
    with zipfile.ZipFile(workspace / "s.xlsx") as archive:
        charts = [archive.read(name).decode() for name in sorted(archive.namelist())
                  if name.startswith("xl/charts/chart")]
    assert len(charts) == 2
    assert any("barChart" in chart and "lineChart" in chart for chart in charts)
    assert any('<c:grouping val="stacked"/>' in chart and "lineChart" not in chart
               for chart in charts)


def test_sensitivity_with_a_seed_repeats_byte_for_byte(workspace: Path) -> None:
    """The same seed writes the same CSV and the same workbook."""
    for folder in ("a", "b"):
        status, _, _ = invoke("sensitivity", "old.toml", "list.csv", "--runs", "200",
                              "--spread", "0.4", "--seed", "42", "-q",
                              "--csv", folder, "-o", f"{folder}.xlsx")
        assert status == 0
    assert Path("a/sensitivity.csv").read_bytes() == Path("b/sensitivity.csv").read_bytes()
    assert Path("a.xlsx").read_bytes() == Path("b.xlsx").read_bytes()


def test_sensitivity_without_a_seed_says_which_it_drew(workspace: Path) -> None:
    """Without --seed the seed drawn is printed, so that the analysis can be repeated."""
    status, _, err = invoke("sensitivity", "old.toml", "list.csv", "--runs", "50", "-q")
    assert status == 0
    assert "pass --seed" in err


@pytest.mark.parametrize(("option", "value"), [("--spread", "1.5"), ("--runs", "0"),
                                                ("--thresholds", "-2")])
def test_sensitivity_refuses_options_out_of_range(
    workspace: Path, option: str, value: str
) -> None:
    """A spread outside [0, 1), no runs, or negative thresholds: exit 2 with the option named."""
    status, _, err = invoke("sensitivity", "old.toml", "list.csv", option, value)
    assert status == 2
    assert option in err


@pytest.mark.skipif(importlib.util.find_spec("matplotlib") is None,
                    reason="matplotlib (the png extra) is not installed")
def test_sensitivity_draws_a_png(workspace: Path) -> None:
    """--png writes a PNG picture of the rank intervals and grade shares."""
    status, _, _ = invoke("sensitivity", "old.toml", "list.csv", "--runs", "100", "--seed", "1",
                          "-q", "--png", "s.png")
    assert status == 0
    assert Path("s.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_png_without_matplotlib_is_a_clear_error(
    workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without matplotlib, --png stops before any work and says how to install it."""
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "matplotlib" else real(name, *a))
    status, _, err = invoke("sensitivity", "old.toml", "list.csv", "--png", "s.png",
                            "--csv", "out")
    assert status == 2
    assert "inspect-score[png]" in err
    assert not Path("out").exists()


@pytest.mark.parametrize(
    ("name", "strict", "status"),
    [("bonus-only-grade", False, 0), ("bonus-only-grade", True, 1), ("clean", True, 0)],
)
def test_check_prints_lint_warnings_and_fails_on_them_only_when_strict(
    name: str, strict: bool, status: int
) -> None:
    """check reports lint warnings; they make it fail only under --strict."""
    args = ["check", str(LINT / f"{name}.toml"), *(["--strict"] if strict else [])]
    code, _, err = invoke(*args)
    assert code == status
    assert (name == "bonus-only-grade") == ("warning: grade[1].min:" in err)


def test_compare_lists_as_many_movers_as_asked(workspace: Path) -> None:
    """--top N lists the N largest movers in the terminal, most moved first."""
    _, out_all, _ = invoke("compare", "old.toml", "new.toml", "list.csv")
    _, out_one, _ = invoke("compare", "old.toml", "new.toml", "list.csv", "--top", "1")
    names = [row.split(",")[1] for row in ROWS]
    assert sum(name in out_all for name in names) > 1
    assert sum(name in out_one for name in names) == 1


def test_a_chinese_rubric_gets_chinese_workbooks(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """The bundled rubric and sample checklists (GBK CSV): sheets and headings in Chinese."""
    root = Path(__file__).parent.parent
    rubric = str(root / "rubrics" / "street-2025-h1.toml")
    sample = str(root / "samples" / "街道社区2025上半年.csv")
    monkeypatch.chdir(tmp_path)
    assert invoke("sensitivity", rubric, sample, "--runs", "100", "--seed", "1", "-q",
                  "-o", "s.xlsx")[0] == 0
    assert invoke("compare", rubric, rubric, sample, "-q", "-o", "c.xlsx")[0] == 0
    sensitivity = openpyxl.load_workbook("s.xlsx")
    comparison = openpyxl.load_workbook("c.xlsx")
    assert sensitivity.sheetnames == ["排名区间", "指标敏感度", "说明", "排名区间图", "等次概率图"]
    assert comparison.sheetnames == ["对比", "分项变化", "概况", "细则修改", "各单位总分变化"]
    assert sensitivity["排名区间"]["A2"].value == "编号"
    for book in (sensitivity, comparison):
        for sheet in book.worksheets:  # A4 landscape, borders, header repeated, page numbers
            assert_print_style(sheet, header_row=2)
    for name in ("s.xlsx", "c.xlsx"):  # charts are labelled with names, not ids
        with zipfile.ZipFile(name) as archive:
            charts = [archive.read(member).decode() for member in archive.namelist()
                      if member.startswith("xl/charts/chart")]
        categories = [ref for chart in charts
                      for ref in re.findall(r"<c:cat>.*?<c:f>([^<]+)</c:f>", chart, re.S)]
        assert categories and all("!$B$" in ref for ref in categories), categories
    for name in ("s.xlsx", "c.xlsx"):  # chart sheets print on A4 too
        with zipfile.ZipFile(name) as archive:
            charts = [member for member in archive.namelist()
                      if member.startswith("xl/chartsheets/sheet")]
            assert charts and all('paperSize="9"' in archive.read(member).decode()
                                  for member in charts)
    items = comparison["分项变化"]
    assert "meetings" not in {cell.value for cell in items[2]}  # titles, never ids
    # the edits are on their own sheet, headed once by their own heading
    assert [cell.value for cell in comparison["细则修改"][2]] == ["序号", "修改内容"]


ROOT = Path(__file__).parent.parent
STREET_H2 = ROOT / "rubrics" / "street-2025-h2.toml"
SAMPLES_H2 = ROOT / "samples" / "h2" / "街道社区2025下半年.csv"


def test_compare_names_the_rubric_once_when_only_the_version_differs(tmp_path: Path) -> None:
    """Same title, new version: the heading gives the title once and both versions."""
    old = EN_BASIC.read_text(encoding="utf-8")
    assert 'version = "' in old
    (tmp_path / "new.toml").write_text(
        old.replace('version = "', 'version = "next-', 1), encoding="utf-8")
    Path(tmp_path / "list.csv").write_text("\n".join([HEADER, *ROWS]) + "\n", encoding="utf-8")
    status, out, _ = invoke("compare", str(EN_BASIC), str(tmp_path / "new.toml"),
                            str(tmp_path / "list.csv"))
    heading = out.splitlines()[0]
    assert status == 0
    assert heading == "Branch inspection, basic (test → next-test)"


def test_compare_reads_schema_2_and_traces_clause_edits(tmp_path: Path) -> None:
    """Two schema 2 rubrics: the clause edit in words, a veto turned into exclude leaves the
    branch it hits without a rank in compare.csv, and every row still adds up."""
    text = STREET_H2.read_text(encoding="utf-8")
    edited = text.replace("below = 2\nper = 2\nproblem = \"党员大会少开{short}次\"",
                          "below = 2\nper = 3\nproblem = \"党员大会少开{short}次\"")
    assert edited != text
    new = tmp_path / "new.toml"
    new.write_text(edited, encoding="utf-8")
    status, out, err = invoke("compare", str(STREET_H2), str(new), str(SAMPLES_H2),
                              "--csv", str(tmp_path / "out"), "--top", "20")
    assert status == 0, err
    flat = out.replace("\n", "")
    assert "“三会一课”第2条 党员大会次数不足2次的，每少1次扣2分 →" in flat
    rows = csv_rows(tmp_path / "out" / "compare.csv")
    header = rows[0]
    assert "three_meetings" in header
    for cells in rows[1:]:
        assert round(sum(float(c) for c in cells[9:]), 2) == float(cells[8])
    moved = [cells for cells in rows[1:] if float(cells[header.index("three_meetings")]) < 0]
    assert moved and all(cells[8] == cells[header.index("three_meetings")] for cells in moved)


def test_sensitivity_reads_schema_2(tmp_path: Path) -> None:
    """A schema 2 rubric: the section weights and clause points are drawn, the CSV lists the
    ranked branches only, the workbook names the clauses, and the report says what varied."""
    status, out, err = invoke("sensitivity", str(STREET_H2), str(SAMPLES_H2), "--runs", "200",
                              "--seed", "4", "--csv", str(tmp_path / "out"),
                              "-o", str(tmp_path / "s.xlsx"))
    assert status == 0, err
    flat = " ".join(out.split())
    assert "板块权重和条款分值上下浮动20%" in flat
    assert "被一票否决排除，不参加排名" in flat
    rows = csv_rows(tmp_path / "out" / "sensitivity.csv")
    assert rows[0][:6] == ["branch_id", "branch_name", "rank", "rank_median", "rank_p05",
                           "rank_p95"]
    assert all(cells[2] for cells in rows[1:])
    book = openpyxl.load_workbook(tmp_path / "s.xlsx")
    cells = [[str(cell.value) for cell in row] for row in book.worksheets[1].iter_rows()]
    header = next(row for row in cells if row[0] == "板块或条款")
    assert header[:3] == ["板块或条款", "细则分值", "单独变动时的影响"]
    assert ["“三会一课”第2条", "2"] in [row[:2] for row in cells]


def test_every_chart_is_named_by_its_tables_headings(tmp_path: Path) -> None:
    """The sheets have a title row above the header: each chart series is named by the
    heading of its column (the legend reads "优秀", never "Column I") and draws the table's
    numbers, not its heading, in the compare and sensitivity workbooks of both schemas."""
    for rubric, sample in ((STREET_H2, SAMPLES_H2), (ROOT / "rubrics" / "street-2025-h1.toml",
                                                     ROOT / "samples" / "街道社区2025上半年.csv")):
        sensitivity, comparison = tmp_path / "s.xlsx", tmp_path / "c.xlsx"
        assert invoke("sensitivity", str(rubric), str(sample), "--runs", "50", "--seed", "1",
                      "-q", "--force", "-o", str(sensitivity))[0] == 0
        assert invoke("compare", str(rubric), str(rubric), str(sample), "-q", "--force",
                      "-o", str(comparison))[0] == 0
        for path in (sensitivity, comparison):
            assert_charts_point_at_their_tables(path)


#: What a Chinese report never holds: an ASCII colon, or a space between Chinese and a number.
CJK = r"[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef]"
#: (a branch's id before its name, "SQ04 新华社区", is a code, not a number)
NOT_CHINESE_STYLE = re.compile(rf"{CJK} *:|:{CJK}|{CJK} +[0-9]|(?<![A-Za-z0-9])[0-9.%]+ +{CJK}")


def _sheet_texts(path: Path, skip: str) -> list[str]:
    """Every text cell of a workbook but those of the row whose first cell is ``skip``."""
    book = openpyxl.load_workbook(path)
    return [str(cell) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)
            if row and row[0] != skip for cell in row if isinstance(cell, str)]


def test_sensitivity_and_compare_speak_as_a_chinese_report(tmp_path: Path) -> None:
    """A schema 2 rubric in Chinese: no threshold "moved by 0 points", no id or clause key
    (three_meetings#2) before a title, no jargon (一阶敏感度, Spearman, Kendall: the rank
    correlations are said to be how far the two rankings agree), "7个（至少95%…）" not
    "7 (≥ 95%)", and no ASCII colon or space between Chinese and a number, in the terminal
    and the workbooks."""
    rubric = load_rubric(STREET_H2)
    ids = {item.id for item in rubric.items} | {section.id for section in rubric.sections}
    sensitivity, comparison = tmp_path / "s.xlsx", tmp_path / "c.xlsx"
    status, out, err = invoke("sensitivity", str(STREET_H2), str(SAMPLES_H2), "--runs", "100",
                              "--seed", "4", "-o", str(sensitivity))
    assert status == 0, err
    status, compared, err = invoke("compare", str(STREET_H2), str(tuned_street_h2(tmp_path)),
                                   str(SAMPLES_H2), "-o", str(comparison))
    assert status == 0, err
    flat = "".join(out.split())
    assert "等次分数线不变" in flat and "浮动0分" not in flat
    assert "单独变动时的影响" in flat and "一阶" not in flat
    assert "新旧排名一致程度" in "".join(compared.split())
    texts = [*out.splitlines(), *compared.splitlines(), *_sheet_texts(sensitivity, "输入文件"),
             *_sheet_texts(comparison, "输入文件")]
    assert [text for text in texts if re.search(r"#[0-9]|一阶|Spearman|Kendall|≥", text)] == []
    assert [text for text in texts
            if set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", text)) & ids] == []
    assert [text for text in texts if NOT_CHINESE_STYLE.search(text)] == []
    about = {row[0]: row[1] for row in openpyxl.load_workbook(sensitivity)["说明"].iter_rows(
        min_row=3, values_only=True)}
    assert about["等次分数线浮动"] == "不变"
    assert re.fullmatch(r"[0-9]+个（至少95%的抽样中等次不变）", about["等次稳定的单位数"])
    assert about["细则"] == f"{rubric.title}（{rubric.version}）"
    assert about["单独变动时的影响"].startswith("只变动这一项")  # the heading, in words


def tuned_street_h2(folder: Path) -> Path:
    """The schema 2 rubric with one clause made dearer: something for compare to report."""
    path = folder / "tuned.toml"
    text = STREET_H2.read_text(encoding="utf-8")
    path.write_text(text.replace("per = 2\n", "per = 3\n", 1), encoding="utf-8")
    return path


def test_check_strict_fails_on_a_schema_2_lint_and_passes_its_near_miss() -> None:
    """check --strict: a clause that can never cost is a warning at its line (exit 1); the
    near miss passes (exit 0)."""
    trigger = LINT / "s2-clause-never-costs.toml"
    status, out, err = invoke("check", "--strict", str(trigger))
    assert status == 1
    assert f"{trigger}:40: 警告：indicator[1].clause[1]:" in out + err
    status, _, _ = invoke("check", "--strict", str(LINT / "s2-clause-never-costs-ok.toml"))
    assert status == 0


def test_compare_writes_the_workbook_when_a_veto_excludes_a_branch(tmp_path: Path) -> None:
    """A cap veto turned into exclude: the workbook and compare.csv leave the excluded
    branch's new rank empty and show the veto's label as its grade."""
    text = STREET_H2.read_text(encoding="utf-8")
    start = text.index('id = "no_dues"')
    end = text.index("[[", start)
    block = text[start:end]
    grade_line = next(line for line in block.splitlines() if line.startswith("grade = "))
    new = tmp_path / "new.toml"
    new.write_text(text[:start] + block.replace(
        grade_line, 'action = "exclude"\nlabel = "取消考核资格"') + text[end:], encoding="utf-8")
    status, _, err = invoke("compare", str(STREET_H2), str(new), str(SAMPLES_H2),
                            "-o", str(tmp_path / "cmp.xlsx"), "--csv", str(tmp_path / "out"))
    assert status == 0, err
    rows = csv_rows(tmp_path / "out" / "compare.csv")
    header = rows[0]
    newly = [cells for cells in rows[1:]
             if cells[header.index("grade_new")] == "取消考核资格"
             and cells[header.index("grade_old")] != "取消考核资格"]
    assert newly and all(cells[header.index("rank_new")] == "" for cells in newly)
    sheet = openpyxl.load_workbook(tmp_path / "cmp.xlsx").worksheets[0]
    rows_read = list(sheet.iter_rows(values_only=True))
    # the sheet's title, then its header row, then one row per branch
    at = next(number for number, row in enumerate(rows_read) if "新排名" in row)
    headings = list(rows_read[at])
    by_id = {row[0]: row for row in rows_read[at + 1:]}
    for cells in newly:
        row = by_id[cells[0]]
        assert row[headings.index("新排名")] is None
        assert row[headings.index("原排名")] == int(cells[header.index("rank_old")])


def test_every_sensitivity_sheet_prints_its_whole_title(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """A title longer than its table is wrapped over the table's columns in a row tall enough
    for its lines: the print area ends at the table's last column and would cut it."""
    from inspect_score.outputs.print_style import TITLE_SIZE, display_width

    root = Path(__file__).parent.parent
    monkeypatch.chdir(tmp_path)
    assert invoke("sensitivity", str(root / "rubrics" / "street-2025-h1.toml"),
                  str(root / "samples" / "街道社区2025上半年.csv"), "--runs", "50", "--seed",
                  "1", "-q", "-o", "s.xlsx")[0] == 0
    book = openpyxl.load_workbook("s.xlsx")
    for sheet in book.worksheets:
        title = sheet["A1"].value
        _, _, _, last_column = table_bounds(sheet)
        widths = sum(sheet.column_dimensions[openpyxl.utils.get_column_letter(column)].width
                     for column in range(1, last_column + 1))
        if last_column > 1:
            assert f"A1:{openpyxl.utils.get_column_letter(last_column)}1" in {
                str(cells) for cells in sheet.merged_cells.ranges}, sheet.title
        assert sheet["A1"].alignment.wrap_text, sheet.title
        height = sheet.row_dimensions[1].height or TITLE_SIZE * 2
        lines = max(1, int(height // (TITLE_SIZE * 1.4)))
        assert display_width(title) * TITLE_SIZE / 11 <= lines * (widths - 1), sheet.title


def test_the_terminal_says_what_the_star_on_a_grade_means(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """A grade marked * in the terminal's table is explained by a note line under it."""
    root = Path(__file__).parent.parent
    monkeypatch.chdir(tmp_path)
    status, out, _ = invoke("sensitivity", str(root / "rubrics" / "street-2025-h1.toml"),
                            str(root / "samples" / "街道社区2025上半年.csv"), "--runs", "200",
                            "--seed", "1", "--top", "20", "-o", "s.xlsx")
    assert status == 0
    assert re.search(r"(合格|良好|优秀) \*", out), out
    assert "注：标*的等次不稳定，即在全部抽样中得到该等次的不足95%。" in out, out


def test_the_rubric_edits_print_under_their_own_header(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """The edits of a rubric change, which run over pages, sit on their own sheet 细则修改,
    numbered, under the header repeated on every page; 概况's "项目 | 内容" heads only the
    summary."""
    root = Path(__file__).parent.parent
    monkeypatch.chdir(tmp_path)
    assert invoke("compare", str(root / "rubrics" / "street-2025-h1.toml"),
                  str(root / "rubrics" / "stars-2025.toml"),
                  str(root / "samples" / "街道社区2025上半年.csv"), "-q", "-o", "c.xlsx")[0] == 0
    book = openpyxl.load_workbook("c.xlsx")
    edits = book["细则修改"]
    assert_print_style(edits, header_row=2)
    assert [cell.value for cell in edits[2]] == ["序号", "修改内容"]
    texts = [row[1] for row in edits.iter_rows(min_row=3, values_only=True)]
    assert edits["A3"].value == 1 and "多人评分方式由平均分改为去掉最高最低分后平均" in texts
    summary = [cell for row in book["概况"].iter_rows(values_only=True) for cell in row]
    assert not any(isinstance(cell, str) and "改为" in cell for cell in summary)
