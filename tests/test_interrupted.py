"""Runs stopped mid-write by a signal, and two runs writing the same outputs, as real
processes: no temporary file or folder is left, no target is half replaced."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_cli import CHECKLIST, RUBRIC

PAUSED = Path(__file__).with_name("paused_run.py")
OUTPUTS = ["--csv", "out", "--json", "r.json", "-o", "r.xlsx", "-q"]


@pytest.fixture
def work(tmp_path: Path) -> Path:
    (tmp_path / "rubric.toml").write_text(RUBRIC, encoding="utf-8")
    (tmp_path / "list.csv").write_text(CHECKLIST, encoding="utf-8")
    return tmp_path


def everything_in(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*"))


class Paused:
    """A run of ``paused_run.py`` in ``folder``, caught once its CSV files are written."""

    def __init__(self, folder: Path, *args: str) -> None:
        self.ready, self.go = folder / "ready.flag", folder / "go.flag"
        env = {**os.environ, "PAUSE_READY": str(self.ready), "PAUSE_GO": str(self.go)}
        self.process = subprocess.Popen(
            [sys.executable, str(PAUSED), "run", "rubric.toml", "list.csv", *args],
            cwd=folder, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def wait_until_writing(self) -> None:
        deadline = time.monotonic() + 60
        while not self.ready.exists():
            assert self.process.poll() is None, self.process.communicate()
            assert time.monotonic() < deadline, "the run never reached its writing step"
            time.sleep(0.01)
        self.ready.unlink()

    def finish(self) -> tuple[int, str]:
        self.go.touch()
        _, err = self.process.communicate(timeout=60)
        self.go.unlink()
        return self.process.returncode, err


@pytest.fixture
def paused(work: Path) -> Iterator[Paused]:
    run = Paused(work, *OUTPUTS)
    yield run
    if run.process.poll() is None:
        run.process.kill()
        run.process.communicate()


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT])
def test_a_signal_mid_write_leaves_nothing_behind(
    work: Path, paused: Paused, stop: signal.Signals
) -> None:
    """SIGTERM and SIGHUP clean up as Ctrl-C does: the temporary files and folders, and the
    output folder the run made, are gone; no traceback."""
    paused.wait_until_writing()
    assert any(".inspect-score." in name for name in everything_in(work))
    paused.process.send_signal(stop)
    _, err = paused.process.communicate(timeout=60)
    expected = 1 if stop == signal.SIGINT else 128 + stop
    assert paused.process.returncode == expected, err
    assert "Traceback" not in err
    assert everything_in(work) == ["list.csv", "rubric.toml"]


def test_what_a_killed_run_left_is_removed_by_the_next(work: Path, paused: Paused) -> None:
    """SIGKILL cannot be caught: its temporaries stay, until the next run writing beside
    them removes them (their process is gone)."""
    paused.wait_until_writing()
    paused.process.kill()
    paused.process.communicate(timeout=60)
    left = [name for name in everything_in(work) if ".inspect-score." in name]
    assert left
    done = subprocess.run([sys.executable, "-m", "inspect_score", "run", "rubric.toml",
                           "list.csv", *OUTPUTS], cwd=work, capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, done.stderr
    assert everything_in(work) == ["list.csv", "out", "out/findings.csv", "out/points.csv",
                                   "out/ranking.csv", "out/summary.csv", "r.json", "r.xlsx",
                                   "rubric.toml"]


def test_a_second_run_that_finds_its_outputs_written_meanwhile_refuses(
    work: Path, paused: Paused
) -> None:
    """Two runs writing the same outputs without --force: the one that finds them written
    since it began exits 2 naming them, and leaves the other run's files as they are."""
    paused.wait_until_writing()
    other = subprocess.run([sys.executable, "-m", "inspect_score", "run", "rubric.toml",
                            "list.csv", *OUTPUTS], cwd=work, capture_output=True, text=True,
                           check=False)
    assert other.returncode == 0, other.stderr
    written = {name: (work / name).read_bytes() for name in
               ("r.json", "r.xlsx", "out/ranking.csv", "out/findings.csv")}
    status, err = paused.finish()
    assert status == 2, err
    assert "was written by another program since this run began" in err
    assert "Traceback" not in err
    assert {name: (work / name).read_bytes() for name in written} == written
    assert not [name for name in everything_in(work) if ".inspect-score." in name]
