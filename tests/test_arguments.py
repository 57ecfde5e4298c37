"""Arguments as people type them, through the real command: rubric and
checklist swapped, a branch named by its name, ``run --self-check`` alone."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from inspect_score.cli.main import main
from inspect_score.selfcheck.explain import find_branches

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


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty current folder: whatever a command writes unasked lands here."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_a_checklist_where_the_rubric_goes_is_said_plainly(here: Path) -> None:
    """`run CHECKLIST RUBRIC` (a GBK CSV read as TOML used to give "not UTF-8") is
    wrong usage (exit 2), and the message gives the command in the right order."""
    status, _, err = invoke("run", SAMPLE, STREET)
    assert status == 2
    assert err.splitlines()[0] == (
        f"{SAMPLE}: is a checklist (.csv), not a rubric: the rubric comes first; "
        f"did you mean: inspect-score run {STREET} {SAMPLE}")
    assert "UTF-8" not in err
    assert list(here.iterdir()) == []


@pytest.mark.parametrize("command", [["validate"], ["explain", "--all"], ["sensitivity"],
                                     ["bulletin", "-o", "b.md"]])
def test_every_command_taking_a_rubric_and_checklists_says_so(
    here: Path, command: list[str]
) -> None:
    """The same words on every command that takes RUBRIC INPUT..."""
    status, _, err = invoke(command[0], SAMPLE, STREET, *command[1:])
    assert status == 2
    assert f"did you mean: inspect-score {command[0]} {STREET} {SAMPLE}" in err


def test_a_workbook_where_the_rubric_goes_without_a_rubric_anywhere(here: Path) -> None:
    """With no rubric among the inputs, the message gives the command's shape."""
    form = here / "form.xlsx"
    assert invoke("template", STREET, "-o", form)[0] == 0
    status, _, err = invoke("validate", form, SAMPLE)
    assert status == 2
    assert f"{form}: is a checklist (.xlsx), not a rubric: the rubric comes first; " \
        "expected: inspect-score validate RUBRIC INPUT..." in err


def test_a_rubric_among_the_checklists_is_said_plainly(here: Path) -> None:
    """A second rubric given as an input is wrong usage, not a skipped file."""
    other = here / "other.toml"
    shutil.copy(STREET, other)
    status, _, err = invoke("run", STREET, SAMPLE, other)
    assert status == 2
    assert f"{other}: is a rubric, not a checklist: the rubric comes first, then the " \
        "checklists (inspect-score run RUBRIC INPUT...)" in err
    assert list(here.iterdir()) == [other]


def test_check_given_a_checklist_says_it_is_not_a_rubric(here: Path) -> None:
    status, _, err = invoke("check", SAMPLE)
    assert status == 2
    assert f"{SAMPLE}: is a checklist (.csv), not a rubric" in err


def test_explain_takes_a_branch_by_its_name(here: Path) -> None:
    """`--branch 金桥社区` explains SQ07, exactly as `--branch SQ07` does."""
    by_name = invoke("explain", STREET, SAMPLE, "--branch", "金桥社区")
    by_id = invoke("explain", STREET, SAMPLE, "--branch", "SQ07")
    assert by_name[0] == 0, by_name[2]
    assert by_name == by_id
    assert "金桥社区" in by_name[1]


def test_a_name_two_branches_share_is_an_error_listing_their_ids(here: Path) -> None:
    """Two rows named alike (a 名称 typed twice): the name is ambiguous, the ids are given."""
    text = SAMPLE.read_bytes().decode("gb18030").replace("南苑社区", "金桥社区")
    rows = list(csv.reader(io.StringIO(text)))
    form = here / "a.csv"
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    form.write_text(buffer.getvalue(), encoding="utf-8")
    status, _, err = invoke("explain", STREET, form, "--branch", "金桥社区")
    assert status == 1
    assert "'金桥社区' is the name of 2 branches (SQ07, SQ13); name the one meant by its id" \
        in err


def test_branches_are_found_by_id_before_name() -> None:
    """An id wins over a name spelled like it; unknown names get the closest ids."""
    ids, names = ["A", "B", "C"], ["B", "北区", "北区"]
    assert find_branches(ids, names, ["B", "A"], "x.csv") == (["B", "A"], [])
    found, issues = find_branches(ids, names, ["北区", "南区"], "x.csv")
    assert found == []
    assert [issue.code for issue in issues] == ["ambiguous-branch", "unknown-branch"]


def test_run_self_check_writes_only_what_is_asked(here: Path) -> None:
    """`run --self-check` with no output option prints the result and writes no
    results.xlsx, so that running it again (after a fix) just works."""
    for _ in range(2):
        status, out, err = invoke("run", "--self-check", STREET, SAMPLE)
        assert status == 0, err
        assert "幸福里社区" in out
        assert "Wrote" not in err
    assert list(here.iterdir()) == []
    assert invoke("run", "--self-check", STREET, SAMPLE, "--json", "r.json", "-q")[0] == 0
    assert [path.name for path in here.iterdir()] == ["r.json"]


@pytest.mark.parametrize(("args", "usage"), [
    (["template", SAMPLE, "-o", "form.xlsx"], "inspect-score template RUBRIC -o FORM.xlsx"),
    (["trend", STREET, "--rubric", SAMPLE], "inspect-score trend INPUT... --rubric RUBRIC"),
    (["calibrate", SAMPLE, "--self", STREET, "--inspection", SAMPLE],
     "inspect-score calibrate RUBRIC --self INPUT --inspection INPUT"),
])
def test_commands_whose_rubric_is_not_first_give_their_own_shape(
    here: Path, args: list[str | Path], usage: str
) -> None:
    """A checklist given as the rubric of template, trend --rubric or calibrate is
    said plainly with the command's own synopsis, not a positional guess."""
    status, _, err = invoke(*args)
    assert status == 2
    assert f"{SAMPLE}: is a checklist (.csv), not a rubric; expected: {usage}" in err
    assert list(here.iterdir()) == []


def test_the_checklist_suffixes_told_from_rubrics_are_the_readers() -> None:
    """What the command line takes for a checklist is what the readers read as one."""
    from inspect_score.checklists.readers import CSV_SUFFIXES, SHEET_SUFFIXES
    from inspect_score.cli.support import CHECKLIST_SUFFIXES

    assert CHECKLIST_SUFFIXES == CSV_SUFFIXES | SHEET_SUFFIXES
