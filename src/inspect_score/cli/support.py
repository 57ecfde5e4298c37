"""What every command shares: reporting issues, exit codes, progress on stderr."""

from __future__ import annotations

import datetime
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

from inspect_score.checklists.period import load_checklists_with_period
from inspect_score.checklists.table import Checklists
from inspect_score.errors import InspectError, Issue, OutputConflict, errors_only
from inspect_score.followup.rectify import deadline_from
from inspect_score.outputs.escape import terminal_text
from inspect_score.outputs.staging import OutputPlan, plan_outputs
from inspect_score.rubric.loader import load_rubric
from inspect_score.rubric.model import Rubric

EXIT_INPUT = 1
EXIT_USAGE = 2
EXIT_BUG = 3

T = TypeVar("T")

existing_path = click.Path(exists=True, dir_okay=True, path_type=Path)
rubric_path = click.Path(exists=True, dir_okay=False, path_type=Path)


def stderr_console() -> Console:
    # Chinese names and paths go to stderr too: let rich measure wide characters,
    # but never wrap a PATH:ROW:COLUMN line, which editors and scripts parse.
    return Console(stderr=True, highlight=False, soft_wrap=True)


def report(issues: Iterable[Issue]) -> None:
    console = stderr_console()
    for issue in issues:
        # a cell's text is in the message: never let its control characters reach the terminal
        console.print(terminal_text(str(issue)), markup=False)


def checked_outputs(targets: Sequence[Path], inputs: Sequence[Path], *,
                    force: bool) -> OutputPlan:
    """The outputs checked before any work: a usage error (exit 2) for each that cannot be
    written (exists without --force, is an input, sits in a folder that cannot be written)."""
    plan = plan_outputs(targets, inputs, force=force)
    if plan.issues:
        fail(plan.issues, EXIT_USAGE)
    return plan


def exit_status(error: InspectError) -> int:
    """2 where another run wrote an output meanwhile (a usage problem), else 1."""
    return EXIT_USAGE if isinstance(error, OutputConflict) else EXIT_INPUT


def fail(issues: Sequence[Issue], status: int) -> NoReturn:
    report(issues)
    count = len(errors_only(issues))
    if count:
        noun = "error" if count == 1 else "errors"
        stderr_console().print(f"{count} {noun}; nothing was written.", markup=False)
    sys.exit(status)


class Steps:
    """A progress display on stderr, shown only when stderr is a terminal.

    With a known number of steps it is a bar that advances a step at a time;
    the current step's name stands beside it.
    """

    def __init__(self, progress: Progress | None, total: int | None = None) -> None:
        self._progress = progress
        self._task = None if progress is None else progress.add_task("", total=total)

    def run(self, description: str, work: Callable[[], T]) -> T:
        if self._progress is None or self._task is None:
            return work()
        self._progress.update(self._task, description=description)
        result = work()
        self._progress.advance(self._task)
        return result


@contextmanager
def progress_steps(total: int | None = None) -> Iterator[Steps]:
    """Progress of a command made of ``total`` steps (each a :meth:`Steps.run`)."""
    console = stderr_console()
    if not console.is_terminal:
        yield Steps(None)
        return
    with Progress(
        SpinnerColumn(),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        yield Steps(progress, total)


def load_inputs(
    steps: Steps, rubric_path: Path, inputs: Sequence[Path], encoding: str | None, sheet: str | None
) -> tuple[Rubric, Checklists]:
    """The rubric and its checklists. A period (期间) column is the run's, not a field:
    read and set aside as ``run`` and ``bulletin`` read it, never warned about."""
    rubric = steps.run("Reading the rubric", lambda: load_rubric(rubric_path))
    checklists, _ = steps.run(
        "Reading the checklists",
        lambda: load_checklists_with_period(rubric, inputs, encoding=encoding, sheet=sheet),
    )
    return rubric, checklists


encoding_option = click.option(
    "--encoding",
    metavar="NAME",
    help="Encoding of CSV checklists (default: UTF-8, with or without BOM, else GB18030).",
)
sheet_option = click.option(
    "--sheet", metavar="NAME", help="Sheet of XLSX checklists to read (default: the first)."
)


ISO_DATE = click.DateTime(formats=["%Y-%m-%d"])


def _options(*decorators: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def apply(function: Any) -> Any:
        for decorator in reversed(decorators):
            function = decorator(function)
        return function
    return apply


#: The longest rectification period --days accepts: ten years (a date past year 9999
#: cannot be written at all).
MAX_DAYS = 3660

#: --deadline / --days / --inspected-on, shared by ``run --rectify`` and ``bulletin``.
deadline_options = _options(
    click.option("--deadline", type=ISO_DATE, metavar="YYYY-MM-DD",
                 help="Rectification deadline."),
    click.option("--days", type=click.IntRange(min=0, max=MAX_DAYS), metavar="N",
                 help=f"Rectification deadline as N days after --inspected-on "
                      f"(at most {MAX_DAYS})."),
    click.option("--inspected-on", type=ISO_DATE, metavar="YYYY-MM-DD",
                 help="Date of the inspection (needed by --days)."),
)


def resolve_deadline(deadline: datetime.datetime | None, days: int | None,
                     inspected_on: datetime.datetime | None) -> datetime.date | None:
    """The deadline the options give; a usage error (exit 2) where they contradict."""
    try:
        return deadline_from(deadline.date() if deadline else None, days,
                             inspected_on.date() if inspected_on else None)
    except ValueError as error:
        option = "--days" if days is not None else "--deadline"
        fail([Issue("deadline-options", str(error), option)], EXIT_USAGE)


#: What heads a run's documents: --period, --subject, --issuer, --recipients (on
#: ``run`` and ``bulletin``; each overrides the rubric's metadata).
document_options = _options(
    click.option("--period", metavar="TEXT",
                 help="The period inspected, as titles say it (\"2025年上半年\"); default: the "
                      "checklists' period column, else a blank to fill in."),
    click.option("--subject", metavar="TEXT",
                 help="What was inspected (\"社区党建工作\"); default: the rubric's subject."),
    click.option("--issuer", metavar="TEXT",
                 help="Who issues the documents (落款); default: the rubric's issuer."),
    click.option("--recipients", metavar="TEXT",
                 help="To whom the bulletin goes (主送); default: the rubric's recipients."),
)


def load_inputs_with_period(
    steps: Steps, rubric_path: Path, inputs: Sequence[Path], encoding: str | None,
    sheet: str | None
) -> tuple[Rubric, Checklists, str | None]:
    """Like :func:`load_inputs`, with the period the checklists' period column names."""
    rubric = steps.run("Reading the rubric", lambda: load_rubric(rubric_path))
    checklists, period = steps.run(
        "Reading the checklists",
        lambda: load_checklists_with_period(rubric, inputs, encoding=encoding, sheet=sheet),
    )
    return rubric, checklists, period
