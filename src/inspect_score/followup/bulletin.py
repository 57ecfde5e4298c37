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
import re
import string
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import attrs
import numpy as np
import pandas as pd

# tomli, as the rubric loader reads TOML: its errors carry their line and column
import tomli as tomllib

from inspect_score.checklists.conditions import applies_if_mask
from inspect_score.errors import InspectError, Issue
from inspect_score.followup.problems import headline_of, problem_findings
from inspect_score.messages import listing, msg
from inspect_score.outputs import escape
from inspect_score.rubric.model import Item, Lang
from inspect_score.rubric.toml_errors import describe_syntax_error
from inspect_score.scoring.labels import fixed_text, labels_for, section_heading
from inspect_score.scoring.plain import plain_number
from inspect_score.scoring.results import Results
from inspect_score.scoring.rounding import round_points

#: An item most branches fulfilled: at least this share of the branches it applies to
#: got full marks.
WELL_DONE_SHARE = 0.8
#: How many branches a penalty's default headline calls "a few" (个别社区被通报批评).
FEW_BRANCHES = 2
#: How many of the best branches the result paragraph names (more where tied at the cut).
BEST_BRANCHES = 3
#: Every member of a .docx is stamped with this time, so the same inputs give the same bytes.
ZIP_TIME = (2000, 1, 1, 0, 0, 0)
PINNED_TIME = datetime.datetime(2000, 1, 1, 0, 0, 0)

#: The keys of a template's [words] table.
WORD_KEYS = ("noun", "list_separator", "group_separator", "numerals", "first_line_indent",
             "heading_number", "subheading_number", "date", "blank")
_DOCUMENT = frozenset({"period", "subject"})
#: The keys of a template's [text] table and the placeholders each may use.
TEXT_PLACEHOLDERS: Mapping[str, frozenset[str]] = {
    "title": _DOCUMENT,
    "recipients": frozenset({"recipients"}),
    "opening": _DOCUMENT | {"rubric_title", "branches", "noun"},
    "result_heading": frozenset(),
    "overall_heading": frozenset(),
    "grades": frozenset({"grade_list"}),
    "grade_entry": frozenset({"grade", "count"}),
    "spread": frozenset({"mean", "highest", "lowest"}),
    "best": frozenset({"best"}),
    "best_entry": frozenset({"name", "total", "grade"}),
    "table_note": frozenset({"noun"}),
    "well_heading": frozenset(),
    "well_all": frozenset({"item", "count", "branches", "noun"}),
    "well_most": frozenset({"item", "count", "branches", "noun"}),
    "well_most_each": frozenset({"item", "count", "branches", "noun"}),
    "well_all_some": frozenset({"item", "count", "branches", "noun"}),
    "well_most_some": frozenset({"item", "count", "branches", "noun"}),
    "well_none": frozenset({"noun"}),
    "problems_heading": frozenset(),
    "ordinal": frozenset({"n"}),
    "problem": frozenset({"ordinal", "headline", "item", "groups", "count", "noun", "end"}),
    "penalty_headline": frozenset({"item", "count", "noun"}),
    "penalty_headline_few": frozenset({"item", "count", "noun"}),
    "problem_group": frozenset({"names", "problem", "count", "noun"}),
    "end_more": frozenset(),
    "end_last": frozenset(),
    "problems_none": frozenset({"noun"}),
    "vetoes_heading": frozenset(),
    "veto": frozenset({"veto", "names", "count", "grade", "noun"}),
    "veto_excluded": frozenset({"veto", "names", "count", "label", "noun"}),
    "excluded_label": frozenset(),
    "veto_zero": frozenset({"veto", "names", "count", "noun"}),
    "veto_zero_ungraded": frozenset({"veto", "names", "count", "noun"}),
    "closing_heading": frozenset(),
    "closing": frozenset({"deadline", "noun"}),
    "closing_no_deadline": frozenset({"noun"}),
    "appendix_note": frozenset({"appendix_title"}),
    "appendix_label": frozenset(),
    "appendix_title": _DOCUMENT,
}
#: Keys added after templates were first handed out: a template without them takes the
#: bundled wording, so an office's reworded template keeps working.
OPTIONAL_TEXT = frozenset({"veto_zero_ungraded", "well_most_each", "well_all_some",
                           "well_most_some", "penalty_headline", "penalty_headline_few"})
