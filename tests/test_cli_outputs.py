"""The command line's outputs under stress: folders that cannot be written, a full disk,
odd arguments, bugs. Never a traceback, never a half-written output."""

from __future__ import annotations

import errno
import json
import re
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from test_cli import CHECKLIST, RUBRIC

from inspect_score import __version__
from inspect_score.cli.main import main


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder holding a small valid rubric and checklist, made the current folder."""
    (tmp_path / "rubric.toml").write_text(RUBRIC, encoding="utf-8")
    (tmp_path / "list.csv").write_text(CHECKLIST, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def files_in(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*"))


def one_line(err: str) -> str:
    """The error lines of stderr, without the count line; there must be exactly one."""
    lines = [line for line in err.splitlines() if not re.match(r"\d+ errors?; ", line)]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


# --- before any work: exit 2 ----------------------------------------------------------


@pytest.mark.parametrize("option", ["-o", "--json", "--csv"])
def test_run_into_a_read_only_folder_is_refused_before_any_work(
    work: Path, read_only_folder: Path, option: str
) -> None:
    """run -o / --json / --csv into a folder that cannot be written: exit 2, one line naming
    the folder, nothing written anywhere."""
    before = files_in(work)
    status, _, err = invoke("run", "rubric.toml", "list.csv", option,
                            str(read_only_folder / "out"), "-q")
    assert status == 2
    assert "not writable" in err and str(read_only_folder) in err and "Traceback" not in err
    assert files_in(work) == before


@pytest.mark.parametrize("command", [
    ["template", "rubric.toml", "-o"],
    ["bulletin", "rubric.toml", "list.csv", "-o"],
    ["explain", "rubric.toml", "list.csv", "--all", "-o"],
])
def test_other_commands_refuse_a_read_only_folder(
    work: Path, read_only_folder: Path, command: list[str]
) -> None:
    """template, bulletin and explain check their output's folder before any work too."""
    suffix = ".md" if command[0] == "bulletin" else ".xlsx"
    status, _, err = invoke(*command, str(read_only_folder / f"out{suffix}"))
    assert status == 2
    assert "not writable" in one_line(err)


def test_an_output_inside_a_file_is_refused(work: Path) -> None:
    """`-o somefile/out.xlsx`: exit 2, naming the file that is not a folder."""
    (work / "somefile").write_text("x")
    status, _, err = invoke("run", "rubric.toml", "list.csv", "-o", "somefile/out.xlsx")
    assert status == 2
    assert "somefile is a file, not a folder" in one_line(err)


@pytest.mark.parametrize("length", [246, 250, 255])
def test_an_output_name_of_up_to_255_bytes_is_written(work: Path, length: int) -> None:
    """Names of 246-255 bytes are written (the temporary name beside them stays short)."""
    name = "x" * (length - 5) + ".json"
    status, _, err = invoke("run", "rubric.toml", "list.csv", "--json", name, "-q")
    assert status == 0, err
    assert json.loads((work / name).read_text(encoding="utf-8"))["ranking"]


def test_an_output_name_over_255_bytes_is_refused(work: Path) -> None:
    """A name no file system takes: exit 2, before any work."""
    status, _, err = invoke("run", "rubric.toml", "list.csv", "--json", "书" * 86 + ".json")
    assert status == 2
    assert "bytes long" in one_line(err)


# --- while writing: exit 1, every target as it was ------------------------------------


def test_a_full_disk_is_one_line_and_leaves_nothing(work: Path, small_disk: Path) -> None:
    """Outputs that fill the disk: exit 1, one line saying so, nothing left on the disk."""
    rows = "".join(f"B{n},Branch number {n},{n % 13},yes\n" for n in range(1, 3001))
    (work / "many.csv").write_text("branch_id,branch_name,Meetings held,dues\n" + rows, "utf-8")
    status, _, err = invoke("run", "rubric.toml", "many.csv", "--csv", str(small_disk / "out"),
                            "--json", str(small_disk / "r.json"), "-q")
    assert status == 1
    assert "the disk is full" in one_line(err)
    assert list(small_disk.iterdir()) == []


