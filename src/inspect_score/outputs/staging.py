"""Writing outputs so that a failed run leaves nothing behind.

Every output is first written to a temporary file beside its target; only
when all of them are complete are they renamed into place. Before anything is
written, the targets are checked: an existing file needs ``force``, and an
input is never a target, ``force`` or not.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path

from inspect_score.errors import Issue, OutputError


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (a.exists() and b.exists() and a.samefile(b))
    except OSError:
        return False


def _input_files(inputs: Sequence[Path]) -> list[Path]:
    """Inputs and, for folders, the files inside them: none may be overwritten."""
    files: list[Path] = []
    for path in inputs:
        files.append(path)
        if path.is_dir():
            files.extend(child for child in path.iterdir() if child.is_file())
    return files


def check_targets(targets: Sequence[Path], inputs: Sequence[Path], *, force: bool) -> list[Issue]:
    """Usage problems with the outputs of a run, found before any work is done."""
    issues: list[Issue] = []
    protected = _input_files(inputs)
    seen: list[Path] = []
    for target in targets:
        if any(_same_file(target, source) for source in protected):
            issues.append(
                Issue(
                    "output-is-input",
                    "is an input of this run; it is never overwritten",
                    str(target),
                )
            )
        elif any(_same_file(target, other) for other in seen):
            issues.append(
                Issue("output-twice", "is named for two outputs of this run", str(target))
            )
        elif target.is_dir():
            issues.append(
                Issue("output-is-folder", "is a folder; expected a file name", str(target))
            )
        elif target.exists() and not force:
            issues.append(
                Issue("output-exists", "exists already; pass --force to overwrite it", str(target))
            )
        seen.append(target)
    return issues


def temporary_beside(target: Path) -> Path:
    """A temporary name beside the target, so that the final rename stays on one
    file system and is atomic."""
    return target.with_name(f".{target.name}.{os.getpid()}.tmp")


def _locked(target: Path, error: OSError) -> OutputError:
    return OutputError(
        [
            Issue(
                "output-locked",
                f"cannot be written ({error.strerror or error}); "
                "if it is open in Excel or WPS, close it and run again",
                str(target),
            )
        ]
    )


def _ensure_writable(target: Path) -> None:
    """Fail before the first rename if any target is held open by another program.

    Excel and WPS lock the workbooks they have open; finding that out while
    renaming would leave some outputs replaced and others not.
    """
    if not target.exists():
        return
    try:
        with open(target, "r+b"):
            pass
    except PermissionError as error:
        raise _locked(target, error) from error


@contextlib.contextmanager
def staged(temporaries: Mapping[Path, Path]) -> Iterator[None]:
    """Let the body write each target's temporary file; rename them all into place at the end.

    ``temporaries`` maps each target to the temporary path the body writes
    (see :func:`temporary_beside`). Folders the targets need are made first.
    If the body raises, or any target turns out to be locked, every temporary
    file and every folder made here is removed, and the targets are left as
    they were.
    """
    # Folders made for the targets stay; folders made only to hold temporary
    # files (a private one inside an output folder) go once the renames are done.
    for_targets = _make_folders(temporaries.keys())
    for_temporaries = _make_folders(temporaries.values())
    try:
        yield
        for target in temporaries:
            _ensure_writable(target)
        for target, temporary in temporaries.items():
            try:
                os.replace(temporary, target)
            except PermissionError as error:
                raise _locked(target, error) from error
    except BaseException:
        for temporary in temporaries.values():
            with contextlib.suppress(FileNotFoundError):
                temporary.unlink()
        _remove_folders(for_targets)
        raise
    finally:
        _remove_folders(for_temporaries)


def _make_folders(paths: Iterable[Path]) -> list[Path]:
    """Make the missing folders the paths need; return them, outermost first."""
    made: list[Path] = []
    for path in paths:
        folder = path.parent
        missing = []
        while not folder.exists():
            missing.append(folder)
            folder = folder.parent
        for new_folder in reversed(missing):
            new_folder.mkdir()
            made.append(new_folder)
    return made


def _remove_folders(folders: list[Path]) -> None:
    for folder in reversed(folders):
        shutil.rmtree(folder, ignore_errors=True)
