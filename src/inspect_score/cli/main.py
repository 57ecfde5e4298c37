"""The command line: the ``main`` group and the commands it gathers.

Each command lives in the module of its group (``run``: the main job;
``selfcheck``, ``tuning``, ``followup``: the three users' commands); each parses
its arguments, calls the library and maps the outcome to an exit status:
0 done (warnings allowed); 1 rubric or input errors, nothing written, or an
output that could not be written (a full disk); 2 wrong usage (unknown option,
missing file, an output that exists without --force, an output that is also an
input, a folder that cannot be written); 3 a bug (an unexpected error, told in
one line; ``--debug`` shows where it happened).

SIGTERM and SIGHUP stop a run as Ctrl-C does: what it was writing is removed
(see :mod:`inspect_score.outputs.staging`) and the exit status is 128 plus the
signal's number, as shells report a process ended by a signal.
"""

from __future__ import annotations

import contextlib
import signal
import sys
from collections.abc import Iterator, Sequence
from types import FrameType
from typing import Any, NoReturn

import click

from inspect_score import __version__
from inspect_score.cli.followup import bulletin_command, trend_command
from inspect_score.cli.run import check, run, validate
from inspect_score.cli.selfcheck import calibrate_command, explain_command, template
from inspect_score.cli.support import (
    EXIT_BUG,
    exit_status,
    fail,
    lang_option,
    say,
    settle_language,
    usage_language,
)
from inspect_score.cli.tuning import compare_command, sensitivity_command
from inspect_score.errors import InspectError, Issue
from inspect_score.messages import click_language, msg, tr
from inspect_score.outputs.escape import terminal_text


class Stopped(BaseException):
    """A signal asked the run to stop (a BaseException, like KeyboardInterrupt, so
    that only clean-up code sees it on its way out)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _stop(signum: int, _frame: FrameType | None) -> None:
    raise Stopped(signum)


@contextlib.contextmanager
def _stop_signals_raised() -> Iterator[None]:
    """SIGTERM and SIGHUP raise :class:`Stopped` while a command runs."""
    before: dict[int, Any] = {}
    for name in ("SIGTERM", "SIGHUP"):
        number = getattr(signal, name, None)
        if number is None:
            continue
        try:
            before[number] = signal.signal(number, _stop)
        except ValueError:  # not the main thread: leave the signals as they are
            break
    try:
        yield
    finally:
        for number, handler in before.items():
            signal.signal(number, handler)


def _bug(error: BaseException, debug: bool) -> NoReturn:
    if debug:
        import traceback  # for --debug only: the start of every run does without it

        traceback.print_exception(error, file=sys.stderr)
    what = terminal_text(f"{type(error).__name__}: {error}")
    say(tr("inspect-score {version}: internal error ({what}). This is a bug; please report "
           "it with the command you ran (--debug shows where it happened).",
           version=__version__, what=what))
    sys.exit(EXIT_BUG)


class Main(click.Group):
    """The group: turns what the commands let through into one line and an exit status."""

    def main(self, args: Sequence[str] | None = None, *pos: Any, **kwargs: Any) -> Any:
        # click's own usage errors ("Missing argument", "No such option") in the
        # language of the run: chosen from the command line before click parses it
        if args is None:
            args = sys.argv[1:]
        with click_language(usage_language(args)):
            return super().main(args, *pos, **kwargs)

    def invoke(self, ctx: click.Context) -> Any:
        debug = bool(ctx.params.get("debug"))
        try:
            with _stop_signals_raised():
                return super().invoke(ctx)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except InspectError as error:
            fail(error.issues, exit_status(error))
        except OSError as error:
            # reading or writing a file failed where no step expected it
            where = error.filename if error.filename is not None else "inspect-score"
            fail([Issue("file-error", msg("{reason}", reason=error.strerror or str(error)),
                        str(where))], 1)
        except RecursionError:
            # only nesting in an input (JSON, TOML) goes this deep
            fail([Issue("too-deep", msg("an input is nested too deeply to read"),
                        "inspect-score")], 1)
        except MemoryError:
            fail([Issue("out-of-memory", msg("the inputs do not fit in this computer's memory"),
                        "inspect-score")], 1)
        except Stopped as stop:
            name = signal.Signals(stop.signum).name
            say(tr("Stopped by {name}; outputs not yet in place were removed.", name=name))
            sys.exit(128 + stop.signum)
        except Exception as error:
            _bug(error, debug)


@click.group(cls=Main, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="inspect-score")
@click.option("--debug", is_flag=True, help="On an internal error, show where it happened.")
@lang_option
def main(debug: bool) -> None:
    """Score inspections of community party branches against a TOML rubric."""
    # Until a command reads its rubric, messages are in the chosen or the system's language.
    settle_language()


for command in (run, check, validate, template, explain_command, calibrate_command,
                bulletin_command, trend_command, compare_command, sensitivity_command):
    # --lang after the command too, where people type it
    lang_option(command)
    main.add_command(command)
