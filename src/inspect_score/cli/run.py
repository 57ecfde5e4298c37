"""The main job: ``run`` (score, rank, grade, write), ``check`` (rubrics) and
``validate`` (checklists).

Exit status: 0 done (warnings allowed); 1 rubric or input errors, nothing
written; 2 wrong usage (unknown option, missing file, an output that exists
without --force, an output that is also an input).
"""

from __future__ import annotations

import datetime
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from inspect_score import __version__
from inspect_score.cli.support import (
    EXIT_INPUT,
    EXIT_USAGE,
    begin,
    check_arguments,
    checked_outputs,
    deadline_options,
    document_options,
    encoding_option,
    existing_path,
    exit_status,
    fail,
    load_inputs,
    load_inputs_with_period,
    progress_steps,
    recursive_option,
    report,
    resolve_deadline,
    rubric_path,
    say,
    settle_language,
    sheet_option,
    wrote,
)
from inspect_score.errors import InspectError, Issue, errors_only
from inspect_score.messages import language, msg, tr

if TYPE_CHECKING:
    from inspect_score.followup.rectify import RectifyOutputs
    from inspect_score.outputs.print_style import DocumentTitle
    from inspect_score.rubric.model import Rubric
    from inspect_score.scoring.results import Results


@click.command("run")
@click.argument("rubric", type=rubric_path)
@click.argument("inputs", nargs=-1, required=True, type=existing_path)
@click.option("-o", "--output", "xlsx", type=click.Path(path_type=Path), help="Workbook to write.")
@click.option(
    "--csv", "csv_dir", type=click.Path(path_type=Path), help="Folder for the CSV outputs."
)
@click.option("--json", "json_path", type=click.Path(path_type=Path), help="JSON file to write.")
@click.option("--force", is_flag=True, help="Overwrite outputs that exist already.")
@click.option(
    "--top",
    type=click.IntRange(min=0),
    help="Show only the first N rows of the ranking (default: all, or 50 of more than 200).",
)
@click.option("-q", "--quiet", is_flag=True, help="Do not print the ranking.")
@click.option("--self-check", is_flag=True, help="A branch's own checklist: no quotas, no ranking.")
@click.option("--rectify", is_flag=True,
              help="Add the rectification list: a workbook sheet, and rectify.csv with --csv.")
@click.option("--per-branch-pages", is_flag=True,
              help="Print each branch's part of the rectification list on pages of its own.")
@deadline_options
@document_options
@encoding_option
@sheet_option
@recursive_option
def run(
    rubric: Path,
    inputs: tuple[Path, ...],
    xlsx: Path | None,
    csv_dir: Path | None,
    json_path: Path | None,
    force: bool,
    top: int | None,
    quiet: bool,
    self_check: bool,
    rectify: bool,
    deadline: datetime.datetime | None,
    days: int | None,
    inspected_on: datetime.datetime | None,
    period: str | None,
    subject: str | None,
    issuer: str | None,
    recipients: str | None,
    encoding: str | None,
    sheet: str | None,
    recursive: bool,
    per_branch_pages: bool = False,
) -> None:
    """Score, rank and grade the branches in INPUTS (files or folders) against RUBRIC.

    With no -o, --csv or --json, writes results.xlsx in the current folder
    (with --self-check, nothing unasked).
    """
    begin(rubric, inputs=inputs)
    from inspect_score.outputs.terminal import print_ranking
    from inspect_score.outputs.write import CSV_NAMES, write_outputs
    from inspect_score.scoring.pipeline import evaluate
    from inspect_score.selfcheck.standalone import evaluate_self_check, self_check_note

    check_arguments("run", [rubric], inputs)
    if xlsx is None and csv_dir is None and json_path is None and not self_check:
        # a branch checking its own form wants the terminal's answer, not a file
        # that stops its next run (exists already)
        xlsx = Path("results.xlsx")
    if csv_dir is not None and csv_dir.exists() and not csv_dir.is_dir():
        fail([Issue("output-not-folder", msg("exists and is not a folder"), str(csv_dir))],
             EXIT_USAGE)
    targets = [path for path in (xlsx, json_path) if path is not None]
    if csv_dir is not None:
        targets += [csv_dir / name for name in CSV_NAMES]
        if rectify:
            from inspect_score.followup.rectify import CSV_NAME as RECTIFY_CSV

            targets.append(csv_dir / RECTIFY_CSV)
    due = resolve_deadline(deadline, days, inspected_on)
    plan = checked_outputs(targets, [rubric, *inputs], force=force)

    try:
        with progress_steps(total=4) as steps:
            rubric_model, checklists, listed_period = load_inputs_with_period(
                steps, rubric, inputs, encoding, sheet, recursive)
            score_run = evaluate_self_check if self_check else evaluate
            results: Results = steps.run(tr("Scoring"),
                                         lambda: score_run(rubric_model, checklists))
            if self_check:
                say(self_check_note())
            # only the workbook and the rectification list carry a title: a CSV run
            # leaves the workbook writer unimported
            title = (_document_title(rubric_model, period or listed_period, subject)
                     if xlsx is not None or rectify else None)
            del issuer, recipients  # the workbooks name no issuer or recipients (the bulletin does)
            extra = _rectify(results, due, title, per_branch_pages) if rectify else None
            warnings = steps.run(
                tr("Writing the outputs"),
                lambda: write_outputs(
                    results,
                    xlsx=xlsx,
                    csv_dir=csv_dir,
                    json_path=json_path,
                    inputs=[str(path) for path in inputs],
                    tool_version=__version__,
                    extra_sheets=extra.sheets if extra else (),
                    extra_csv=extra.csv if extra else None,
                    plan=plan,
                    title=title,
                ),
            )
    except InspectError as error:  # bad rubric or input, or an output that cannot be written
        fail(error.issues, exit_status(error))
    report([*results.warnings, *warnings])
    if not quiet:
        from rich.console import Console

        print_ranking(results, Console(), limit=top if top is not None else _shown(results),
                      lang=language())
    if targets:
        wrote(targets)


