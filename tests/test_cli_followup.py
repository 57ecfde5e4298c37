"""The bulletin and trend commands and run --rectify, through the real command line."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import docx
import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from inspect_score.cli.main import main

ROOT = Path(__file__).parent.parent
BUNDLED_ZH = ROOT / "src" / "inspect_score" / "followup" / "templates" / "bulletin_zh.toml"
RUBRIC = ROOT / "rubrics" / "street-2025-h1.toml"
SAMPLE = ROOT / "samples" / "街道社区2025上半年.csv"


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder holding the bundled rubric and the sample checklist, made the current one."""
    shutil.copy(RUBRIC, tmp_path / "rubric.toml")
    shutil.copy(SAMPLE, tmp_path / "list.csv")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_bulletin_writes_markdown_with_the_deadline(work: Path) -> None:
    """bulletin -o FILE.md drafts the bulletin, the deadline counted from the inspection."""
    status, _, err = invoke("bulletin", "rubric.toml", "list.csv", "-o", "通报.md",
                            "--days", "30", "--inspected-on", "2025-08-15",
                            "--period", "2025年上半年", "--subject", "社区党建工作",
                            "--issuer", "某某街道党工委", "--recipients", "各社区党组织",
                            "--date", "2025-09-01")
    assert (status, err.strip()) == (0, "已写出：通报.md")
    text = (work / "通报.md").read_text(encoding="utf-8")
    assert text.startswith("# 关于2025年上半年社区党建工作考评情况的通报\n\n各社区党组织：")
    assert "\n\n某某街道党工委\n\n2025年9月1日\n\n" in text
    assert "于2025年9月14日前完成整改" in text


def test_bulletin_writes_word(work: Path) -> None:
    """bulletin -o FILE.docx writes a document python-docx opens, with the results table."""
    status, _, _ = invoke("bulletin", "rubric.toml", "list.csv", "-o", "通报.docx")
    assert status == 0
    document = docx.Document(str(work / "通报.docx"))
    assert document.paragraphs[0].style.name == "公文标题"
    assert len(document.tables[0].rows) == 16


def test_the_period_comes_from_the_checklists_period_column(work: Path) -> None:
    """Without --period, a period column the checklists carry names the period."""
    raw = (work / "list.csv").read_bytes()
    try:
        lines = raw.decode("utf-8-sig").splitlines()
    except UnicodeDecodeError:  # saved as Chinese Excel saves it
        lines = raw.decode("gb18030").splitlines()
    rows = [lines[0] + ",period", *(line + ",2025年上半年" for line in lines[1:] if line)]
    (work / "dated.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    status, _, _ = invoke("bulletin", "rubric.toml", "dated.csv", "-o", "通报.md",
                          "--subject", "社区党建工作")
    assert status == 0
    assert (work / "通报.md").read_text(encoding="utf-8").startswith(
        "# 关于2025年上半年社区党建工作考评情况的通报")


@pytest.mark.parametrize("extra", [
    ("-o", "通报.pdf"),
    ("-o", "通报.md", "--days", "30"),
    ("-o", "通报.md", "--deadline", "2025-09-30", "--days", "3", "--inspected-on", "2025-08-01"),
    ("-o", "list.csv"),
])
def test_bulletin_usage_errors_write_nothing(work: Path, extra: tuple[str, ...]) -> None:
    """A wrong suffix, --days without --inspected-on, a date and days together, or an input
    as output is wrong usage: exit 2 and no file."""
    before = sorted(path.name for path in work.iterdir())
    status, _, err = invoke("bulletin", "rubric.toml", "list.csv", *extra)
    assert status == 2
    assert err
    assert sorted(path.name for path in work.iterdir()) == before


def test_bulletin_keeps_an_existing_file_without_force(work: Path) -> None:
    """An existing bulletin is only replaced with --force."""
    (work / "通报.md").write_text("mine", encoding="utf-8")
    assert invoke("bulletin", "rubric.toml", "list.csv", "-o", "通报.md")[0] == 2
    assert (work / "通报.md").read_text(encoding="utf-8") == "mine"
    assert invoke("bulletin", "rubric.toml", "list.csv", "-o", "通报.md", "--force")[0] == 0
    assert (work / "通报.md").read_text(encoding="utf-8") != "mine"


def test_a_bad_template_is_an_input_error_naming_the_key(work: Path) -> None:
    """A template with a placeholder the results cannot fill: exit 1, the key named."""
    bundled = BUNDLED_ZH.read_text(encoding="utf-8")
    (work / "mine.toml").write_text(bundled.replace("{deadline}", "{due}"), encoding="utf-8")
    status, _, err = invoke("bulletin", "rubric.toml", "list.csv", "-o", "通报.md",
                            "--template", "mine.toml")
    assert status == 1
    assert "mine.toml: text.closing: 使用了无法填入的 {due}" in err
    assert not (work / "通报.md").exists()


