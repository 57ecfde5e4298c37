"""Bring the catalog of click's own messages up to date with the installed click,
and compile it.

    python scripts/update_click_messages.py

click marks its messages (usage errors, "Usage:") with gettext's default domain,
``messages``; ``locale/zh/LC_MESSAGES/messages.po`` gives the ones a user meets
on a usage error their Chinese text (help text is left English, as the options'
help is). New or changed messages of a newer click arrive with an empty
translation, which stays English until given one; ``tests/test_cli_usage_language.py``
fails while the ``.mo`` lags the ``.po``.
"""

from __future__ import annotations

from pathlib import Path

import click
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "src" / "inspect_score" / "locale" / "zh" / "LC_MESSAGES" / "messages.po"
HEADER = """\
# The Chinese wording of click's own messages (usage errors), gettext domain
# 'messages'; entries left empty stay English. Kept up to date with the
# installed click by scripts/update_click_messages.py."""


def click_template() -> Catalog:
    template = Catalog(project="click", fuzzy=False)
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2)}
    for _file, _line, message, _comments, _context in extract_from_dir(
            str(Path(click.__file__).parent), keywords=keywords):
        template.add(message)
    return template


def main() -> None:
    with PO.open("rb") as file:
        catalog = read_po(file, locale="zh")
    catalog.update(click_template(), no_fuzzy_matching=True)
    catalog.obsolete.clear()
    catalog.header_comment = HEADER
    catalog.fuzzy = False
    with PO.open("wb") as file:
        write_po(file, catalog, width=100, omit_header=False, no_location=True)
    with PO.with_suffix(".mo").open("wb") as file:
        write_mo(file, catalog)


if __name__ == "__main__":
    main()
