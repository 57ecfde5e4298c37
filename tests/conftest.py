"""What every test starts from, and fixtures for file systems that refuse writes:
read-only, and full.

Every test runs in the same language (english_system). A read-only folder is a
read-only tmpfs where the tests may mount one (as root, where permission bits do
not stop writes), else a folder without write permission. A small disk is a
64 KiB tmpfs; without the right to mount one the tests that need it are skipped
(others fake ENOSPC).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def english_system(monkeypatch: pytest.MonkeyPatch) -> None:
    """The same language on every machine: no INSPECT_SCORE_LANG, and a system locale
    that is neither Chinese nor anything else a developer's desk might have. Commands
    on a rubric speak its language; a test wanting another says so."""
    monkeypatch.delenv("INSPECT_SCORE_LANG", raising=False)
    for variable in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")


def _mount_tmpfs(folder: Path, options: str) -> bool:
    if os.geteuid() != 0 or shutil.which("mount") is None:
        return False
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)],
                          capture_output=True, check=False)
    return done.returncode == 0


def _unmount(folder: Path) -> None:
    subprocess.run(["umount", str(folder)], capture_output=True, check=False)


@pytest.fixture
def read_only_folder(tmp_path: Path) -> Iterator[Path]:
    """An empty folder no file can be written in."""
    folder = tmp_path / "read-only"
    folder.mkdir()
    if _mount_tmpfs(folder, "ro,size=64k"):
        yield folder
        _unmount(folder)
    elif os.geteuid() != 0:
        folder.chmod(0o555)
        yield folder
        folder.chmod(0o755)
    else:
        pytest.skip("root without the right to mount: no folder is read-only to it")


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """An empty folder on a 64 KiB file system."""
    folder = tmp_path / "small-disk"
    folder.mkdir()
    if not _mount_tmpfs(folder, "size=64k"):
        pytest.skip("mounting a small tmpfs needs root")
    yield folder
    _unmount(folder)