def test_a_write_failing_midway_keeps_the_previous_outputs(
    work: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With --force over earlier outputs, a disk that fills while writing the JSON leaves
    the earlier workbook and JSON exactly as they were."""
    assert invoke("run", "rubric.toml", "list.csv", "-o", "r.xlsx", "--json", "r.json",
                  "-q")[0] == 0
    before = {name: (work / name).read_bytes() for name in ("r.xlsx", "r.json")}

    def full(*_: object, **__: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("inspect_score.outputs.write.write_json", full)
    status, _, err = invoke("run", "rubric.toml", "list.csv", "-o", "r.xlsx", "--json",
                            "r.json", "--force", "-q")
    assert status == 1
    assert "the disk is full" in one_line(err)
    assert {name: (work / name).read_bytes() for name in before} == before
    assert sorted(p.name for p in work.iterdir()) == ["list.csv", "r.json", "r.xlsx",
                                                      "rubric.toml"]


# --- bugs: exit 3, one line ------------------------------------------------------------


def test_an_unexpected_error_is_one_line_and_exit_3(
    work: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bug never shows a traceback: one line saying what failed, that it is a bug to
    report, and the version; exit 3; nothing written. --debug shows the trace."""

    def broken(*_: object) -> None:
        raise ZeroDivisionError("division by zero")

    # the command imports evaluate when it runs: replace it where it is imported from
    monkeypatch.setattr("inspect_score.scoring.pipeline.evaluate", broken)
    status, _, err = invoke("run", "rubric.toml", "list.csv", "-q")
    assert status == 3
    line = one_line(err)
    assert "ZeroDivisionError: division by zero" in line
    assert "bug" in line and __version__ in line
    assert not (work / "results.xlsx").exists()
    status, _, err = invoke("--debug", "run", "rubric.toml", "list.csv", "-q")
    assert status == 3
    assert "Traceback" in err and "def broken" not in err and "broken" in err


# --- odd arguments and inputs ----------------------------------------------------------


def test_days_beyond_ten_years_is_a_usage_error(work: Path) -> None:
    """--days 999999999 overflowed the date: now a usage error naming the option."""
    status, _, err = invoke("run", "rubric.toml", "list.csv", "--rectify", "--days",
                            "999999999", "--inspected-on", "2025-06-30")
    assert status == 2
    assert "--days" in err and "Traceback" not in err


@pytest.mark.parametrize("text", ["{total:.5f}", "{total:>300000000}", "{total!r}"])
def test_a_bulletin_template_with_format_specs_is_refused(work: Path, text: str) -> None:
    """Format specs in a bulletin template failed at writing time or wrote hundreds of
    megabytes: refused up front, naming the key."""
    from inspect_score.followup.bulletin import load_template

    template = load_template(None, "en")
    lines = ["[words]"] + [f"{key} = {json.dumps(value)}" for key, value in
                            template.words.items()]
    lines += ["[text]"] + [f"{key} = {json.dumps(text if key == 'best_entry' else value)}"
                           for key, value in template.text.items()]
    (work / "wording.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    status, _, err = invoke("bulletin", "rubric.toml", "list.csv", "-o", "b.md",
                            "--template", "wording.toml")
    assert status == 1
    assert "text.best_entry" in err and "format specs are not allowed" in err
    assert not (work / "b.md").exists()


def test_a_run_with_no_branch_is_an_input_error(work: Path) -> None:
    """A checklist with only its header: exit 1 naming it, nothing written; bulletin too."""
    (work / "empty.csv").write_text("branch_id,branch_name,Meetings held,dues\n", "utf-8")
    status, _, err = invoke("run", "rubric.toml", "empty.csv", "--csv", "out")
    assert status == 1
    assert "empty.csv: the checklists hold no branch rows" in one_line(err)
    status, _, err = invoke("bulletin", "rubric.toml", "empty.csv", "-o", "b.md")
    assert status == 1
    assert "hold no branch rows" in one_line(err)
    assert sorted(p.name for p in work.iterdir()) == ["empty.csv", "list.csv", "rubric.toml"]


def test_deeply_nested_json_given_to_trend_is_an_input_error(work: Path) -> None:
    """trend on a JSON file nested 100,000 deep: exit 1 naming it, no RecursionError."""
    (work / "deep.json").write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    status, _, err = invoke("trend", "deep.json")
    assert status == 1
    assert "deep.json: is nested too deeply" in one_line(err)


def test_points_too_large_to_write_are_refused_at_the_rubric(work: Path) -> None:
    """Points of 1e17 overflowed summary.csv and 1e306 made NaN in the workbook: a rubric
    number beyond 10**12 is an error at its line."""
    big = RUBRIC.replace("total = 10", "total = 1e17")
    (work / "big.toml").write_text(big, encoding="utf-8")
    status, _, err = invoke("run", "big.toml", "list.csv", "--csv", "out")
    assert status == 1
    assert re.search(r"big\.toml:\d+: rubric\.total: is 1e\+17", err)
    assert not (work / "out").exists()


def test_explain_all_with_ids_no_sheet_could_be_named(work: Path) -> None:
    """explain --all -o with ids that are not valid sheet names (too long, []:*?/\\, an
    apostrophe, History, equal once cleaned): the sheets are the tool's own, and every
    id is listed as written, its link landing on its own block."""
    ids = ["'q'", "History", "a" * 40, "a" * 40 + "b", "x[1]", "x_1_", "a/b\\c*?:"]
    rows = "".join(f"{branch_id},N{n},{n},yes\n" for n, branch_id in enumerate(ids))
    (work / "odd.csv").write_text("branch_id,branch_name,Meetings held,dues\n" + rows, "utf-8")
    status, _, err = invoke("explain", "rubric.toml", "odd.csv", "--all", "-o", "e.xlsx")
    assert status == 0, err
    book = openpyxl.load_workbook(work / "e.xlsx")
    contents = book.worksheets[0]
    listed = [contents.cell(row, 2).value for row in range(3, 3 + len(ids))]
    assert sorted(listed) == sorted(ids)
    for row, branch_id in enumerate(listed, start=3):
        sheet_name, cell = contents.cell(row, 6).hyperlink.location.split("!")
        block = book[sheet_name.strip("'")][cell]
        assert block.value.endswith(f"({branch_id}): the result explained"), block.value


def test_escape_sequences_in_cells_never_reach_the_terminal(work: Path) -> None:
    """A name and a value holding escape sequences and a bell: the ranking, explain and
    the error message show them as \\x1b-style escapes, never raw."""
    nasty = "\x1b[2J\x1b]0;pwned\x07"
    (work / "odd.csv").write_text("branch_id,branch_name,Meetings held,dues\n"
                                  f"B1,North{nasty},12,yes\nB2,South,6,no\n", "utf-8")
    for args in (["run", "rubric.toml", "odd.csv"], ["explain", "rubric.toml", "odd.csv",
                                                      "--branch", "B1"]):
        status, out, err = invoke(*args)
        assert status == 0, err
        assert "\x1b" not in out + err and "\x07" not in out + err
        assert "North\\x1b[2J" in out
    (work / "bad.csv").write_text("branch_id,branch_name,Meetings held,dues\n"
                                  f"B1,North,12{nasty},yes\n", "utf-8")
    status, _, err = invoke("validate", "rubric.toml", "bad.csv")
    assert status == 1
    assert "\x1b" not in err and "\\x1b[2J" in err
