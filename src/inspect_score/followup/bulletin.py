"""The bulletin (通报) drafted from a run's results, as Word or Markdown.

It reads the way a sub-district's inspection report does: the scope, the
overall result, what went well, the problems found item by item naming the
branches that lost points (most widespread first, numbered 一是、二是…), the
vetoes, and a closing paragraph on rectification. Every sentence is filled in
from the results; the wording lives in a template file per language
(``templates/bulletin_zh.toml``, ``bulletin_en.toml``) that an office can
reword, and every template is checked before use: a placeholder the results
cannot fill is an error, never a sentence with a hole in it.
"""

from __future__ import annotations

import datetime
import importlib.resources
import io
import re
import string
import sys
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import attrs
import numpy as np
import pandas as pd

from inspect_score.errors import InspectError, Issue
from inspect_score.outputs import escape
from inspect_score.rubric.model import Lang
from inspect_score.scoring.labels import fixed_text, labels_for, plain_number, render
from inspect_score.scoring.results import Results
from inspect_score.scoring.rounding import round_points

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

#: An item most branches fulfilled: at least this share of the branches it applies to
#: got full marks.
WELL_DONE_SHARE = 0.8
#: How many of the best branches the result paragraph names (more where tied at the cut).
BEST_BRANCHES = 3
#: Every member of a .docx is stamped with this time, so the same inputs give the same bytes.
ZIP_TIME = (2000, 1, 1, 0, 0, 0)
PINNED_TIME = datetime.datetime(2000, 1, 1, 0, 0, 0)

#: The keys of a template's [words] table.
WORD_KEYS = ("noun", "list_separator", "numerals", "first_line_indent", "font", "date")
#: The keys of a template's [text] table and the placeholders each may use.
TEXT_PLACEHOLDERS: Mapping[str, frozenset[str]] = {
    "title": frozenset({"rubric_title", "period"}),
    "scope_heading": frozenset(),
    "scope": frozenset({"rubric_title", "period", "branches", "noun"}),
    "scope_no_period": frozenset({"rubric_title", "branches", "noun"}),
    "result_heading": frozenset(),
    "grades": frozenset({"grade_list"}),
    "grade_entry": frozenset({"grade", "count"}),
    "spread": frozenset({"mean", "highest", "lowest", "std"}),
    "best": frozenset({"best"}),
    "best_entry": frozenset({"name", "total", "grade"}),
    "table_heading": frozenset(),
    "well_heading": frozenset(),
    "well_all": frozenset({"item", "count", "branches", "noun"}),
    "well_most": frozenset({"item", "count", "branches", "noun"}),
    "well_none": frozenset({"noun"}),
    "problems_heading": frozenset(),
    "ordinal": frozenset({"n"}),
    "problem": frozenset({"ordinal", "item", "max", "count", "lost", "names", "noun", "end"}),
    "penalty": frozenset({"ordinal", "item", "max", "count", "lost", "names", "noun", "end"}),
    "problem_entry": frozenset({"name", "note", "value", "lost"}),
    "end_more": frozenset(),
    "end_last": frozenset(),
    "problems_none": frozenset({"noun"}),
    "vetoes_heading": frozenset(),
    "veto": frozenset({"veto", "names", "count", "grade", "noun"}),
    "vetoes_none": frozenset({"noun"}),
    "closing_heading": frozenset(),
    "closing": frozenset({"deadline", "noun"}),
    "closing_no_deadline": frozenset({"noun"}),
}
DATE_PLACEHOLDERS = frozenset({"year", "month", "day"})

CHINESE_DIGITS = "零一二三四五六七八九"


class TemplateError(InspectError):
    """A bulletin template is not usable: nothing is written."""


@attrs.frozen
class BulletinTemplate:
    """The wording of a bulletin: ``words`` settings and ``text`` sentence templates."""

    words: Mapping[str, Any]
    text: Mapping[str, str]
    source: str = ""

    def say(self, key: str, **values: Any) -> str:
        if "noun" in TEXT_PLACEHOLDERS[key]:
            values.setdefault("noun", self.words["noun"])
        return self.text[key].format(**values)

    def date(self, day: datetime.date) -> str:
        return str(self.words["date"]).format(year=day.year, month=day.month, day=day.day)

    def join(self, texts: Sequence[str]) -> str:
        return str(self.words["list_separator"]).join(texts)

    def numeral(self, number: int) -> str:
        if self.words["numerals"] == "chinese":
            return chinese_numeral(number)
        return str(number)


