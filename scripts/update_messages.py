"""Bring the message catalogs up to date with the source, and compile them.

    python scripts/update_messages.py          # update the .po files, compile the .mo files
    python scripts/update_messages.py --check  # exit 1 if either is out of date

Every ``msg("...")`` and ``tr("...")`` of ``src/inspect_score`` is a message id
(its English text). Each entry of ``locale/LANG/LC_MESSAGES/inspect_score.po``
is marked with the issue codes it is raised with (``#. code: bad-int``), so the
catalog reads code by code. New entries arrive with an empty translation: give
each its Chinese text, then run this again to compile. ``tests/test_messages.py``
fails while an entry has no translation or a ``.mo`` lags its ``.po``.
"""

from __future__ import annotations

import argparse
import ast
import io
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import attrs
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "inspect_score"
LOCALE = PACKAGE / "locale"
DOMAIN = "inspect_score"
#: The languages with a catalog; English is the message ids themselves.
TRANSLATED = ("zh",)
#: The functions that mark a message: their first argument is its English template.
MARKERS = ("msg", "tr", "N_")
HEADER = """\
# The Chinese wording of inspect-score's messages, entry by entry; each entry's
# "code:" comments name the issue codes it is raised with.
# Kept up to date with the source by scripts/update_messages.py."""
CODE = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)+$")


@attrs.frozen
class Use:
    """One message in the source: where, and the issue code it is raised with."""

    template: str
    path: str
    line: int
    code: str | None


def _name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _code_of(call: ast.Call) -> str | None:
    """The issue code a call is given: a kebab-case literal among its first two
    arguments, or ``code=`` (``Issue("bad-int", ...)``, ``table.error("wrong-type",
    ...)``, ``_warning(rubric, "constant-points", ...)``)."""
    if _name(call.func) in MARKERS:
        return None
    candidates = [*call.args[:2], *(kw.value for kw in call.keywords if kw.arg == "code")]
    for node in candidates:
        if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                and CODE.match(node.value):
            return node.value
        if isinstance(node, ast.Name) and node.id == "code":
            return PASSED_IN
    return None


#: A message raised with a ``code`` handed in by the caller: it stands for every
#: code its file hands in as ``code=...`` (or gives a ``code`` parameter as default).
PASSED_IN = "*"


def _handed_in(tree: ast.AST) -> list[str]:
    """The codes a file hands in as ``code="..."`` or as a ``code`` parameter's default."""
    found: list[ast.expr] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            found += [kw.value for kw in node.keywords if kw.arg == "code"]
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            arguments = [*node.args.posonlyargs, *node.args.args]
            defaults = dict(zip([a.arg for a in arguments[-len(node.args.defaults):]],
                                node.args.defaults, strict=True)) if node.args.defaults else {}
            defaults.update({a.arg: d for a, d in zip(node.args.kwonlyargs,
                                                      node.args.kw_defaults, strict=True) if d})
            if "code" in defaults:
                found.append(defaults["code"])
    return sorted({node.value for node in found if isinstance(node, ast.Constant)
                   and isinstance(node.value, str) and CODE.match(node.value)})


def _tuple_code(node: ast.Tuple) -> str | None:
    """The code of a ``(code, message)`` pair, as a cell's describer returns it."""
    first = node.elts[0] if node.elts else None
    if isinstance(first, ast.Constant) and isinstance(first.value, str) \
            and CODE.match(first.value):
        return first.value
    return None


def _calls(tree: ast.AST) -> Iterator[tuple[ast.Call, str | None]]:
    """Every call, with the nearest code of a call (or pair) it is an argument of."""
    def walk(node: ast.AST, code: str | None) -> Iterator[tuple[ast.Call, str | None]]:
        if isinstance(node, ast.stmt):  # a code reaches only the arguments of its call
            code = None
        if isinstance(node, ast.Tuple):
            code = _tuple_code(node) or code
        if isinstance(node, ast.Call):
            code = _code_of(node) or code
            yield node, code
        for child in ast.iter_child_nodes(node):
            yield from walk(child, code)
    yield from walk(tree, None)


