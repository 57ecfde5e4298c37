"""The command line: the ``main`` group and the commands it gathers.

Each command lives in the module of its group (``run``: the main job;
``selfcheck``, ``tuning``, ``followup``: the three users' commands); each parses
its arguments, calls the library and maps the outcome to an exit status:
0 done (warnings allowed); 1 rubric or input errors, nothing written; 2 wrong
usage (unknown option, missing file, an output that exists without --force, an
output that is also an input).
"""

from __future__ import annotations

import click
import pyarrow as pa

from inspect_score import __version__
from inspect_score.cli.followup import bulletin_command, trend_command
from inspect_score.cli.run import check, run, validate
from inspect_score.cli.selfcheck import calibrate_command, explain_command, template
from inspect_score.cli.tuning import compare_command, sensitivity_command


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="inspect-score")
def main() -> None:
    """Score inspections of community party branches against a TOML rubric."""
    # Arrow's default allocator (mimalloc) keeps memory freed on a thread for
    # that thread, and the CSV writer formats blocks of rows on every core: at a
    # million branches it kept 200-350 MB more at the peak than the system
    # allocator, which is as fast here (benchmarks/bench_run.py).
    pa.set_memory_pool(pa.system_memory_pool())


for command in (run, check, validate, template, explain_command, calibrate_command,
                bulletin_command, trend_command, compare_command, sensitivity_command):
    main.add_command(command)
