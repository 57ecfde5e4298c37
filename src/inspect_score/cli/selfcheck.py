"""The self-check commands: ``template``, ``explain`` and ``calibrate``.

Each parses its arguments, calls the library, and writes every file through
:mod:`inspect_score.outputs.staging` (checked first, written beside the target,
renamed when complete).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import attrs
import click

from inspect_score.cli.support import (
    EXIT_INPUT,
    EXIT_USAGE,
    begin,
    check_arguments,
    checked_outputs,
    encoding_option,
    existing_path,
    exit_status,
    fail,
    recursive_option,
    report,
    rubric_path,
    settle_language,
    sheet_option,
    write_staged,
    wrote,
)
from inspect_score.errors import InspectError, Issue
from inspect_score.messages import language, msg
from inspect_score.outputs.escape import terminal_text

if TYPE_CHECKING:
    from inspect_score.checklists.table import Checklists
    from inspect_score.outputs.staging import OutputPlan
    from inspect_score.rubric.model import Rubric
    from inspect_score.selfcheck.calibrate import Calibration


def _staged_write(target: Path, plan: OutputPlan, write: object) -> None:
    from inspect_score.outputs.staging import staged, temporary_beside

    temporary = temporary_beside(target)
    with staged({target: temporary}, plan):
        write(temporary)  # type: ignore[operator]
    wrote([target])


def _load(rubric: Rubric, inputs: tuple[Path, ...], encoding: str | None,
          sheet: str | None, recursive: bool) -> Checklists:
    """Checklists, with forms' header rows checked first so that the wrong cell is named."""
    from inspect_score.checklists.period import load_checklists_with_period
    from inspect_score.selfcheck.template import form_issues

    issues = [issue for path in inputs if path.is_file() for issue in form_issues(rubric, path)]
    if issues:
        raise InspectError(issues)
    # a period (期间) column is the run's, not a field: set aside without a warning
    return load_checklists_with_period(rubric, inputs, encoding=encoding, sheet=sheet,
                                       recursive=recursive)[0]


@click.command()
@click.argument("rubric", type=rubric_path)
@click.option("-o", "--output", "output", type=click.Path(path_type=Path), required=True,
              help="Form to write (.xlsx, or .csv with --csv).")
@click.option("--branches", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="CSV or XLSX of branch ids and names to pre-fill.")
@click.option("--csv", "as_csv", is_flag=True, help="Write a CSV template instead of a workbook.")
@click.option("--force", is_flag=True, help="Overwrite the output if it exists.")
def template(rubric: Path, output: Path, branches: Path | None, as_csv: bool,
             force: bool) -> None:
    """Write the form branches fill in for RUBRIC: validations, help and the rubric explained."""
    settle_language(rubric)
    from inspect_score.rubric.loader import load_rubric
    from inspect_score.selfcheck.template import load_branch_list, write_form, write_form_csv

    check_arguments("template", [rubric], [], usage="inspect-score template RUBRIC -o FORM.xlsx")
    plan = checked_outputs([output], [rubric, *([branches] if branches else [])], force=force)
    try:
        model = load_rubric(rubric)
        listed = load_branch_list(branches) if branches is not None else []
    except InspectError as error:
        fail(error.issues, exit_status(error))
    if as_csv:
        _staged_write(output, plan, lambda path: write_form_csv(model, path, listed))
    else:
        _staged_write(output, plan, lambda path: write_form(model, path, listed))


@click.command("explain")
@click.argument("rubric", type=rubric_path)
@click.argument("inputs", nargs=-1, required=True, type=existing_path)
@click.option("--branch", "branch_ids", multiple=True,
              help="Branch to explain, by its id or its name (repeatable).")
@click.option("--all", "every", is_flag=True, help="Explain every branch.")
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="Workbook to print: each branch on a page of its own.")
@click.option("--self-check", is_flag=True, help="No quotas, no ranking against others.")
@click.option("--force", is_flag=True, help="Overwrite the output if it exists.")
@encoding_option
@sheet_option
@recursive_option
def explain_command(rubric: Path, inputs: tuple[Path, ...], branch_ids: tuple[str, ...],
                    every: bool, output: Path | None, self_check: bool, force: bool,
                    encoding: str | None, sheet: str | None, recursive: bool) -> None:
    """Explain where each point of a branch went, and the path to the next grade."""
    begin(rubric, inputs=inputs)
    from inspect_score.rubric.loader import load_rubric
    from inspect_score.scoring.pipeline import evaluate
    from inspect_score.selfcheck.explain import explain_all, explanation_text, find_branches
    from inspect_score.selfcheck.explain_book import write_explanations
    from inspect_score.selfcheck.standalone import evaluate_self_check

    check_arguments("explain", [rubric], inputs)
    if not branch_ids and not every:
        fail([Issue("no-branch", msg("name a branch with --branch ID, or pass --all"), "")],
             EXIT_USAGE)
    plan = checked_outputs([output] if output is not None else [], [rubric, *inputs],
                           force=force)
    try:
        model = load_rubric(rubric)
        score_run = evaluate_self_check if self_check else evaluate
        results = score_run(model, _load(model, inputs, encoding, sheet, recursive))
    except InspectError as error:
        fail(error.issues, exit_status(error))
    known = results.ranking["branch_id"].tolist()
    names = results.ranking["branch_name"].tolist()
    where = ", ".join(str(path) for path in inputs)
    wanted, unknown = find_branches(known, names, known if every else branch_ids, where)
    if unknown:
        fail(unknown, EXIT_INPUT)
    explanations = explain_all(results, wanted, self_check=self_check)
    report(results.warnings)
    if output is not None:
        _staged_write(output, plan,
                      lambda path: write_explanations(explanations, path))
        return
    # the report in the language of the run; the rubric's own words stay as written
    spoken = attrs.evolve(model, lang=language())
    text = "\n".join(explanation_text(item, spoken) for item in explanations)
    click.echo(terminal_text(text, lines=True), nl=False)