DATE_PLACEHOLDERS = frozenset({"year", "month", "day", "month_name"})
NUMBER_PLACEHOLDERS = frozenset({"n"})

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

    def breaks(self, key: str, **values: Any) -> tuple[int, ...]:
        """Where the sentence :meth:`say` makes of ``key`` may break a line at a meaningful
        point: between the template's own words and each value filled in ("关于" | "2025年
        下半年" | "社区党建工作" | "考评情况的通报"), never inside one."""
        if "noun" in TEXT_PLACEHOLDERS[key]:
            values.setdefault("noun", self.words["noun"])
        positions = []
        length = 0
        for literal, name, _spec, _conversion in string.Formatter().parse(self.text[key]):
            length += len(literal)
            positions.append(length)
            if name is not None:
                length += len(str(values[name]))
                positions.append(length)
        return tuple(sorted({position for position in positions if 0 < position < length}))

    def date(self, day: datetime.date) -> str:
        return str(self.words["date"]).format(year=day.year, month=day.month, day=day.day,
                                              month_name=day.strftime("%B"))

    def heading_number(self, number: int, level: int) -> str:
        key = "heading_number" if level == 1 else "subheading_number"
        return str(self.words[key]).format(n=self.numeral(number))

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
            issues.append(Issue("template-table-missing", msg("expected a [{table}] table",
                                                              table=table),
                                shown, key=table))
            continue
        issues += [Issue("template-key-missing", msg("is missing"), shown, key=f"{table}.{key}")
                   for key in keys if key not in found
                   and not (table == "text" and key in OPTIONAL_TEXT)]
        issues += [Issue("template-key-unknown", msg("is not one of {keys}", keys=listing(keys)),
                         shown,
                         key=f"{table}.{key}") for key in found if key not in keys]
    issues += [Issue("template-key-unknown", msg("expected only [words] and [text]"), shown,
                     key=key)
               for key in document if key not in ("words", "text")]
    if isinstance(text, dict):
        for key, allowed in TEXT_PLACEHOLDERS.items():
            issues += _text_issues(text.get(key, ""), allowed, shown, f"text.{key}")
    if isinstance(words, dict):
        issues += _text_issues(words.get("date", ""), DATE_PLACEHOLDERS, shown, "words.date")
        for key in ("heading_number", "subheading_number"):
            issues += _text_issues(words.get(key, ""), NUMBER_PLACEHOLDERS, shown, f"words.{key}")
        if words.get("numerals", "arabic") not in ("arabic", "chinese"):
            issues.append(Issue("template-value-invalid", msg('expected "arabic" or "chinese"'),
                                shown, key="words.numerals"))
        indent = words.get("first_line_indent", 0)
        if not isinstance(indent, int) or isinstance(indent, bool) or indent < 0:
            issues.append(Issue("template-value-invalid", msg("expected a whole number >= 0"),
                                shown, key="words.first_line_indent"))
        for key in ("noun", "list_separator", "group_separator", "blank"):
            if not isinstance(words.get(key, ""), str):
                issues.append(Issue("template-value-invalid", msg("expected text"), shown,
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
                msg("{spec}: format specs are not allowed here; write {{{name}}} (a date part "
                    "may be zero-padded: {{month:02d}})", spec=shown_spec, name=name) if dates
                else msg("{spec}: format specs are not allowed here; write {{{name}}}",
                         spec=shown_spec, name=name),
                shown, key=key))
    return issues


