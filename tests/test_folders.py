"""Folders as inboxes are, through the real command: notes, Word files, Excel's
lock files, last period's outputs and subfolders beside the branches' forms."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import docx
import openpyxl
import pytest
from click.testing import CliRunner
from en_basic import EN_BASIC, branch

from inspect_score.cli.main import main

ROOT = Path(__file__).parent.parent
STREET = ROOT / "rubrics" / "street-2025-h1.toml"
SAMPLE = ROOT / "samples" / "街道社区2025上半年.csv"


@pytest.fixture(autouse=True)
def english(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests read the English wording (the Chinese is the catalog's, tested there)."""
    monkeypatch.setenv("INSPECT_SCORE_LANG", "en")


def invoke(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [str(arg) for arg in args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def warned(err: str, code_message: str) -> list[str]:
    """The paths warned about with a message containing ``code_message``."""
    return sorted(line.split(": warning: ")[0] for line in err.splitlines()
                  if ": warning: " in line and code_message in line)


def en_checklist(path: Path) -> Path:
    """Three branches of the small English rubric, as a CSV."""
    rows = [branch("B1"), branch("B2", meetings_held=8), branch("B3", dues_on_time=0)]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    """A folder as the branches' files land in it: the sample beside a note, a Word
    file, the lock file of a workbook open in Excel, and a subfolder."""
    folder = tmp_path / "收件箱"
    folder.mkdir()
    shutil.copy(SAMPLE, folder / SAMPLE.name)
    (folder / "说明.txt").write_text("金桥社区的表下周补交。", encoding="utf-8")
    document = docx.Document()
    document.add_paragraph("关于报送2025年上半年党建工作检查考评表的通知")
    document.save(str(folder / "通知.docx"))
    (folder / "~$考评表.xlsx").write_bytes(b"\x05clerk" + b"\x00" * 160)
    (folder / "上期").mkdir()
    shutil.copy(SAMPLE, folder / "上期" / "old.csv")
    return folder


def test_stray_files_in_a_folder_are_skipped_with_one_warning_each(inbox: Path) -> None:
    """The note, the Word file, the lock file and the subfolder each get one
    warning line saying what they are; the fifteen branches are scored."""
    status, _, err = invoke("run", STREET, inbox, "--csv", inbox.parent / "out")
    assert status == 0, err
    assert warned(err, "not a checklist (.txt file type)") == [str(inbox / "说明.txt")]
    assert warned(err, "a Word document") == [str(inbox / "通知.docx")]
    assert warned(err, "a lock file Excel or WPS keeps") == [str(inbox / "~$考评表.xlsx")]
    assert warned(err, "a subfolder; its files are not read (pass --recursive") \
        == [str(inbox / "上期")]
    assert len([line for line in err.splitlines() if "warning" in line]) == 4
    ranking = (inbox.parent / "out" / "ranking.csv").read_text(encoding="utf-8-sig")
    assert len(ranking.splitlines()) == 1 + 15


def test_recursive_reads_the_subfolders_too(inbox: Path) -> None:
    """With --recursive a subfolder's checklists are read, in name order with the
    folder's files (上期 before 街道...: here the same fifteen branches again, which
    is then an error naming both files)."""
    status, _, err = invoke("validate", STREET, inbox, "--recursive")
    assert status == 1
    assert "subfolder" not in err
    old = inbox / "上期" / "old.csv"
    assert f"{inbox / SAMPLE.name}:2: branch SQ01 appears again (first at {old} row 2)" in err


def test_a_folder_of_nothing_but_stray_files_is_an_error(tmp_path: Path) -> None:
    """Skipped files leave no checklist: the run says the folder holds none."""
    (tmp_path / "a.txt").write_text("x", encoding="utf-8")
    status, _, err = invoke("validate", STREET, tmp_path)
    assert status == 1
    assert f"{tmp_path}: the folder holds no .csv, .xlsx or .toml file" in err


def every_output(rubric: Path, checklist: Path, folder: Path) -> list[Path]:
    """Every file this tool's commands write for one rubric and checklist."""
    folder.mkdir()

    def ok(*args: str | Path) -> None:
        status, _, err = invoke(*args)
        assert status == 0, err

    ok("run", rubric, checklist, "-o", folder / "results.xlsx", "--csv", folder,
       "--json", folder / "p1.json", "--rectify", "-q")
    shutil.copy(folder / "p1.json", folder / "p2.json")
    ok("trend", folder / "p1.json", folder / "p2.json", "-o", folder / "trend.xlsx",
       "--csv", folder, "-q")
    ok("compare", rubric, rubric, checklist, "-o", folder / "compare.xlsx", "--csv", folder,
       "-q")
    ok("sensitivity", rubric, checklist, "--runs", "20", "--seed", "1", "-o",
       folder / "sensitivity.xlsx", "--csv", folder, "-q")
    ok("calibrate", rubric, "--self", checklist, "--inspection", checklist,
       "-o", folder / "calibration.xlsx", "--csv", folder)
    ok("explain", rubric, checklist, "--all", "-o", folder / "explain.xlsx")
    return sorted(path for path in folder.iterdir() if path.suffix != ".json")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_output_of_this_tool_is_recognised_and_skipped(tmp_path: Path, lang: str) -> None:
    """Last period's outputs in the inbox, every workbook and CSV file of every
    command in either language, are recognised by their sheets or header and
    skipped with one warning each; the branches' own form is still read."""
    if lang == "zh":
        rubric, checklist = STREET, tmp_path / SAMPLE.name
        shutil.copy(SAMPLE, checklist)
    else:
        rubric, checklist = EN_BASIC, en_checklist(tmp_path / "branches.csv")
    outputs = every_output(rubric, checklist, tmp_path / "inbox")
    assert {path.suffix for path in outputs} == {".xlsx", ".csv"}
    assert len(outputs) == 6 + 11  # workbooks, CSV files
    shutil.copy(checklist, tmp_path / "inbox" / checklist.name)
    status, _, err = invoke("validate", rubric, tmp_path / "inbox")
    assert status == 0, err
    assert warned(err, "this tool wrote, not a checklist; skipped") == sorted(map(str, outputs))
    assert "OK: " in err and " in 1 files." in err


@pytest.mark.parametrize("renamed", [False, True])
def test_a_filled_template_is_a_checklist_not_an_output(tmp_path: Path, renamed: bool) -> None:
    """The form `template` writes is what branches fill in and send back: it is read,
    also where the branch renamed its first sheet (saved again, it keeps the
    creation time all this tool's workbooks carry)."""
    form = tmp_path / "inbox" / "form.xlsx"
    form.parent.mkdir()
    assert invoke("template", STREET, "-o", form)[0] == 0
    if renamed:
        book = openpyxl.load_workbook(form)
        book.worksheets[0].title = "金桥社区"
        book.save(form)
    status, _, err = invoke("validate", STREET, form.parent)
    assert "this tool wrote" not in err
    assert status == 1  # the blank form's rows: nothing filled in yet
    assert "no branch rows" in err


def test_outputs_named_one_by_one_are_skipped_too(tmp_path: Path) -> None:
    """`run RUBRIC *` in a shell names last run's workbook too: skipped, with its warning."""
    outputs = every_output(STREET, SAMPLE, tmp_path / "last")
    status, _, err = invoke("validate", STREET, SAMPLE, tmp_path / "last" / "results.xlsx",
                            tmp_path / "last" / "ranking.csv")
    assert status == 0, err
    assert len(warned(err, "this tool wrote")) == 2
    assert outputs


@pytest.mark.parametrize("option", [["-o", "收件箱/results.xlsx"], ["--csv", "收件箱"],
                                    ["--csv", "收件箱/结果"], ["--json", "收件箱/r.json"]])
def test_an_output_inside_an_input_folder_is_refused_before_any_work(
    inbox: Path, option: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """An output the next run would find among the checklists is a usage error
    (exit 2), found before reading anything; nothing is written."""
    monkeypatch.chdir(inbox.parent)
    before = sorted(path.name for path in inbox.rglob("*"))
    status, _, err = invoke("run", STREET, "收件箱", *option)
    assert status == 2
    assert "is inside the input folder '收件箱'; write the outputs elsewhere" in err
    assert "warning" not in err  # refused before the folder was read
    assert sorted(path.name for path in inbox.rglob("*")) == before