def make_json_periods(work: Path) -> None:
    assert invoke("run", "rubric.toml", "list.csv", "--json", "2025H1.json", "-q")[0] == 0
    lines = SAMPLE.read_bytes().decode("gb18030").splitlines()
    later = [line for line in lines if not line.startswith("SQ15,")]
    (work / "later.csv").write_text("\n".join(later) + "\n", encoding="utf-8")
    assert invoke("run", "rubric.toml", "later.csv", "--json", "2025H2.json", "-q")[0] == 0


def test_trend_compares_json_results(work: Path) -> None:
    """trend A.json B.json prints each branch per period, warns of the missing branch, and
    writes the workbook and the CSV files."""
    make_json_periods(work)
    status, out, err = invoke("trend", "2025H1.json", "2025H2.json", "-o", "trend.xlsx",
                              "--csv", "out", "--lang", "en")
    assert status == 0
    assert "2025H2.json: warning: branch SQ15 (清河社区) is in 2025H1 but not in 2025H2" in err
    assert "幸福里社区" in out
    assert "103.76 (1) 优秀" in out
    assert openpyxl.load_workbook(work / "trend.xlsx").sheetnames[0] == "趋势"
    assert sorted(path.name for path in (work / "out").iterdir()) == [
        "lists.csv", "repeated.csv", "trend.csv"]


def test_trend_of_checklists_needs_a_rubric(work: Path) -> None:
    """Checklists are no JSON results: without --rubric that is wrong usage."""
    status, _, err = invoke("trend", "list.csv")
    assert status == 2
    assert "need --rubric" in err


def test_trend_scores_checklists_with_a_period_column(work: Path) -> None:
    """trend --rubric RUBRIC CHECKLISTS: one period per value of the period column."""
    header, *rows = SAMPLE.read_bytes().decode("gb18030").splitlines()
    text = [header + ",period", *(row + ",上半年" for row in rows),
            *(row + ",下半年" for row in rows)]
    (work / "both.csv").write_text("\n".join(text) + "\n", encoding="utf-8")
    status, _, _ = invoke("trend", "--rubric", "rubric.toml", "both.csv", "--csv", "out", "-q")
    assert status == 0
    with (work / "out" / "trend.csv").open(encoding="utf-8-sig", newline="") as handle:
        table = list(csv.DictReader(handle))
    assert {row["下半年_change"] for row in table} == {"0.00"}


