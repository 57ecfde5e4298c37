"""Problems found in rubrics and checklists, as data.

Every problem carries a stable kebab-case ``code`` (tests assert codes and
locations, not wording), a location a person can find (the file, the row as a
spreadsheet user counts it or the rubric line, the column as written or the
rubric key path) and a message that says what was found and what was expected.
Loaders collect every problem of a run and raise them together once.

The message is a :class:`~inspect_score.messages.Message` (an English template
from the catalogs and its values), so the same issue reads in Chinese or in
English: :meth:`Issue.render` takes the language, ``str(issue)`` uses the
language of the run. Plain text is accepted too, and shown as it is.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

import attrs

from inspect_score.messages import Lang, language, msg, render

Severity = Literal["error", "warning"]

#: Issues of one kind reported per column of one file before the rest are summed
#: up in one ("and 150 more problems of this kind in this column").
MAX_ISSUES_PER_COLUMN = 100


@attrs.frozen
class Issue:
    """One problem: where it is, what it is, and how bad."""

    code: str
    message: str
    path: str
    #: spreadsheet row (header = 1), TOML line, or None for the whole file
    row: int | None = None
    #: the column header as written in the checklist, or None
    column: str | None = None
    #: the rubric key path (``indicator[3].rule``), or None
    key: str | None = None
    severity: Severity = "error"

    def text(self, lang: Lang | None = None) -> str:
        """The message alone, in ``lang`` (default: the language of the run)."""
        return render(self.message, lang)

    def render(self, lang: Lang | None = None) -> str:
        """``PATH:ROW:COLUMN: message`` (``PATH:LINE: key.path: message`` for a
        rubric), the message in ``lang``; the location is the same in every language."""
        lang = lang or language()
        where = self.path
        if self.row is not None:
            where += f":{self.row}"
        if self.column is not None:
            where += f":{self.column}"
        text = f"{self.key}: {self.text(lang)}" if self.key else self.text(lang)
        if self.severity == "warning":
            text = msg("warning: {text}", text=text).render(lang)
        return f"{where}: {text}"

    def __str__(self) -> str:
        return self.render()


class InspectError(ValueError):
    """Raised with every error found in one step, never only the first."""

    def __init__(self, issues: Iterable[Issue]) -> None:
        self.issues: tuple[Issue, ...] = tuple(issues)
        super().__init__(self.issues)

    def __str__(self) -> str:
        # rendered when read, in the language of whoever reads it
        return "\n".join(str(issue) for issue in self.issues)


class RubricError(InspectError):
    """The rubric breaks the format: nothing can be scored with it."""


class ChecklistError(InspectError):
    """The checklists hold bad input: nothing is scored."""


class OutputError(InspectError):
    """An output cannot be written (exists, is an input, is locked, the disk is full)."""


class OutputConflict(OutputError):
    """Another program wrote an output since the run checked it: a usage
    problem (exit 2), like an output that existed from the start."""


def errors_only(issues: Iterable[Issue]) -> list[Issue]:
    return [issue for issue in issues if issue.severity == "error"]


def warnings_only(issues: Iterable[Issue]) -> list[Issue]:
    return [issue for issue in issues if issue.severity == "warning"]