def uses(package: Path = PACKAGE) -> list[Use]:
    """Every message of the package, in source order."""
    found: list[Use] = []
    for path in sorted(package.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        handed_in = _handed_in(tree)
        for call, code in _calls(tree):
            if _name(call.func) not in MARKERS or not call.args:
                continue
            first = call.args[0]
            if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
                continue
            where = str(path.relative_to(package.parent.parent))
            for each in (handed_in if code == PASSED_IN else [code]):
                found.append(Use(first.value, where, call.lineno, each))
    return found


def raised_codes(package: Path = PACKAGE) -> dict[str, list[str]]:
    """Every issue code raised in the package, with where (``path:line``)."""
    codes: dict[str, list[str]] = {}
    for path in sorted(package.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            code = None
            if isinstance(node, ast.Call) and _looks_like_issue(node):
                code = _code_of(node)
            elif isinstance(node, ast.Tuple) and len(node.elts) == 2 and _is_message(node.elts[1]):
                code = _tuple_code(node)
            if code is not None and code != PASSED_IN and isinstance(node, ast.expr):
                codes.setdefault(code, []).append(f"{path.relative_to(ROOT)}:{node.lineno}")
        for code in _handed_in(tree):
            codes.setdefault(code, []).append(str(path.relative_to(ROOT)))
    return codes


#: Where ``Issue`` and the rubric reader's ``error``/``warn`` take their message.
MESSAGE_ARGUMENT = {"Issue": 1, "error": 2, "warn": 2}


def plain_text_messages(package: Path = PACKAGE) -> list[str]:
    """Issues raised with text written in place (a literal or an f-string) rather
    than a catalog message: ``path:line: code``. They would reach a Chinese reader
    in English."""
    found = []
    root = package.parent.parent
    for path in sorted(package.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            # a (code, text) pair, as a cell's describer returns it; text is a sentence
            # (it has a space), not a second name like ("utf-8-sig", "gb18030")
            if isinstance(node, ast.Tuple) and len(node.elts) == 2 and _tuple_code(node) \
                    and _is_text(node.elts[1]) and " " in ast.unparse(node.elts[1]):
                found.append(f"{path.relative_to(root)}:{node.lineno}: {_tuple_code(node)}")
            if not isinstance(node, ast.Call) or _name(node.func) not in MESSAGE_ARGUMENT:
                continue
            position = MESSAGE_ARGUMENT[str(_name(node.func))]
            given = [*node.args[position:position + 1],
                     *(kw.value for kw in node.keywords if kw.arg == "message")]
            if any(_is_text(arg) for arg in given):
                found.append(f"{path.relative_to(root)}:{node.lineno}: {_code_of(node)}")
    return found


def _is_text(node: ast.expr) -> bool:
    """Text written in place: a literal, an f-string, or pieces of them added up."""
    return isinstance(node, (ast.JoinedStr, ast.BinOp)) or (
        isinstance(node, ast.Constant) and isinstance(node.value, str))


def _is_message(node: ast.expr) -> bool:
    return isinstance(node, ast.Call) and _name(node.func) in MARKERS


def _looks_like_issue(call: ast.Call) -> bool:
    """A call that raises an issue: ``Issue(...)``, a reader's ``error``/``warn``,
    or any call handing a code on together with a message."""
    if _name(call.func) in MARKERS:
        return False
    if _name(call.func) in ("Issue", "error", "warn"):
        return True
    return any(_is_message(arg) for arg in [*call.args, *(kw.value for kw in call.keywords)])


def template_catalog(package: Path = PACKAGE) -> Catalog:
    """The catalog the source asks for (a ``.pot``): one entry per message, its codes
    as comments, its places in the source."""
    catalog = Catalog(domain=DOMAIN, project="inspect-score", charset="utf-8")
    for use in uses(package):
        message = catalog.get(use.template)
        comments = [f"code: {use.code}"] if use.code else []
        if message is None:
            catalog.add(use.template, locations=[(use.path, use.line)],
                        auto_comments=comments, flags=["python-brace-format"])
        else:
            message.locations.append((use.path, use.line))
            message.auto_comments.extend(c for c in comments if c not in message.auto_comments)
    return catalog


def po_path(lang: str) -> Path:
    return LOCALE / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def read_catalog(lang: str) -> Catalog:
    path = po_path(lang)
    if not path.exists():
        return Catalog(locale=lang, domain=DOMAIN, project="inspect-score")
    with path.open("rb") as file:
        return read_po(file, locale=lang, domain=DOMAIN)


def updated(lang: str) -> Catalog:
    """The language's catalog with the source's entries: translations kept, new
    entries empty, entries no longer used dropped."""
    catalog = read_catalog(lang)
    catalog.update(template_catalog(), no_fuzzy_matching=True, update_header_comment=False,
                   update_creation_date=False)
    catalog.obsolete.clear()
    # a fuzzy header would be left out of the .mo, and with it the charset
    catalog.fuzzy = False
    catalog.header_comment = HEADER
    catalog.last_translator = "inspect-score"
    catalog.language_team = "inspect-score"
    catalog.project, catalog.version, catalog.msgid_bugs_address = "inspect-score", "", ""
    return catalog


def po_bytes(catalog: Catalog) -> bytes:
    buffer = io.BytesIO()
    # no line numbers: they would go stale with every edit of the source
    write_po(buffer, catalog, width=100, omit_header=False, include_previous=False,
             no_location=True)
    return buffer.getvalue()


def mo_bytes(catalog: Catalog) -> bytes:
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    return buffer.getvalue()


def _without_dates(data: bytes) -> bytes:
    return re.sub(rb'"POT-Creation-Date: [^"]*"\n', b"", data)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="Change nothing; exit 1 if stale.")
    options = parser.parse_args(argv)
    stale = []
    for lang in TRANSLATED:
        catalog = updated(lang)
        po, mo = po_path(lang), po_path(lang).with_suffix(".mo")
        new_po = po_bytes(catalog)
        new_mo = mo_bytes(read_po(io.BytesIO(new_po), locale=lang, domain=DOMAIN))
        old_po = po.read_bytes() if po.exists() else b""
        if _without_dates(old_po) != _without_dates(new_po):
            stale.append(po)
            if not options.check:
                po.parent.mkdir(parents=True, exist_ok=True)
                po.write_bytes(new_po)
        if (mo.read_bytes() if mo.exists() else b"") != new_mo:
            stale.append(mo)
            if not options.check:
                mo.write_bytes(new_mo)
        untranslated = [m.id for m in catalog if m.id and not m.string]
        if untranslated:
            print(f"{po.relative_to(ROOT)}: {len(untranslated)} entries without a translation")
    for path in stale:
        print(f"{'stale' if options.check else 'updated'}: {path.relative_to(ROOT)}")
    return 1 if options.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