def chinese_numeral(number: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 105 → 一百零五: how items are counted in prose."""
    if number < 0:
        raise ValueError(number)
    if number < 10:
        return CHINESE_DIGITS[number]
    if number < 20:
        return "十" + (CHINESE_DIGITS[number % 10] if number % 10 else "")
    if number < 100:
        tens, ones = divmod(number, 10)
        return CHINESE_DIGITS[tens] + "十" + (CHINESE_DIGITS[ones] if ones else "")
    if number < 1000:
        hundreds, rest = divmod(number, 100)
        if rest == 0:
            tail = ""
        elif rest < 10:
            tail = "零" + CHINESE_DIGITS[rest]
        else:
            tail = (CHINESE_DIGITS[1] if rest < 20 else "") + chinese_numeral(rest)
        return CHINESE_DIGITS[hundreds] + "百" + tail
    return str(number)


def _placeholders(text: str) -> set[str]:
    names = set()
    for _literal, name, _spec, _conversion in string.Formatter().parse(text):
        if name is not None:
            names.add(name)
    return names


def _template_issues(document: Mapping[str, Any], shown: str) -> list[Issue]:
    issues: list[Issue] = []
    words = document.get("words")
    text = document.get("text")
    for table, keys in (("words", WORD_KEYS), ("text", tuple(TEXT_PLACEHOLDERS))):
        found = document.get(table)
        if not isinstance(found, dict):
            issues.append(Issue("template-table-missing", f"expected a [{table}] table",
                                shown, key=table))
            continue
        issues += [Issue("template-key-missing", "is missing", shown, key=f"{table}.{key}")
                   for key in keys if key not in found]
        issues += [Issue("template-key-unknown", f"is not one of {', '.join(keys)}", shown,
                         key=f"{table}.{key}") for key in found if key not in keys]
    issues += [Issue("template-key-unknown", "expected only [words] and [text]", shown, key=key)
               for key in document if key not in ("words", "text")]
    if isinstance(text, dict):
        for key, allowed in TEXT_PLACEHOLDERS.items():
            issues += _text_issues(text.get(key, ""), allowed, shown, f"text.{key}")
    if isinstance(words, dict):
        issues += _text_issues(words.get("date", ""), DATE_PLACEHOLDERS, shown, "words.date")
        if words.get("numerals", "arabic") not in ("arabic", "chinese"):
            issues.append(Issue("template-value-invalid", "expected \"arabic\" or \"chinese\"",
                                shown, key="words.numerals"))
        indent = words.get("first_line_indent", 0)
        if not isinstance(indent, int) or isinstance(indent, bool) or indent < 0:
            issues.append(Issue("template-value-invalid", "expected a whole number >= 0",
                                shown, key="words.first_line_indent"))
        for key in ("noun", "list_separator", "font"):
            if not isinstance(words.get(key, ""), str):
                issues.append(Issue("template-value-invalid", "expected text", shown,
                                    key=f"words.{key}"))
    return issues


#: The only format specs a template may use: a date's zero-padded width ("{month:02d}").
_DATE_SPEC = re.compile(r"0?[1-9]d?")


def _spec_issues(value: str, shown: str, key: str, dates: bool) -> list[Issue]:
    """Format specs and conversions: a wrong one fails only when the bulletin is written
    ("{total:.5f}" on a text), a huge width ("{x:>300000000}") writes hundreds of megabytes."""
    issues = []
    for _literal, name, spec, conversion in string.Formatter().parse(value):
        if name is None or not (spec or conversion):
            continue
        if conversion or not (dates and _DATE_SPEC.fullmatch(spec or "")):
            shown_spec = f"{{{name}{'!' + conversion if conversion else ''}:{spec}}}"
            issues.append(Issue(
                "template-format-invalid",
                f"{shown_spec}: format specs are not allowed here; write {{{name}}}"
                + (" (a date part may be zero-padded: {month:02d})" if dates else ""),
                shown, key=key))
    return issues


def _text_issues(value: Any, allowed: frozenset[str], shown: str, key: str) -> list[Issue]:
    if not isinstance(value, str):
        return [Issue("template-value-invalid", "expected text", shown, key=key)]
    try:
        used = _placeholders(value)
    except ValueError as error:
        return [Issue("template-text-invalid", f"unbalanced braces ({error})", shown, key=key)]
    specs = _spec_issues(value, shown, key, dates=key == "words.date")
    return specs + [
        Issue("template-placeholder-unknown",
              f"uses {{{name}}}, which the results cannot fill; allowed: "
              + (", ".join(f"{{{known}}}" for known in sorted(allowed)) or "none"),
              shown, key=key)
        for name in sorted(used - allowed)
    ]


def load_template(path: Path | None, lang: Lang) -> BulletinTemplate:
    """The bulletin wording in ``path``, or the bundled one for ``lang``.

    Raises :class:`TemplateError` with every problem of the file.
    """
    if path is None:
        shown = f"bulletin_{lang}.toml"
        resource = importlib.resources.files("inspect_score.followup") / "templates" / shown
        raw = resource.read_text(encoding="utf-8")
    else:
        shown = str(path)
        try:
            raw = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as error:
            raise TemplateError([Issue("template-unreadable", str(error), shown)]) from error
    try:
        document = tomllib.loads(raw)
    except tomllib.TOMLDecodeError as error:
        raise TemplateError([Issue("template-invalid-toml", str(error), shown)]) from error
    issues = _template_issues(document, shown)
    if issues:
        raise TemplateError(issues)
    return BulletinTemplate(words=dict(document["words"]), text=dict(document["text"]),
                            source=shown)


# --- the bulletin as blocks ----------------------------------------------------------

BlockKind = Literal["title", "heading", "paragraph", "item", "table"]


@attrs.frozen
class Block:
    """One piece of the bulletin. ``item``: a problem entry, a paragraph of its own.

    ``rows`` (tables only): the header row, then one row per branch.
    ``item_id`` (problem entries only): the item the entry is about.
    """

    kind: BlockKind
    text: str = ""
    rows: tuple[tuple[str, ...], ...] = ()
    item_id: str = ""


@attrs.frozen
class Bulletin:
    blocks: tuple[Block, ...]
    title: str
    lang: Lang
    template: BulletinTemplate

    def texts(self, kind: BlockKind) -> list[str]:
        return [block.text for block in self.blocks if block.kind == kind]


def _shown_names(results: Results) -> pd.Series:
    """Each branch's name (its id where the name is empty), indexed by branch id."""
    branches = results.scores.branches
    names = branches["branch_name"].astype(str)
    names = names.where(names != "", branches["branch_id"].astype(str))
    return pd.Series(names.to_numpy(dtype=object), index=branches["branch_id"].astype(str))


def _overall(results: Results, template: BulletinTemplate, best: int) -> list[Block]:
    ranking = results.ranking
    precision = results.rubric.precision
    counts = results.grade_counts
    grade_list = template.join([
        template.say("grade_entry", grade=grade, count=int(count))
        for grade, count in zip(counts["grade"], counts["branches"], strict=True)
    ])
    totals = ranking["total"].to_numpy(dtype=np.float64)
    figures = round_points(np.array([totals.mean(), totals.max(), totals.min(), totals.std()]),
                           precision)
    mean, highest, lowest, spread = fixed_text(figures, precision)
    blocks = [
        Block("heading", template.say("result_heading")),
        Block("paragraph", template.say("grades", grade_list=grade_list)),
        Block("paragraph", template.say("spread", mean=mean, highest=highest, lowest=lowest,
                                        std=spread)),
    ]
    eligible = ranking[ranking["vetoed"].astype(str) == ""]
    if best > 0 and len(eligible):
        cut = eligible["total"].iloc[min(best, len(eligible)) - 1]
        chosen = eligible[eligible["total"] >= cut]
        names = _shown_names(results)[chosen["branch_id"].astype(str)].to_numpy(dtype=object)
        entries = [
            template.say("best_entry", name=name, total=total, grade=grade)
            for name, total, grade in zip(names, fixed_text(chosen["total"], precision),
                                          chosen["grade"], strict=True)
        ]
        blocks.append(Block("paragraph", template.say("best", best=template.join(entries))))
    return blocks


def _results_table(results: Results) -> Block:
    rubric = results.rubric
    heading = labels_for(rubric.lang).headings
    ranking = results.ranking
    precision = rubric.precision
    header = (heading["rank"], heading["branch_name"],
              *(f"{section.title}({plain_number(section.max)})" for section in rubric.sections),
              heading["bonus"], heading["penalty"], heading["total"], heading["grade"])
    names = _shown_names(results)[ranking["branch_id"].astype(str)].to_numpy(dtype=object)
    columns = [
        ranking["rank"].astype(np.int64).astype(str).to_numpy(dtype=object),
        names,
        *(fixed_text(ranking[section.id], precision) for section in rubric.sections),
        fixed_text(ranking["bonus"], precision),
        fixed_text(ranking["penalty"], precision),
        fixed_text(ranking["total"], precision),
        ranking["grade"].astype(str).to_numpy(dtype=object),
    ]
    rows = tuple(tuple(str(cell) for cell in row) for row in zip(*columns, strict=True))
    return Block("table", rows=(tuple(header), *rows))


def _well_done(results: Results, template: BulletinTemplate, share: float) -> list[Block]:
    summary = results.summary
    applying = dict(zip(summary["item_id"], summary["branches"].astype(int), strict=True))
    full_marks = dict(zip(summary["item_id"], summary["full_marks"].astype(int), strict=True))
    blocks = [Block("heading", template.say("well_heading"))]
    for item in results.rubric.indicators:
        applies, full = applying[item.id], full_marks[item.id]
        if applies == 0 or full < share * applies:
            continue
        key = "well_all" if full == applies else "well_most"
        blocks.append(Block("paragraph", template.say(key, item=item.title, count=full,
                                                      branches=applies)))
    if len(blocks) == 1:
        blocks.append(Block("paragraph", template.say("well_none")))
    return blocks


def _problems(results: Results, template: BulletinTemplate) -> list[Block]:
    """One entry per item that lost points, most widespread first (then rubric order)."""
    rubric = results.rubric
    findings = results.findings
    lost_points = findings[findings["kind"].isin(["indicator", "penalty"])]
    names = _shown_names(results)
    found = []
    for order, item in enumerate((*rubric.indicators, *rubric.penalties)):
        rows = lost_points[lost_points["item_id"] == item.id]
        if len(rows) == 0:
            continue
        entries = render(template.text["problem_entry"], {
            "name": names[rows["branch_id"].astype(str)].to_numpy(dtype=object),
            "note": rows["note"].astype(str).to_numpy(dtype=object),
            "value": rows["value"].astype(str).to_numpy(dtype=object),
            "lost": fixed_text(rows["lost"], rubric.precision),
        }, len(rows))
        lost = round_points(np.array([rows["lost"].sum()]), rubric.precision)
        found.append((-len(rows), order, item, len(rows), fixed_text(lost, rubric.precision)[0],
                      template.join([str(entry) for entry in entries])))
    found.sort(key=lambda entry: (entry[0], entry[1]))
    blocks = [Block("heading", template.say("problems_heading"))]
    for number, (_, _, item, count, lost, joined) in enumerate(found, start=1):
        end = template.text["end_last"] if number == len(found) else template.text["end_more"]
        key = "penalty" if item.kind == "penalty" else "problem"
        text = template.say(key, ordinal=template.say("ordinal", n=template.numeral(number)),
                            item=item.title, max=plain_number(item.max), count=count,
                            lost=lost, names=joined, end=end)
        blocks.append(Block("item", text, item_id=item.id))
    if not found:
        blocks.append(Block("paragraph", template.say("problems_none")))
    return blocks


def _vetoes(results: Results, template: BulletinTemplate) -> list[Block]:
    blocks = [Block("heading", template.say("vetoes_heading"))]
    positions = results.ranking["position"].to_numpy(dtype=np.int64)
    ranked_ids = results.ranking["branch_id"].astype(str)
    names = _shown_names(results)[ranked_ids].to_numpy(dtype=object)
    for veto in results.rubric.vetoes:
        hit = results.scores.vetoes[veto.id].to_numpy(dtype=bool)[positions]
        if hit.any():
            blocks.append(Block("paragraph", template.say(
                "veto", veto=veto.title, names=template.join(list(names[hit])),
                count=int(hit.sum()), grade=veto.grade)))
    if len(blocks) == 1:
        blocks.append(Block("paragraph", template.say("vetoes_none")))
    return blocks


def build_bulletin(results: Results, template: BulletinTemplate | None = None, *,
                   period: str | None = None, deadline: datetime.date | None = None,
                   best: int = BEST_BRANCHES, well_share: float = WELL_DONE_SHARE) -> Bulletin:
    """The bulletin of a run, block by block, every sentence made from ``results``.

    ``period`` defaults to the rubric's version; ``deadline`` is the date the
    closing paragraph gives for rectification (none: "within the time set").
    """
    rubric = results.rubric
    if template is None:
        template = load_template(None, rubric.lang)
    period = period if period is not None else rubric.version
    branches = len(results.ranking)
    title = template.say("title", rubric_title=rubric.title, period=period or "")
    scope = (template.say("scope", rubric_title=rubric.title, period=period, branches=branches)
             if period else
             template.say("scope_no_period", rubric_title=rubric.title, branches=branches))
    blocks = [
        Block("title", title),
        Block("heading", template.say("scope_heading")),
        Block("paragraph", scope),
        *_overall(results, template, best),
        Block("paragraph", template.say("table_heading")),
        _results_table(results),
        *_well_done(results, template, well_share),
        *_problems(results, template),
        *_vetoes(results, template),
    ]
    if len(results.findings):
        closing = (template.say("closing", deadline=template.date(deadline)) if deadline
                   else template.say("closing_no_deadline"))
        blocks += [Block("heading", template.say("closing_heading")), Block("paragraph", closing)]
    return Bulletin(blocks=tuple(blocks), title=title, lang=rubric.lang, template=template)


# --- Markdown --------------------------------------------------------------------------


def _cell(text: str) -> str:
    # names and texts come from the inputs: literal text, never markup
    return escape.markdown_text(text)


def markdown_text(bulletin: Bulletin) -> str:
    """The bulletin as Markdown: headings, one paragraph per sentence group or problem, a table."""
    parts: list[str] = []
    for block in bulletin.blocks:
        if block.kind == "title":
            parts.append(f"# {_cell(block.text)}")
        elif block.kind == "heading":
            parts.append(f"## {_cell(block.text)}")
        elif block.kind == "table":
            header, *rows = block.rows
            lines = ["| " + " | ".join(_cell(cell) for cell in header) + " |",
                     "|" + "---|" * len(header)]
            lines += ["| " + " | ".join(_cell(cell) for cell in row) + " |" for row in rows]
            parts.append("\n".join(lines))
        else:
            parts.append(_cell(block.text))
    return "\n\n".join(parts) + "\n"


def write_markdown(bulletin: Bulletin, path: Path) -> None:
    path.write_text(markdown_text(bulletin), encoding="utf-8")


# --- Word ------------------------------------------------------------------------------


def _set_east_asian_font(style: Any, font: str) -> None:
    from docx.oxml.ns import qn

    style.font.name = font
    fonts = style.element.rPr.rFonts
    fonts.set(qn("w:eastAsia"), font)


def _docx_table(document: Any, rows: tuple[tuple[str, ...], ...]) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    table.style = document.styles["Table Grid"]
    for table_row, values in zip(table.rows, rows, strict=True):
        for cell, value in zip(table_row.cells, values, strict=True):
            cell.text = escape.paragraph_text(value)
    for cell in table.rows[0].cells:
        for run in cell.paragraphs[0].runs:
            run.bold = True
    # repeat the header row on every printed page
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    table.rows[0]._tr.get_or_add_trPr().append(repeat)


def docx_bytes(bulletin: Bulletin) -> bytes:
    """The bulletin as a .docx: Title, Heading 1 per part, one paragraph per problem, a table.

    Core properties carry a pinned date and every zip member a pinned time, so
    the same results give the same bytes.
    """
    import docx
    from docx.shared import Pt

    words = bulletin.template.words
    document = docx.Document()
    normal = document.styles["Normal"]
    if words["font"]:
        for name in ("Normal", "Title", "Heading 1"):
            _set_east_asian_font(document.styles[name], str(words["font"]))
    indent = int(words["first_line_indent"])
    for block in bulletin.blocks:
        if block.kind == "title":
            document.add_heading(escape.paragraph_text(block.text), level=0)
        elif block.kind == "heading":
            document.add_heading(escape.paragraph_text(block.text), level=1)
        elif block.kind == "table":
            _docx_table(document, block.rows)
        else:
            paragraph = document.add_paragraph(escape.paragraph_text(block.text))
            if indent:
                size = normal.font.size or Pt(10.5)
                paragraph.paragraph_format.first_line_indent = size * indent
    properties = document.core_properties
    properties.title = escape.paragraph_text(bulletin.title)
    properties.author = "inspect-score"
    properties.last_modified_by = "inspect-score"
    properties.created = PINNED_TIME
    properties.modified = PINNED_TIME
    properties.last_printed = PINNED_TIME
    properties.revision = 1
    saved = io.BytesIO()
    document.save(saved)
    return _pinned_zip(saved.getvalue())


def _pinned_zip(data: bytes) -> bytes:
    """The same zip with every member's time pinned (python-docx stamps the current time)."""
    pinned = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, \
            zipfile.ZipFile(pinned, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            member = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = 0o644 << 16
            target.writestr(member, source.read(info))
    return pinned.getvalue()


def write_docx(bulletin: Bulletin, path: Path) -> None:
    path.write_bytes(docx_bytes(bulletin))


def write_bulletin(bulletin: Bulletin, path: Path, *, target: Path | None = None) -> None:
    """Write ``bulletin`` to ``path`` as Word or Markdown, as the suffix of ``target`` (default
    ``path``) says: .docx is Word, anything else Markdown. ``target`` is the final name
    where ``path`` is a temporary file beside it."""
    if (target or path).suffix.lower() == ".docx":
        write_docx(bulletin, path)
    else:
        write_markdown(bulletin, path)
