"""The ranking as a table on the terminal (rich lines up Chinese wide characters)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from rich.console import Console
from rich.table import Table
from rich.text import Text

from inspect_score.outputs.escape import terminal_text
from inspect_score.rubric.model import Lang
from inspect_score.scoring.labels import fixed_text, labels_for
from inspect_score.scoring.results import Results


def ranking_table(results: Results, limit: int | None = None, lang: Lang | None = None) -> Table:
    """排名, 编号, 名称, 总分, 等次, 否决事由 (in ``lang``, by default the rubric's
    language), best first.

    ``limit`` keeps the first rows only; a last line then says how many were left out.
    """
    rubric = results.rubric
    labels = labels_for(lang or rubric.lang)
    heading = labels.headings
    ranking = results.ranking if limit is None else results.ranking.head(limit)
    titles = {veto.id: veto.title for veto in rubric.vetoes}

    table = Table(title=f"{rubric.title} {rubric.version or ''}".rstrip())
    table.add_column(heading["rank"], justify="right")
    table.add_column(heading["branch_id"])
    table.add_column(heading["branch_name"])
    table.add_column(heading["total"], justify="right")
    table.add_column(heading["grade"])
    table.add_column(heading["vetoed"])
    totals = fixed_text(ranking["total"].to_numpy(dtype=np.float64), rubric.precision)
    for rank, branch_id, name, total, grade, vetoed in zip(
        ranking["rank"].tolist(), ranking["branch_id"].tolist(), ranking["branch_name"].tolist(),
        totals.tolist(), ranking["grade"].tolist(), ranking["vetoed"].tolist(), strict=True,
    ):
        vetoes = labels.list_separator.join(
            titles.get(veto_id, veto_id) for veto_id in str(vetoed).split(";") if veto_id
        )
        # Text(), not markup: a branch name may hold "[...]"; and no control characters.
        # An excluded branch has no rank.
        shown_rank = "" if pd.isna(rank) else str(rank)
        table.add_row(shown_rank, cell_text(branch_id), cell_text(name), total,
                      cell_text(grade), cell_text(vetoes))
    left_out = len(results.ranking) - len(ranking)
    if left_out > 0:
        table.caption = f"… {left_out:,}"
    return table


def cell_text(value: object) -> Text:
    """A table cell holding text from the inputs: no markup, no control characters."""
    return Text(terminal_text(str(value)))


def print_ranking(results: Results, console: Console, limit: int | None = None,
                  lang: Lang | None = None) -> None:
    """Print the ranking table (the first ``limit`` rows when given)."""
    console.print(ranking_table(results, limit, lang))
