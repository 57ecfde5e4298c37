"""The command line, through the real command: exit codes, messages, files written or not."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from inspect_score.cli.main import main

RUBRIC = """\
schema = 1

[rubric]
id = "cli-test"
title = "CLI test rubric"
lang = "en"
total = 10

[[field]]
id = "meetings"
label = "Meetings held"
type = "int"
min = 0
max = 50

[[field]]
id = "dues"
type = "bool"

[[section]]
id = "org"
title = "Organisation"
max = 10

[[indicator]]
id = "meetings_ok"
section = "org"
title = "Meetings"
field = "meetings"
max = 6
rule = "scale"
target = 12

[[indicator]]
id = "dues_ok"
section = "org"
title = "Dues"
field = "dues"
max = 4
rule = "check"

[[grade]]
name = "good"
min = 8

[[grade]]
name = "poor"
min = 0
"""

CHECKLIST = """\
branch_id,branch_name,Meetings held,dues
B1,North,12,yes
B2,South,6,no
B10,=HYPERLINK("x"),12,yes
"""


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
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def test_run_without_outputs_writes_results_xlsx_and_prints_the_ranking(work: Path) -> None:
    """`run` with no -o, --csv or --json writes results.xlsx here and prints the ranking."""
    status, out, _ = invoke("run", "rubric.toml", "list.csv")
    assert status == 0
    assert (work / "results.xlsx").is_file()
    assert out.index("B1") < out.index("B10") < out.index("B2")
    book = openpyxl.load_workbook(work / "results.xlsx")
    assert len(book.sheetnames) >= 4


def test_run_writes_every_output_asked_for(work: Path) -> None:
    """-o, --csv and --json together write the workbook, four CSV files and the JSON file."""
    status, _, _ = invoke(
        "run", "rubric.toml", "list.csv", "-o", "r.xlsx", "--csv", "out", "--json", "r.json"
    )
    assert status == 0
    assert files_in(work) == [
        "list.csv",
        "out/findings.csv",
        "out/points.csv",
        "out/ranking.csv",
        "out/summary.csv",
        "r.json",
        "r.xlsx",
        "rubric.toml",
    ]
    ranking = (work / "out" / "ranking.csv").read_text(encoding="utf-8-sig").splitlines()
    assert ranking[0].startswith("rank,branch_id,branch_name,total,base,bonus,penalty,grade,vetoed")
    assert ranking[1].startswith('1,"B1","North",10.00')
    # a branch named like a formula stays text in the CSV output
    assert "'=HYPERLINK" in ranking[2]


def test_an_existing_output_is_kept_without_force(work: Path) -> None:
    """An output that exists is not overwritten without --force (exit 2), and is with it."""
    (work / "r.xlsx").write_bytes(b"keep me")
    status, _, err = invoke("run", "rubric.toml", "list.csv", "-o", "r.xlsx")
    assert status == 2
    assert "r.xlsx: exists already; pass --force" in err
    assert (work / "r.xlsx").read_bytes() == b"keep me"
    status, _, _ = invoke("run", "rubric.toml", "list.csv", "-o", "r.xlsx", "--force")
    assert status == 0
    assert (work / "r.xlsx").read_bytes()[:2] == b"PK"


def test_an_input_is_never_overwritten(work: Path) -> None:
    """An output naming an input is wrong usage (exit 2), even with --force."""
    before = (work / "list.csv").read_bytes()
    status, _, err = invoke("run", "rubric.toml", "list.csv", "--json", "list.csv", "--force")
    assert status == 2
    assert "list.csv: is an input of this run" in err
    assert (work / "list.csv").read_bytes() == before


def test_bad_input_is_reported_in_full_and_nothing_is_written(work: Path) -> None:
    """Every bad cell is reported as PATH:ROW:COLUMN: message, exit 1, and no output appears."""
    (work / "bad.csv").write_text(
        "branch_id,branch_name,Meetings held,dues\nB1,North,12.5,yes\nB2,South,6,maybe\n",
        encoding="utf-8",
    )
    status, _, err = invoke("run", "rubric.toml", "bad.csv", "--csv", "out", "-o", "r.xlsx")
    assert status == 1
    assert "bad.csv:2:Meetings held:" in err
    assert "bad.csv:3:dues:" in err
    assert "12.5" in err and "maybe" in err
    assert "Traceback" not in err
    assert files_in(work) == ["bad.csv", "list.csv", "rubric.toml"]


def test_a_bad_rubric_is_reported_with_its_line(work: Path) -> None:
    """A rubric error names the file, the line and the key path; exit 1, nothing written."""
    (work / "bad.toml").write_text(RUBRIC.replace('rule = "scale"', 'rule = "scal"'), "utf-8")
    status, _, err = invoke("run", "bad.toml", "list.csv")
    assert status == 1
    line = RUBRIC.splitlines().index('rule = "scale"') + 1
    assert f"bad.toml:{line}: indicator[1].rule: " in err
    assert not (work / "results.xlsx").exists()


def test_check_accepts_a_good_rubric_and_refuses_a_bad_one(work: Path) -> None:
    """`check` exits 0 for a valid rubric and 1 with PATH:LINE messages for an invalid one."""
    assert invoke("check", "rubric.toml")[0] == 0
    (work / "bad.toml").write_text(RUBRIC.replace("max = 6", "max = 7"), "utf-8")
    status, _, err = invoke("check", "rubric.toml", "bad.toml")
    assert status == 1
    assert "bad.toml:" in err and "rubric.toml:" not in err.replace("bad.toml", "")


def test_a_rubric_saved_in_gbk_gets_a_clear_error(work: Path) -> None:
    """A rubric that is not UTF-8 is refused with a message, not a traceback."""
    (work / "gbk.toml").write_bytes(RUBRIC.replace("CLI test", "测试细则").encode("gbk"))
    status, _, err = invoke("check", "gbk.toml")
    assert status == 1
    assert "gbk.toml" in err and "UTF-8" in err
    assert "Traceback" not in err


def test_validate_scores_nothing_and_writes_nothing(work: Path) -> None:
    """`validate` exits 0 on good checklists, 1 on bad ones, and never writes a file."""
    status, _, err = invoke("validate", "rubric.toml", "list.csv")
    assert status == 0
    assert "3 branches" in err
    (work / "bad.csv").write_text("branch_id,branch_name,Meetings held,dues\nB1,N,,yes\n", "utf-8")
    status, _, err = invoke("validate", "rubric.toml", "bad.csv")
    assert status == 1
    assert "bad.csv:2:Meetings held:" in err
    # it counts the errors, and does not say it wrote nothing, as if it might have
    assert err.rstrip().endswith("1 error.")
    assert files_in(work) == ["bad.csv", "list.csv", "rubric.toml"]


@pytest.mark.parametrize(
    "args",
    [
        ["run", "rubric.toml", "missing.csv"],
        ["run", "rubric.toml", "list.csv", "--no-such-option"],
        ["run", "rubric.toml"],
        ["check", "missing.toml"],
    ],
)
def test_wrong_usage_exits_2(work: Path, args: list[str]) -> None:
    """A missing file, an unknown option or a missing argument is wrong usage: exit 2."""
    assert invoke(*args)[0] == 2
    assert not (work / "results.xlsx").exists()


def test_the_installed_command_runs(work: Path) -> None:
    """`python -m inspect_score` runs the same command line, with --version."""
    completed = subprocess.run(
        [sys.executable, "-m", "inspect_score", "--version"], capture_output=True, text=True
    )
    assert completed.returncode == 0
    assert completed.stdout.startswith("inspect-score, version ")


ROOT = Path(__file__).resolve().parent.parent


def test_every_command_is_documented_in_the_readme() -> None:
    """Each command of the CLI is named in README.md, in backticks."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [name for name in main.commands if f"`{name}" not in readme
               and f"inspect-score {name}" not in readme]
    assert missing == []


def test_the_readme_first_command_runs_on_the_bundled_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The README's first command scores the bundled sample under the bundled rubric."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    command = next(line for line in readme.splitlines() if "inspect-score run rubrics/" in line)
    words = command.split("inspect-score ", 1)[1].split()
    monkeypatch.chdir(ROOT)
    words = [str(tmp_path / word) if word.endswith(".xlsx") else word for word in words]
    status, out, err = invoke(*words)
    assert status == 0, err
    assert "幸福里社区" in out
    assert (tmp_path / "results.xlsx").is_file()


def test_progress_advances_a_step_at_a_time_on_a_terminal() -> None:
    """On a terminal the progress bar counts the steps done and names the current one."""
    import io

    from rich.console import Console
    from rich.progress import MofNCompleteColumn, Progress, TextColumn

    from inspect_score.cli.support import Steps

    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, color_system=None, width=60)
    with Progress(MofNCompleteColumn(), TextColumn("{task.description}"), console=console,
                  auto_refresh=False) as progress:
        steps = Steps(progress, total=2)
        assert steps.run("Reading", lambda: 1) == 1
        progress.refresh()
        assert "1/2 Reading" in screen.getvalue()
        steps.run("Scoring", lambda: None)
        progress.refresh()
        assert "2/2 Scoring" in screen.getvalue()


def test_no_progress_display_when_stderr_is_not_a_terminal(work: Path) -> None:
    """Redirected stderr gets the messages only, no spinner or bar."""
    status, _, err = invoke("run", "rubric.toml", "list.csv", "-q")
    assert status == 0
    assert err.strip() == "Wrote results.xlsx"


def test_a_sheet_past_excel_s_limit_is_a_warning_naming_the_workbook(
    work: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Above Excel's row limit the run still succeeds; the warning names the workbook asked
    for (not its temporary file) and points to the CSV outputs, which carry every row."""
    from inspect_score.outputs import workbook

    monkeypatch.setattr(workbook, "EXCEL_MAX_ROWS", 4)  # title, header and two rows
    status, _, err = invoke("run", "rubric.toml", "list.csv", "-o", "r.xlsx", "--csv", "out")
    assert status == 0
    assert "r.xlsx: warning: sheet 'Ranking' holds only the first 2 of 3 rows" in err
    assert ".tmp" not in err
    ranking = (work / "out" / "ranking.csv").read_text(encoding="utf-8-sig").splitlines()
    assert len(ranking) == 4


def test_a_long_ranking_is_shown_in_part_unless_top_says_otherwise(work: Path) -> None:
    """More than 200 branches: the terminal shows the first 50 and how many more there are;
    --top N shows N; the outputs always hold every branch."""
    rows = "".join(f"B{n},Branch {n},{n % 13},yes\n" for n in range(1, 252))
    (work / "many.csv").write_text("branch_id,branch_name,Meetings held,dues\n" + rows, "utf-8")
    status, out, _ = invoke("run", "rubric.toml", "many.csv", "--csv", "out")
    assert status == 0
    assert out.count("Branch ") == 50
    assert "… 201" in out
    status, out, _ = invoke("run", "rubric.toml", "many.csv", "--top", "3", "--json", "r.json")
    assert status == 0
    assert out.count("Branch ") == 3
    ranking = (work / "out" / "ranking.csv").read_text(encoding="utf-8-sig").splitlines()
    assert len(ranking) == 252