def _text_issues(value: Any, allowed: frozenset[str], shown: str, key: str) -> list[Issue]:
    if not isinstance(value, str):
        return [Issue("template-value-invalid", msg("expected text"), shown, key=key)]
    try:
        used = _placeholders(value)
    except ValueError as error:
        return [Issue("template-text-invalid", msg("unbalanced braces ({error})", error=error),
                      shown, key=key)]
    specs = _spec_issues(value, shown, key, dates=key == "words.date")
    known = listing(f"{{{name}}}" for name in sorted(allowed))
    return specs + [
        Issue("template-placeholder-unknown",
              msg("uses {{{name}}}, which the results cannot fill; allowed: {known}",
                  name=name, known=known) if known else
              msg("uses {{{name}}}, which the results cannot fill; none is allowed here",
                  name=name),
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
            raise TemplateError([Issue("template-unreadable", msg(
                "cannot read the file: {error}", error=error), shown)]) from error
    try:
        document = tomllib.loads(raw)
    except tomllib.TOMLDecodeError as error:
        problem = describe_syntax_error(error)
        raise TemplateError([Issue("template-invalid-toml", problem.message, shown,
                                   row=problem.row, key=problem.key)]) from error
    issues = _template_issues(document, shown)
    if issues:
        raise TemplateError(issues)
    text = dict(document["text"])
    missing = OPTIONAL_TEXT - set(text)
    if missing:
        bundled = load_template(None, lang).text
        text.update({key: bundled[key] for key in missing})
    return BulletinTemplate(words=dict(document["words"]), text=text, source=shown)


# --- the bulletin as blocks ----------------------------------------------------------

#: ``title``: the document's title; ``recipients``: the 主送 line; ``heading`` and
#: ``subheading``: 一级 "一、" and 二级 "（一）" headings; ``paragraph`` and ``item`` (a
#: problem entry): body text; ``appendix_note``: "附件：…" after the body; ``issuer`` and
#: ``date``: the 落款; ``appendix_label`` and ``appendix_title``: the appendix's head,
#: on a page of its own; ``table``: the results table.
BlockKind = Literal["title", "recipients", "heading", "subheading", "paragraph", "item",
                    "appendix_note", "issuer", "date", "appendix_label", "appendix_title",
                    "table"]


@attrs.frozen
class Block:
    """One piece of the bulletin. ``item``: a problem entry, a paragraph of its own.

    ``rows`` (tables only): the header row, then one row per branch.
    ``item_id`` (problem entries only): the item the entry is about.
    ``breaks`` (titles only): where a line may break at a meaningful point, as positions
    in ``text`` (:meth:`BulletinTemplate.breaks`).
    """

    kind: BlockKind
    text: str = ""
    rows: tuple[tuple[str, ...], ...] = ()
    item_id: str = ""
    breaks: tuple[int, ...] = ()


@attrs.frozen
class Masthead:
    """Who issues the bulletin, to whom, when, and about what.

    Anything missing is a blank to fill in by hand; the rubric's title never
    stands in for the subject.
    """

    period: str | None = None
    subject: str | None = None
    issuer: str | None = None
    recipients: str | None = None
    date: datetime.date | None = None


def masthead_for(results: Results, *, period: str | None = None, subject: str | None = None,
                 issuer: str | None = None, recipients: str | None = None,
                 date: datetime.date | None = None) -> Masthead:
    """The masthead as given, else from the rubric's ``subject``, ``issuer`` and
    ``recipients`` (schema 2 metadata), else blank."""
    rubric = results.rubric

    def given(value: str | None, default: str | None) -> str | None:
        text = value if value is not None else default
        return text.strip() or None if text is not None else None

    return Masthead(period=(period or "").strip() or None,
                    subject=given(subject, rubric.subject),
                    issuer=given(issuer, rubric.issuer),
                    recipients=given(recipients, rubric.recipients), date=date)


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


def joined_names(names: Sequence[str], template: BulletinTemplate) -> str:
    """Names as a report lists them: "幸福里、东湖社区" where every name ends in the noun
    (社区), the noun said once at the end; otherwise the names in full."""
    suffix = str(template.words["noun"])
    if len(names) > 1 and suffix and all(
            name.endswith(suffix) and len(name) > len(suffix) for name in names):
        return template.join([name[:-len(suffix)] for name in names]) + suffix
    return template.join(list(names))


def grade_tally(results: Results) -> list[tuple[str, int]]:
    """What the grade sentence counts: each grade a ranked branch holds, best first, then
    each veto label of the branches a veto excluded ("取消考核资格"), which hold no grade
    but are part of the count of branches. Empty on a rubric without grades."""
    if not results.rubric.grades:
        return []
    counts = results.grade_counts
    tally = [(str(grade), int(count)) for grade, count in
             zip(counts["grade"], counts["branches"], strict=True) if int(count) > 0]
    ranking = results.ranking
    excluded = ranking.loc[ranking["rank"].isna(), "grade"].fillna("").astype(str)
    tally += [(str(label), int(count)) for label, count in
              excluded.value_counts(sort=False).items() if label]
    return tally


def _overall(results: Results, template: BulletinTemplate, best: int) -> list[Block]:
    ranking = results.ranking
    precision = results.rubric.precision
    grade_list = template.join([template.say("grade_entry", grade=grade, count=count)
                                for grade, count in grade_tally(results)])
    # a branch a veto excluded is out of the 考核: its total is no part of the spread
    ranked = ranking[ranking["rank"].notna()]
    totals = (ranked if len(ranked) else ranking)["total"].to_numpy(dtype=np.float64)
    figures = round_points(np.array([totals.mean(), totals.max(), totals.min()]), precision)
    mean, highest, lowest = (plain_number(float(value)) for value in figures)
    blocks = []
    if grade_list:
        blocks.append(Block("paragraph", template.say("grades", grade_list=grade_list)))
    blocks.append(Block("paragraph", template.say("spread", mean=mean, highest=highest,
                                                  lowest=lowest)))
    # named as the best: branches with nothing against them, no veto and no penalty
    eligible = ranking[(ranking["vetoed"].astype(str) == "")
                       & (ranking["penalty"].to_numpy(dtype=np.float64) <= 0)]
    if best > 0 and len(eligible):
        cut = eligible["total"].iloc[min(best, len(eligible)) - 1]
        chosen = eligible[eligible["total"] >= cut]
        names = _shown_names(results)[chosen["branch_id"].astype(str)].to_numpy(dtype=object)
        entries = [
            template.say("best_entry", name=name, total=plain_number(float(total)), grade=grade)
            for name, total, grade in zip(names, round_points(
                chosen["total"].to_numpy(dtype=np.float64), precision), chosen["grade"],
                strict=True)
        ]
        blocks.append(Block("paragraph", template.say("best", best=template.join(entries))))
    return blocks


def _results_table(results: Results) -> Block:
    rubric = results.rubric
    heading = labels_for(rubric.lang).headings
    ranking = results.ranking
    precision = rubric.precision
    header = (heading["rank"], heading["branch_name"],
              *(section_heading(rubric, section) for section in rubric.sections),
              heading["bonus"], heading["penalty"], heading["total"], heading["grade"])
    names = _shown_names(results)[ranking["branch_id"].astype(str)].to_numpy(dtype=object)
    ranks = ranking["rank"]
    columns = [
        np.where(ranks.isna(), "", ranks.fillna(0).astype(np.int64).astype(str)).astype(object),
        names,
        *(fixed_text(ranking[section.id], precision) for section in rubric.sections),
        fixed_text(ranking["bonus"], precision),
        fixed_text(ranking["penalty"], precision),
        fixed_text(ranking["total"], precision),
        ranking["grade"].fillna("").astype(str).to_numpy(dtype=object),
    ]
    rows = tuple(tuple(str(cell) for cell in row) for row in zip(*columns, strict=True))
    return Block("table", rows=(tuple(header), *rows))


def applying_branches(results: Results, item: Item) -> np.ndarray:
    """Per branch (the ``Scores`` rows), whether ``item`` applies to it and counts in the
    results: ranked (not excluded by a veto), not n/a, and its ``applies_if`` holding (on
    some rater's row): a branch an item does not apply to scores ``otherwise`` there, which
    says nothing of how it did."""
    points = results.scores.points[item.id].to_numpy(dtype=np.float64)
    applies = ~np.isnan(points) & ~results.scores.branches["excluded"].to_numpy(dtype=bool)
    if item.applies_if is not None:
        holds, _ = applies_if_mask(results.rubric, item, results.checklists.frame)
        owners = results.scores.row_branch.to_numpy(dtype=np.int64)
        applies &= np.bincount(owners, weights=holds, minlength=len(points)) > 0
    return np.asarray(applies, dtype=bool)


def _well_done(results: Results, template: BulletinTemplate, share: float) -> list[Block]:
    """The items at least ``share`` of the branches they apply to met in full, said as a
    report says it: "各社区班子建设、党费收缴均达到考评要求。" where every ranked branch
    did; where most did, "6个社区党员发展达到考评要求。", or of several items each met by as
    many branches "党费收缴、财务管理各有6个社区达到考评要求。"; an item that applies to
    some branches only speaks of those ("涉及配备专职党务副书记的2个社区均达到考评要求。")."""
    ranked = int((~results.scores.branches["excluded"].to_numpy(dtype=bool)).sum())
    # items said in one sentence: the same sentence of the same branches
    sentences: dict[tuple[Any, ...], list[str]] = {}
    for item in results.rubric.indicators:
        applies = applying_branches(results, item)
        points = results.scores.points[item.id].to_numpy(dtype=np.float64)
        full = applies & (points == item.max)
        count, branches = int(full.sum()), int(applies.sum())
        if branches == 0 or count < share * branches:
            continue
        key = ("well_all" if count == branches else "well_most") + (
            "" if branches == ranked else "_some")
        # "各有6个": items most branches met may be met by different ones, as many each;
        # elsewhere the very same branches
        met = count if key == "well_most" else frozenset(np.flatnonzero(full).tolist())
        group = (key, met, count, branches, frozenset(np.flatnonzero(applies).tolist()))
        sentences.setdefault(group, []).append(item.title)
    blocks = []
    for (key, _, count, branches, _), titles in sentences.items():
        if key == "well_most" and len(titles) > 1:
            key = "well_most_each"
        blocks.append(Block("paragraph", template.say(key, item=template.join(titles),
                                                      count=count, branches=branches)))
    if not blocks:
        blocks.append(Block("paragraph", template.say("well_none")))
    return blocks


def _problems(results: Results, template: BulletinTemplate) -> list[Block]:
    """One entry per item with problems: its headline, then the branches grouped by the same
    problem text, the most widespread problem first; items with the most branches first
    (then rubric order)."""
    rubric = results.rubric
    found = problem_findings(results)
    names = _shown_names(results)
    found = found.assign(name=names.reindex(found["branch_id"]).to_numpy(dtype=object),
                         order=np.arange(len(found)))
    entries = []
    for order, item in enumerate((*rubric.indicators, *rubric.penalties)):
        rows = found[found["item_id"] == item.id]
        if len(rows) == 0:
            continue
        # branches grouped by identical problem text (the spec); then the problems of
        # the very same branches said in one breath ("南苑社区支委会少开3次、党课少讲2次"),
        # never the same name twice in a row
        by_branches: dict[tuple[str, ...], tuple[int, list[str]]] = {}
        for problem, group in rows.groupby("problem", sort=False):
            branches = tuple(dict.fromkeys(group["name"]))
            first, problems = by_branches.get(branches, (int(group["order"].iloc[0]), []))
            by_branches[branches] = (first, [*problems, str(problem)])
        groups = [(-len(branches), first, template.join(problems), list(branches))
                  for branches, (first, problems) in by_branches.items()]
        groups.sort(key=lambda entry: (entry[0], entry[1]))
        texts = [template.say("problem_group", names=joined_names(branches, template),
                              problem=problem, count=len(branches))
                 for _, _, problem, branches in groups]
        count = rows["branch_id"].nunique()
        entries.append((-count, order, item, count,
                        str(template.words["group_separator"]).join(texts)))
    entries.sort(key=lambda entry: (entry[0], entry[1]))
    blocks = []
    for number, (_, _, item, count, joined) in enumerate(entries, start=1):
        end = template.text["end_last"] if number == len(entries) else template.text["end_more"]
        text = template.say("problem", ordinal=template.say("ordinal", n=template.numeral(number)),
                            headline=_headline(item, count, template, rubric.lang),
                            item=item.title, groups=joined, count=count, end=end)
        blocks.append(Block("item", text, item_id=item.id))
    if not entries:
        blocks.append(Block("paragraph", template.say("problems_none")))
    return blocks


def _headline(item: Item, count: int, template: BulletinTemplate, lang: Lang) -> str:
    """How the bulletin names an item's problems as a whole: the item's ``headline``; a
    penalty without one states the fact ("个别社区被通报批评", "3个社区班子成员受处分": a
    penalty is what happened, not a shortcoming of a piece of work); an indicator without
    one, :func:`headline_of` ("为民办实事方面存在不足")."""
    if item.kind == "penalty" and not item.headline:
        key = "penalty_headline_few" if count <= FEW_BRANCHES else "penalty_headline"
        return template.say(key, item=item.title, count=count)
    return headline_of(item, lang)


def _vetoes(results: Results, template: BulletinTemplate) -> list[Block]:
    blocks = []
    positions = results.ranking["position"].to_numpy(dtype=np.int64)
    ranked_ids = results.ranking["branch_id"].astype(str)
    names = _shown_names(results)[ranked_ids].to_numpy(dtype=object)
    for veto in results.rubric.vetoes:
        hit = results.scores.vetoes[veto.id].to_numpy(dtype=bool)[positions]
        if not hit.any():
            continue
        shown = joined_names(list(names[hit]), template)
        count = int(hit.sum())
        if veto.action == "exclude":
            text = template.say("veto_excluded", veto=veto.title, names=shown, count=count,
                                label=veto.label or template.text["excluded_label"])
        elif veto.action == "zero":
            # a rubric without grades has no lowest grade to speak of
            key = "veto_zero" if results.rubric.grades else "veto_zero_ungraded"
            text = template.say(key, veto=veto.title, names=shown, count=count)
        else:
            text = template.say("veto", veto=veto.title, names=shown, count=count,
                                grade=veto.grade)
        blocks.append(Block("paragraph", text))
    return blocks


class _Outline:
    """Numbers headings as they come: 一、二、… and within each （一）（二）…"""

    def __init__(self, template: BulletinTemplate) -> None:
        self.template = template
        self.first = 0
        self.second = 0

    def heading(self, text: str) -> Block:
        self.first += 1
        self.second = 0
        return Block("heading", self.template.heading_number(self.first, 1) + text)

    def subheading(self, text: str) -> Block:
        self.second += 1
        return Block("subheading", self.template.heading_number(self.second, 2) + text)


def build_bulletin(results: Results, template: BulletinTemplate | None = None, *,
                   masthead: Masthead | None = None, period: str | None = None,
                   deadline: datetime.date | None = None, best: int = BEST_BRANCHES,
                   well_share: float = WELL_DONE_SHARE) -> Bulletin:
    """The bulletin of a run, block by block, every sentence made from ``results``.

    ``masthead`` says the period, subject, issuer, recipients and date (by
    default :func:`masthead_for` the results, with ``period``); what it leaves
    out is a blank to fill in. ``deadline`` is the date the closing paragraph
    gives for rectification (none: "within the time set").
    """
    rubric = results.rubric
    if template is None:
        template = load_template(None, rubric.lang)
    if masthead is None:
        masthead = masthead_for(results, period=period)
    blank = str(template.words["blank"])
    period = masthead.period or blank
    if masthead.period and masthead.subject and masthead.subject.startswith(masthead.period):
        # a subject that already names the period ("2025年下半年社区党建工作") says it once
        period = ""
    document = {"period": period, "subject": masthead.subject or blank}
    title = template.say("title", **document)
    appendix_title = template.say("appendix_title", **document)
    outline = _Outline(template)
    blocks = [
        Block("title", title, breaks=template.breaks("title", **document)),
        Block("recipients", template.say("recipients",
                                         recipients=masthead.recipients or blank)),
        Block("paragraph", template.say("opening", rubric_title=rubric.title,
                                        branches=len(results.ranking), **document)),
        outline.heading(template.say("result_heading")),
        outline.subheading(template.say("overall_heading")),
        *_overall(results, template, best),
        Block("paragraph", template.say("table_note")),
        outline.subheading(template.say("well_heading")),
        *_well_done(results, template, well_share),
        outline.heading(template.say("problems_heading")),
        *_problems(results, template),
    ]
    vetoes = _vetoes(results, template)
    if vetoes:
        blocks += [outline.heading(template.say("vetoes_heading")), *vetoes]
    if len(results.findings):
        closing = (template.say("closing", deadline=template.date(deadline)) if deadline
                   else template.say("closing_no_deadline"))
        blocks += [outline.heading(template.say("closing_heading")), Block("paragraph", closing)]
    blocks += [
        Block("appendix_note", template.say("appendix_note", appendix_title=appendix_title)),
        Block("issuer", masthead.issuer or blank),
        Block("date", template.date(masthead.date) if masthead.date else
              _blank_date(template, blank)),
        Block("appendix_label", template.say("appendix_label")),
        Block("appendix_title", appendix_title,
              breaks=template.breaks("appendix_title", **document)),
        _results_table(results),
    ]
    return Bulletin(blocks=tuple(blocks), title=title, lang=rubric.lang, template=template)


def _blank_date(template: BulletinTemplate, blank: str) -> str:
    """The date line with blanks for the numbers ("____年__月__日")."""
    fields = {"year": "{year}", "month": "{month}", "day": "{day}", "month_name": "{month}"}
    pattern = str(template.words["date"])
    for key in fields:
        pattern = re.sub(r"\{" + key + r"(:[^}]*)?\}", "\0" + key + "\0", pattern)
    widths = {"year": max(len(blank) // 2, 4), "month": 2, "day": 2}
    for key in ("year", "month", "day"):
        pattern = pattern.replace("\0" + key + "\0", "_" * widths[key])
    return pattern.replace("\0month_name\0", "_" * 4)


# --- Markdown --------------------------------------------------------------------------


def _cell(text: str) -> str:
    # names and texts come from the inputs: literal text, never markup
    return escape.markdown_text(text)


MARKDOWN_PREFIX: Mapping[str, str] = {
    "title": "# ", "heading": "## ", "subheading": "### ", "appendix_title": "## ",
}


def markdown_text(bulletin: Bulletin) -> str:
    """The bulletin as Markdown, with the same text as the Word document: the title, the
    headings, one paragraph per sentence group or problem, the 落款, the appendix table."""
    parts: list[str] = []
    for block in bulletin.blocks:
        if block.kind == "table":
            header, *rows = block.rows
            lines = ["| " + " | ".join(_cell(cell) for cell in header) + " |",
                     "|" + "---|" * len(header)]
            lines += ["| " + " | ".join(_cell(cell) for cell in row) + " |" for row in rows]
            parts.append("\n".join(lines))
        elif block.kind == "appendix_label":
            parts.append("---\n\n" + _cell(block.text))
        else:
            parts.append(MARKDOWN_PREFIX.get(block.kind, "") + _cell(block.text))
    return "\n\n".join(parts) + "\n"


def write_markdown(bulletin: Bulletin, path: Path) -> None:
    path.write_text(markdown_text(bulletin), encoding="utf-8")


# --- Word ------------------------------------------------------------------------------


def write_docx(bulletin: Bulletin, path: Path) -> None:
    from inspect_score.followup.official_docx import docx_bytes

    path.write_bytes(docx_bytes(bulletin))


def write_bulletin(bulletin: Bulletin, path: Path, *, target: Path | None = None) -> None:
    """Write ``bulletin`` to ``path`` as Word or Markdown, as the suffix of ``target`` (default
    ``path``) says: .docx is Word, anything else Markdown. ``target`` is the final name
    where ``path`` is a temporary file beside it."""
    if (target or path).suffix.lower() == ".docx":
        write_docx(bulletin, path)
    else:
        write_markdown(bulletin, path)
