"""The self-check commands through the real command line: files written, messages, exit codes."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
from click.testing import CliRunner
from print_checks import assert_print_style

from inspect_score.cli.main import main

ROOT = Path(__file__).resolve().parent.parent
STREET = str(ROOT / "rubrics" / "street-2025-h1.toml")
SAMPLE = str(ROOT / "samples" / "街道社区2025上半年.csv")
TOML_FOLDER = str(ROOT / "samples" / "toml")


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_template_writes_a_form_and_refuses_to_overwrite(tmp_path: Path) -> None:
    """template -o writes the form; a second run without --force exits 2 and keeps it."""
    form = tmp_path / "form.xlsx"
    assert _run("template", STREET, "-o", str(form))[0] == 0
    assert openpyxl.load_workbook(form).worksheets[0]["A1"].value == "编号"
    code, _, err = _run("template", STREET, "-o", str(form))
    assert code == 2 and "output-exists" not in err and "已存在；如需覆盖请加 --force" in err


def test_template_prefills_branches_and_writes_csv(tmp_path: Path) -> None:
    """--branches and --csv: a CSV form with the listed branches."""
    listing = tmp_path / "branches.csv"
    listing.write_text("branch_id,branch_name\nSQ01,幸福里社区\n", encoding="utf-8")
    form = tmp_path / "form.csv"
    assert _run("template", STREET, "-o", str(form), "--csv", "--branches", str(listing))[0] == 0
    rows = list(csv.reader(form.read_text(encoding="utf-8-sig").splitlines()))
    assert rows[1][:2] == ["SQ01", "幸福里社区"]


def test_a_filled_form_is_explained_in_chinese(tmp_path: Path) -> None:
    """Fill the form in, run explain --self-check: where each point went, what to fix first."""
    form = tmp_path / "form.xlsx"
    _run("template", STREET, "-o", str(form))
    book = openpyxl.load_workbook(form)
    sheet = book.worksheets[0]
    values = ["SQ01", "幸福里社区", 10, 12, 3, 2, "是", "基本齐全", "是", "是", "是", "否",
              0, 7, 0, 2, 80, None, None, None, "否", None]
    for column, value in enumerate(values, start=1):
        if value is not None:
            sheet.cell(2, column, value)
    book.save(form)
    code, out, _ = _run("explain", STREET, str(form), "--branch", "SQ01", "--self-check")
    assert code == 0
    assert "党建档案为“基本齐全”，得 6 分" in out
    assert "总分89.60分 = 基础分89.60 + 加分0.00 − 扣分0.00" in out
    assert "升到下一等次（优秀，90分以上）需要整改的最少项目：" in out


def test_explain_an_unknown_branch_lists_the_closest_ids() -> None:
    """A branch id not in the checklists exits 1 and lists those that exist, closest first."""
    code, _, err = _run("explain", STREET, SAMPLE, "--branch", "SQ7")
    assert code == 1
    assert "考评表中没有支部 'SQ7'，现有支部：SQ07、" in err


def test_explain_all_writes_every_branch_on_its_own_page(tmp_path: Path) -> None:
    """--all -o writes every branch's explanation, each on a page of its own after the
    contents."""
    output = tmp_path / "explain.xlsx"
    assert _run("explain", STREET, SAMPLE, "--all", "-o", str(output))[0] == 0
    book = openpyxl.load_workbook(output)
    assert book.sheetnames == ["目录", "考评情况说明"]
    assert len(list(book["目录"].iter_rows(min_row=3))) == 15
    assert len(book["考评情况说明"].row_breaks.brk) == 14


def test_explain_needs_a_branch() -> None:
    """Without --branch or --all, explain is a usage error."""
    assert _run("explain", STREET, SAMPLE)[0] == 2


def test_a_form_with_a_changed_header_names_the_cell(tmp_path: Path) -> None:
    """A header typed over in a form is reported with its cell; nothing is explained."""
    form = tmp_path / "form.xlsx"
    _run("template", STREET, "-o", str(form))
    book = openpyxl.load_workbook(form)
    book.worksheets[0]["C1"] = "开会次数"
    book.worksheets[0]["A2"] = "SQ01"
    book.save(form)
    code, out, err = _run("explain", STREET, str(form), "--branch", "SQ01")
    assert code == 1 and out == ""
    assert f"{form}:1:开会次数: 单元格C1为「开会次数」，应为表头「三会一课召开次数」" in err


def test_calibrate_writes_the_csv_and_the_workbook(tmp_path: Path) -> None:
    """calibrate --csv DIR -o FILE: calibration.csv and a workbook; one-sided branches listed."""
    out = tmp_path / "out"
    book = tmp_path / "calibration.xlsx"
    code, stdout, _ = _run("calibrate", STREET, "--self", TOML_FOLDER, "--inspection", SAMPLE,
                           "--csv", str(out), "-o", str(book))
    assert code == 0
    rows = list(csv.reader((out / "calibration.csv").read_text(encoding="utf-8-sig")
                           .splitlines()))
    assert rows[0][:5] == ["branch_id", "branch_name", "self_total", "inspected_total", "gap"]
    assert len(rows) == 16
    assert "只有检查" in stdout
    assert len(openpyxl.load_workbook(book).worksheets[0]._charts) == 1


def test_run_self_check_skips_quotas_and_says_so(tmp_path: Path) -> None:
    """run --self-check: grades before quotas, no rank against others, and a note saying so."""
    out = tmp_path / "out"
    code, _, err = _run("run", "--self-check", STREET, SAMPLE, "--csv", str(out), "-q")
    assert code == 0
    assert "自查自评：不设等次比例限制，各支部之间不排名" in err
    with open(out / "ranking.csv", encoding="utf-8-sig") as handle:
        rows = {row["branch_id"]: row for row in csv.DictReader(handle)}
    assert (rows["SQ04"]["grade"], rows["SQ04"]["rank"]) == ("优秀", "1")


def test_explain_tells_a_branch_held_down_by_the_quota_what_stands_in_the_way() -> None:
    """explain --branch SQ04 on the sample: 良好 for the quota of 优秀, and the next grade
    is 优秀, held back by the quota alone."""
    code, out, _ = _run("explain", STREET, SAMPLE, "--branch", "SQ04")
    assert code == 0
    assert "等次：良好（优秀名额已满，按排名顺延）" in out
    assert "总分已达到优秀（90分以上），仅因优秀名额已满未评为优秀" in out
    assert "已是最高等次" not in out


def test_calibrate_reads_a_schema_2_rubric(tmp_path: Path) -> None:
    """calibrate on the second-half rubric: calibration.csv has the item columns, the
    remainder, and one column per clause; the workbook a sheet of clause gaps."""
    sample = ROOT / "samples" / "h2" / "街道社区2025下半年.csv"
    rows = list(csv.reader(sample.read_text(encoding="utf-8-sig").splitlines()))
    rows[1][rows[0].index("党员大会次数")] = "1"  # SQ01 reports one general meeting
    own = tmp_path / "自评.csv"
    with open(own, "w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows(rows)
    rubric = str(ROOT / "rubrics" / "street-2025-h2.toml")
    out = tmp_path / "out"
    code, stdout, err = _run("calibrate", rubric, "--self", str(own), "--inspection",
                             str(sample), "--csv", str(out), "-o", str(out / "校准.xlsx"))
    assert code == 0, err
    table = list(csv.DictReader((out / "calibration.csv").read_text(
        encoding="utf-8-sig").splitlines()))
    sq01 = next(row for row in table if row["branch_id"] == "SQ01")
    assert (sq01["gap"], sq01["three_meetings"], sq01["cap/floor/rescaling"]) == (
        "-2.00", "-2.00", "0.00")
    # the branch reported a shortfall not found: below on the clause as on the item
    assert sq01["three_meetings#2"] == "-2.00"
    assert "“三会一课”第2条" in stdout
    assert "three_meetings" not in stdout  # items by their titles, never their ids
    book = openpyxl.load_workbook(out / "校准.xlsx")
    assert book.sheetnames == ["自评与检查", "各项差异", "各条款差异", "自评偏高排行"]
    # row 1 holds the sheet's title, row 2 the header
    assert "“三会一课”第2条" in [cell.value for cell in book["各条款差异"][2]]
    # a clause a column, far too wide to read fitted to one page: at full size over pages
    # across, 编号 and 名称 on every page
    clauses = book["各条款差异"]
    assert not clauses.sheet_properties.pageSetUpPr.fitToPage
    assert clauses.print_title_cols == "$A:$B"
    for sheet in book.worksheets:
        assert_print_style(sheet, header_row=2)


def test_template_writes_a_schema_2_form_that_explain_reads(tmp_path: Path) -> None:
    """template on the second-half rubric: the form, its clauses explained, and a filled row
    explained by explain --self-check in problems."""
    rubric = str(ROOT / "rubrics" / "street-2025-h2.toml")
    form = tmp_path / "检查表.xlsx"
    code, _, err = _run("template", rubric, "-o", str(form))
    assert code == 0, err
    book = openpyxl.load_workbook(form)
    about = "\n".join(str(cell) for row in book.worksheets[1].iter_rows(values_only=True)
                      for cell in row if cell)
    assert "第2条：党员大会次数不足2次的，每少1次扣2分（问题表述：党员大会少开×次）" in about
    sample = ROOT / "samples" / "h2" / "街道社区2025下半年.csv"
    rows = list(csv.reader(sample.read_text(encoding="utf-8-sig").splitlines()))
    # the sample's 期间 column says the run's period, not a field: the form leaves it out
    period = rows[0].index("期间")
    rows = [row[:period] + row[period + 1:] for row in rows]
    sheet = book.worksheets[0]
    for column, value in enumerate(rows[1], start=1):
        if value != "":
            sheet.cell(2, column, float(value) if value.isdigit() and column > 2 else value)
    sheet.cell(2, rows[0].index("党员大会次数") + 1, 1)  # one general meeting short
    book.save(form)
    code, out, err = _run("explain", rubric, str(form), "--branch", "SQ01", "--self-check")
    assert code == 0, err
    assert "党员大会少开1次" in out


STARS_2 = ROOT / "rubrics" / "stars-2025-h2.toml"
SAMPLE_2 = ROOT / "samples" / "h2" / "街道社区2025下半年.csv"


def _ranking(folder: Path) -> list[dict[str, str]]:
    return list(csv.DictReader((folder / "ranking.csv").read_text(
        encoding="utf-8-sig").splitlines()))


def test_run_self_check_on_a_schema_2_rubric_grades_before_quotas(tmp_path: Path) -> None:
    """run --self-check on the five-star rubric: seven branches reach 五星 by their totals
    (the run gives one: 10% of the 14 ranked, rounded); the excluded branch is unranked,
    says 取消考核资格 and is listed last; the zeroed one stands alone at 一星."""
    out = tmp_path / "out"
    code, _, err = _run("run", "--self-check", str(STARS_2), str(SAMPLE_2), "--csv", str(out),
                        "-q")
    assert code == 0, err
    rows = _ranking(out)
    five = [row["branch_id"] for row in rows if row["grade"] == "五星"]
    assert len(five) == 7
    assert {row["rank"] for row in rows[:-1]} == {"1"}
    assert (rows[-1]["branch_id"], rows[-1]["rank"], rows[-1]["grade"]) == (
        "SQ09", "", "取消考核资格")
    zeroed = next(row for row in rows if row["branch_id"] == "SQ06")
    assert (zeroed["total"], zeroed["grade"]) == ("0.00", "一星")
    code, _, _ = _run("run", str(STARS_2), str(SAMPLE_2), "--csv", str(tmp_path / "run"), "-q")
    assert sum(row["grade"] == "五星" for row in _ranking(tmp_path / "run")) == 1


def test_a_branch_checking_itself_alone_is_not_refused_for_a_lower_quota(
        tmp_path: Path) -> None:
    """A rubric with "二星及以下不少于2个" cannot hold for one branch: a run is refused, but
    a self-check applies no quota, so run --self-check and explain --self-check score it."""
    text = STARS_2.read_text(encoding="utf-8")
    rubric = tmp_path / "stars.toml"
    rubric.write_text(text.replace("min_share = 0.1 ", "min_count = 2 #", 1), encoding="utf-8")
    lines = SAMPLE_2.read_text(encoding="utf-8-sig").splitlines()
    one = tmp_path / "幸福里.csv"
    one.write_text("\n".join(lines[:2]) + "\n", encoding="utf-8-sig")
    code, _, err = _run("run", str(rubric), str(one), "--csv", str(tmp_path / "run"), "-q")
    assert code != 0 and "二星" in err
    out = tmp_path / "self"
    code, _, err = _run("run", "--self-check", str(rubric), str(one), "--csv", str(out), "-q")
    assert code == 0, err
    assert [(row["branch_id"], row["rank"], row["grade"]) for row in _ranking(out)] == [
        ("SQ01", "1", "五星")]
    code, stdout, err = _run("explain", "--self-check", str(rubric), str(one), "--branch",
                             "SQ01")
    assert code == 0, err
    assert "等次：五星" in stdout


def test_explain_on_the_star_rubric_offers_the_grade_above_the_one_held() -> None:
    """五星级 sample: 清河社区 (SQ15) earns 五星 but holds 三星, the quotas above full: the
    next grade is 四星, the one above the grade held, which only its quota keeps from it;
    never "已是最高等次（五星）"."""
    code, out, err = _run("explain", str(STARS_2), str(SAMPLE_2), "--branch", "SQ15")
    assert code == 0, err
    assert "等次：三星（四星名额已满，按排名顺延）；不考虑名额限制时为：五星" in out
    assert "总分已达到四星（80分以上），仅因四星名额已满未评为四星" in out
    assert "已是最高等次" not in out