def _rectify(results: Results, due: datetime.date | None, title: DocumentTitle | None,
             per_branch_pages: bool) -> RectifyOutputs:
    # imported for --rectify only: it brings the workbook writer along
    from inspect_score.followup.rectify import rectify_outputs

    return rectify_outputs(results, due, title=title, per_branch_pages=per_branch_pages)


def _document_title(rubric: Rubric, period: str | None, subject: str | None) -> DocumentTitle:
    from inspect_score.outputs.workbook import document_title

    return document_title(rubric, period, subject)


#: A ranking longer than this is shown in part unless --top says otherwise: the
#: workbook and the CSV files hold every branch, a terminal does not need to.
LONG_RANKING = 200
SHOWN_OF_LONG_RANKING = 50


def _shown(results: Results) -> int | None:
    return SHOWN_OF_LONG_RANKING if len(results.ranking) > LONG_RANKING else None


@click.command("check")
@click.argument("rubrics", nargs=-1, required=True, type=rubric_path)
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too.")
def check(rubrics: tuple[Path, ...], strict: bool) -> None:
    """Check that each RUBRIC follows the rubric format, and warn where it says
    something its author hardly meant (a grade no branch can reach, ...)."""
    settle_language(rubrics[0], inputs=rubrics[1:])
    check_arguments("check", rubrics, [], usage="inspect-score check RUBRIC...")
    from inspect_score.tuning.lint import check_rubric_file

    issues = [issue for path in rubrics for issue in check_rubric_file(path)]
    report(issues)
    if errors_only(issues) or (strict and issues):
        sys.exit(EXIT_INPUT)
    for path in rubrics:
        say(tr("{path}: OK", path=path))


@click.command("validate")
@click.argument("rubric", type=rubric_path)
@click.argument("inputs", nargs=-1, required=True, type=existing_path)
@encoding_option
@sheet_option
@recursive_option
def validate(
    rubric: Path, inputs: tuple[Path, ...], encoding: str | None, sheet: str | None,
    recursive: bool,
) -> None:
    """Check the checklists in INPUTS against RUBRIC; score nothing, write nothing."""
    begin(rubric, inputs=inputs)
    from inspect_score.scoring.pipeline import evaluate

    check_arguments("validate", [rubric], inputs)
    try:
        with progress_steps(total=3) as steps:
            rubric_model, checklists = load_inputs(steps, rubric, inputs, encoding, sheet,
                                                   recursive)
            # Scoring finds what loading cannot: a branch with no applicable indicator.
            steps.run(tr("Checking"), lambda: evaluate(rubric_model, checklists))
    except InspectError as error:
        fail(error.issues, exit_status(error), writes=False)
    report(checklists.warnings)
    frame = checklists.frame
    branches = frame["branch_id"].nunique()
    say(tr("OK: {rows} rows, {branches} branches in {files} files.",
           rows=len(frame), branches=branches, files=len(checklists.sources)))