@click.command("calibrate")
@click.argument("rubric", type=rubric_path)
@click.option("--self", "own", multiple=True, required=True, type=existing_path,
              help="The branches' own checklists (repeatable).")
@click.option("--inspection", "inspected", multiple=True, required=True, type=existing_path,
              help="The inspection team's checklists (repeatable).")
@click.option("--csv", "csv_dir", type=click.Path(path_type=Path),
              help="Folder for calibration.csv.")
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Workbook to write.")
@click.option("--force", is_flag=True, help="Overwrite outputs that exist already.")
@encoding_option
@sheet_option
@recursive_option
def calibrate_command(rubric: Path, own: tuple[Path, ...], inspected: tuple[Path, ...],
                      csv_dir: Path | None, output: Path | None, force: bool,
                      encoding: str | None, sheet: str | None, recursive: bool) -> None:
    """Set the branches' self-assessments beside the inspection team's."""
    begin(rubric, inputs=[*own, *inspected])
    from inspect_score.rubric.loader import load_rubric
    from inspect_score.selfcheck.calibrate import (
        calibrate,
        write_calibration_csv,
        write_calibration_workbook,
    )

    check_arguments("calibrate", [rubric], [*own, *inspected],
                    usage="inspect-score calibrate RUBRIC --self INPUT --inspection INPUT")
    targets = [path for path in (output,) if path is not None]
    if csv_dir is not None:
        targets.append(csv_dir / "calibration.csv")
    plan = checked_outputs(targets, [rubric, *own, *inspected], force=force)
    try:
        model = load_rubric(rubric)
        problems: list[Issue] = []
        sides: list[Checklists] = []
        for paths in (own, inspected):
            try:
                sides.append(_load(model, paths, encoding, sheet, recursive))
            except InspectError as error:
                problems.extend(error.issues)
        if problems:
            raise InspectError(problems)
        result = calibrate(model, sides[0], sides[1])
    except InspectError as error:
        fail(error.issues, exit_status(error))

    writes: dict[Path, Callable[[Path], object]] = {}
    if output is not None:
        writes[output] = lambda temporary: write_calibration_workbook(result, temporary)
    if csv_dir is not None:
        writes[csv_dir / "calibration.csv"] = lambda temporary: write_calibration_csv(
            result, temporary)
    write_staged(writes, plan)
    _print_calibration(attrs.evolve(result.rubric, lang=language()), result)
    if targets:
        wrote(targets)


def _line(cells: Iterable[str]) -> str:
    """One tab-separated line for the terminal; names never bring control characters."""
    return "\t".join(terminal_text(cell) for cell in cells)


def _print_calibration(rubric: Rubric, result: Calibration) -> None:
    """The branches and the items self-assessed higher as tab-separated lines, written at once:
    columns are read whole, never a cell at a time, and a line at a time would flush
    (a district's calibration is hundreds of thousands of lines)."""
    from inspect_score.scoring.labels import fixed_text
    from inspect_score.selfcheck.calibrate import CALIBRATE_WORDS

    said = CALIBRATE_WORDS[rubric.lang]
    branches = result.branches
    heads = [said[name] for name in ("branch_id", "branch_name", "self_total",
                                     "inspected_total", "gap", "side")]
    numbers = [fixed_text(branches[name].to_numpy(dtype=float), rubric.precision)
               for name in ("self_total", "inspected_total", "gap")]
    sides = [said[str(side)] for side in branches["side"].tolist()]
    lines = [_line(heads)]
    lines += [_line(cells) for cells in zip(
        branches["branch_id"].astype(str).tolist(), branches["branch_name"].astype(str).tolist(),
        *numbers, sides, strict=True)]
    # items and clauses by their titles, as the rubric names them, never their ids
    lines += ["", _line(said[name] for name in ("title", "over_claimed", "over_points"))]
    over = result.over_claims
    lines += [_line(cells) for cells in zip(
        over["title"].astype(str).tolist(),
        over["over_claimed"].astype(str).tolist(),
        fixed_text(over["over_points"].to_numpy(dtype=float), rubric.precision), strict=True)]
    click.echo("\n".join(lines))