def test_run_rectify_adds_the_sheet_and_the_csv(work: Path) -> None:
    """run --rectify: the workbook gets 整改清单 and --csv gets rectify.csv with the deadline."""
    status, _, err = invoke("run", "rubric.toml", "list.csv", "-o", "r.xlsx", "--csv", "out",
                            "--rectify", "--deadline", "2025-09-30", "-q")
    assert status == 0
    assert "out/rectify.csv" in err
    assert openpyxl.load_workbook(work / "r.xlsx").sheetnames[-1] == "整改清单"
    with (work / "out" / "rectify.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert {row["deadline"] for row in rows} == {"2025-09-30"}
    assert {row["status"] for row in rows} == {"未整改"}


def test_trend_black_list_options(work: Path) -> None:
    """--black-below GRADE sets the pass the black list is measured against; --black N and
    --black-below together are wrong usage; an unknown grade is an input error."""
    make_json_periods(work)
    status, _, _ = invoke("trend", "2025H1.json", "2025H2.json", "--csv", "out", "-q",
                          "--black-below", "良好")
    assert status == 0
    with (work / "out" / "lists.csv").open(encoding="utf-8-sig", newline="") as handle:
        black = [row for row in csv.DictReader(handle) if row["list"] == "black"]
    assert {row["grade"] for row in black} == {"合格", "不合格"}
    assert all(row["reason"].endswith("低于良好") for row in black)
    assert invoke("trend", "2025H1.json", "2025H2.json", "-q", "--black", "3",
                  "--black-below", "良好")[0] == 2
    status, _, err = invoke("trend", "2025H1.json", "2025H2.json", "-q", "--black-below", "及格")
    assert status == 1 and "grade-unknown" not in err and "及格" in err


def test_run_titles_the_workbook_with_the_period_and_subject(work: Path) -> None:
    """run --period --subject: every sheet's title row names them ("…考评结果"); the
    rectification list's too, each branch on its own page with --per-branch-pages."""
    status, _, _ = invoke("run", "rubric.toml", "list.csv", "-o", "r.xlsx", "-q", "--rectify",
                          "--per-branch-pages", "--period", "2025年上半年",
                          "--subject", "社区党建工作")
    assert status == 0
    book = openpyxl.load_workbook(work / "r.xlsx")
    assert book["排名"]["A1"].value == "2025年上半年社区党建工作考评结果"
    assert book["整改清单"]["A1"].value == "2025年上半年社区党建工作整改清单"
    assert len(book["整改清单"].row_breaks.brk) > 0


H2_SAMPLE = ROOT / "samples" / "h2" / "街道社区2025下半年.csv"


@pytest.mark.parametrize("rubric", ["street-2025-h2.toml", "stars-2025-h2.toml"])
@pytest.mark.parametrize("period", [[], ["--period", "2025年下半年"]])
def test_the_second_half_sample_names_its_period(tmp_path: Path, rubric: str,
                                                 period: list[str]) -> None:
    """The h2 sample's 期间 column says "2025年下半年": the bulletin's title and every
    workbook title row name the period once, with or without --period."""
    rubric_path = str(ROOT / "rubrics" / rubric)
    status, _, err = invoke("bulletin", rubric_path, str(H2_SAMPLE), "-o",
                            str(tmp_path / "通报.md"), *period)
    assert status == 0, err
    title = (tmp_path / "通报.md").read_text(encoding="utf-8").splitlines()[0]
    assert title == "# 关于2025年下半年社区党建工作考评情况的通报"
    status, _, err = invoke("run", rubric_path, str(H2_SAMPLE), "-o", str(tmp_path / "结果.xlsx"),
                            "-q", *period)
    assert status == 0, err
    assert "期间" not in err  # the period column is read, never "not a field of the rubric"
    book = openpyxl.load_workbook(tmp_path / "结果.xlsx")
    titles = {sheet.title: sheet["A1"].value for sheet in book.worksheets}
    assert titles["排名"] == "2025年下半年社区党建工作考评结果"
    assert all(str(title).startswith("2025年下半年社区党建工作考评")
               and "2025年下半年2025年下半年" not in str(title) for title in titles.values())


def test_both_halves_of_the_samples_hold_the_same_communities(tmp_path: Path) -> None:
    """The h1 and h2 samples describe the same fifteen communities, each under one id and
    name: a trend over their runs lines every branch up, none missing from either half."""
    for name, rubric, sample in (("2025上半年", RUBRIC, SAMPLE),
                                 ("2025下半年", ROOT / "rubrics" / "street-2025-h2.toml",
                                  H2_SAMPLE)):
        status, _, err = invoke("run", str(rubric), str(sample), "--json",
                                str(tmp_path / f"{name}.json"), "-q")
        assert status == 0, err
    status, _, err = invoke("trend", str(tmp_path / "2025上半年.json"),
                            str(tmp_path / "2025下半年.json"), "--csv", str(tmp_path / "trend"),
                            "-q")
    assert status == 0, err
    assert "not in" not in err
    with (tmp_path / "trend" / "trend.csv").open(encoding="utf-8-sig") as file:
        table = list(csv.DictReader(file))
    assert len(table) == 15
    assert all(row["2025上半年_total"] and row["2025下半年_total"] for row in table)
    first = pd.read_csv(SAMPLE, dtype=str, encoding="gbk").iloc[:, :2]
    second = pd.read_csv(H2_SAMPLE, dtype=str, encoding="utf-8-sig").iloc[:, :2]
    assert first.to_numpy().tolist() == second.to_numpy().tolist()
    assert {(row["branch_id"], row["branch_name"]) for row in table} == {
        tuple(pair) for pair in second.to_numpy().tolist()}


@pytest.mark.parametrize("command", [
    ["validate"], ["explain", "--branch", "SQ07"], ["sensitivity", "--runs", "20", "--seed", "1"],
    ["compare", str(ROOT / "rubrics" / "street-2025-h2.toml")],
])
def test_a_period_column_is_never_called_not_a_field(command: list[str]) -> None:
    """Every command reading the h2 sample sets its 期间 column aside as run and bulletin
    do: no warning that the column is not a field of the rubric."""
    name, *options = command
    rubric = str(ROOT / "rubrics" / "street-2025-h2.toml")
    # compare takes the new rubric before the checklists
    arguments = [name, rubric, *options, str(H2_SAMPLE)] if name == "compare" else [
        name, rubric, str(H2_SAMPLE), *options]
    status, _, err = invoke(*arguments)
    assert status == 0, err
    assert "期间" not in err
