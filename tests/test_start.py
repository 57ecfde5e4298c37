"""The command line starts at once: each command imports what it needs when it runs.

The times themselves are measured by benchmarks/bench_start.py; here, what is
imported, which is what the times follow.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
RUBRIC = ROOT / "rubrics" / "street-2025-h1.toml"
SAMPLE = ROOT / "samples" / "街道社区2025上半年.csv"



def modules_after(arguments: list[str]) -> set[str]:
    """The modules a fresh interpreter holds after running the command line."""
    script = (
        "import sys\n"
        "from inspect_score.cli.main import main\n"
        f"try:\n    main({arguments!r})\nexcept SystemExit:\n    pass\n"
        "print('\\n'.join(sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=True)
    return {line.split(".")[0] for line in done.stdout.splitlines()}


HEAVY = {"pandas", "pyarrow", "scipy", "docx", "numpy", "xlsxwriter", "python_calamine", "rich"}


@pytest.mark.parametrize("arguments", [["--version"], ["--help"], ["run", "--help"]])
def test_version_and_help_import_no_heavy_library(arguments: list[str]) -> None:
    """--version and --help start without pandas, Arrow, SciPy, python-docx, NumPy,
    the writers or rich."""
    assert modules_after(arguments) & HEAVY == set()


def test_check_reads_a_rubric_without_the_array_libraries() -> None:
    """check needs the rubric reader only: no NumPy, pandas, Arrow or SciPy."""
    assert modules_after(["check", str(RUBRIC)]) & HEAVY == set()


def test_a_csv_run_leaves_the_workbook_writer_and_docx_alone(tmp_path: Path) -> None:
    """run --csv imports what scoring needs, not xlsxwriter, python-docx or SciPy."""
    loaded = modules_after(["run", str(RUBRIC), str(SAMPLE), "--csv", str(tmp_path / "out"),
                            "-q"])
    assert "pandas" in loaded
    assert loaded & {"xlsxwriter", "docx", "scipy"} == set()


def test_the_command_lines_default_of_best_is_the_bulletins() -> None:
    """--best's default is written in the command line (so that its help does not import
    python-docx): it is the bulletin's own."""
    from inspect_score.cli.followup import BEST_BRANCHES as said
    from inspect_score.followup.bulletin import BEST_BRANCHES

    assert said == BEST_BRANCHES
