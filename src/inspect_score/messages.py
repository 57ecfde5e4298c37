"""What the tool says, in the reader's language: gettext catalogs, one language a run.

A message is written once, in English, where it is raised::

    Issue("bad-int", msg("'{value}' is not a whole number; expected {expected}",
                         value=text, expected=expected), path, row=7)

The English template is the catalog's message id; ``locale/zh/LC_MESSAGES/
inspect_score.po`` gives each its Chinese wording (``.mo`` compiled beside it,
kept up to date by ``tests/test_messages.py``). A :class:`Message` is a ``str``
holding its English rendering, so a library caller reads ``issue.message`` as
before; :meth:`Message.render` gives it in any language, and the command line
renders every line in the language of the run (:func:`language`): ``--lang``,
else ``INSPECT_SCORE_LANG``, else the rubric's ``lang``, else the system's.

To add a message: write ``msg("...")`` (or ``tr("...")`` for text printed at
once), then run ``python scripts/update_messages.py`` and give the new entry
of the ``.po`` file its Chinese text; the tests list any entry left without one.
"""

from __future__ import annotations

import contextlib
import functools
import gettext
import os
import sys
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from pathlib import Path
from typing import Literal

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = ("zh", "en")

DOMAIN = "inspect_score"
LOCALE_DIR = Path(__file__).parent / "locale"
#: The environment variable that chooses the language of messages.
ENV_VAR = "INSPECT_SCORE_LANG"

_chosen: ContextVar[Lang | None] = ContextVar("inspect_score_language", default=None)


@functools.cache
def catalog(lang: Lang) -> gettext.NullTranslations:
    """The translations into ``lang``; English is the templates themselves."""
    if lang == "en":
        return gettext.NullTranslations()
    # No fallback: a package installed without its catalogs should fail loudly,
    # not print English to a reader who asked for Chinese.
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[lang])


def parse_language(value: str | None) -> Lang | None:
    """``zh``/``en`` from a language tag as people and systems write it
    (``zh_CN.UTF-8``, ``zh-Hans``, ``en_US``, ``C``); None when it names neither."""
    if not value:
        return None
    tag = value.strip().lower().replace("-", "_")
    if tag.startswith("zh") or tag.startswith("chinese"):
        return "zh"
    if tag.startswith("en") or tag in ("c", "posix") or tag.startswith("c."):
        return "en"
    return None


def system_language() -> Lang:
    """The language of the system's locale: Chinese for a Chinese one, else English."""
    # The variables gettext itself consults, in its order (LANGUAGE may list several).
    for variable in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(variable)
        if value:
            return parse_language(value.split(":")[0]) or "en"
    if sys.platform == "win32":  # pragma: no cover - Windows keeps its language elsewhere
        import ctypes
        import locale

        code = ctypes.windll.kernel32.GetUserDefaultUILanguage()
        return parse_language(locale.windows_locale.get(code)) or "en"
    return "en"


def language() -> Lang:
    """The language messages are rendered in: as chosen (:func:`use_language`),
    else ``INSPECT_SCORE_LANG``, else English (what library callers had)."""
    chosen = _chosen.get()
    if chosen is not None:
        return chosen
    return parse_language(os.environ.get(ENV_VAR)) or "en"


def set_language(lang: Lang) -> None:
    """Render every message from now on in ``lang`` (the command line's choice)."""
    _chosen.set(lang)


@contextlib.contextmanager
def use_language(lang: Lang) -> Iterator[None]:
    """Render messages in ``lang`` within the block."""
    token = _chosen.set(lang)
    try:
        yield
    finally:
        _chosen.reset(token)


class Listing(tuple[str, ...]):
    """Values listed in a message: ``a, b, c`` in English, ``a、b、c`` in Chinese."""

    __slots__ = ()

    def render(self, lang: Lang) -> str:
        return ("、" if lang == "zh" else ", ").join(render(value, lang) for value in self)


def listing(values: Iterable[object]) -> Listing:
    """Values to list; messages among them are rendered in the reader's language."""
    return Listing(value if isinstance(value, str) else str(value) for value in values)


class Message(str):
    """A message: its English template (the catalog's id) and the values to fill in.

    As a ``str`` it is the English text, so code that reads messages as strings
    keeps working; :meth:`render` gives it in any language.
    """

    __slots__ = ("params", "template")
    template: str
    params: tuple[tuple[str, object], ...]

    def __new__(cls, template: str, params: dict[str, object]) -> Message:
        text = _fill(template, params, "en")
        self = super().__new__(cls, text)
        self.template = template
        self.params = tuple(params.items())
        return self

    def render(self, lang: Lang | None = None) -> str:
        lang = lang or language()
        if lang == "en":
            return str.__str__(self)
        return _fill(catalog(lang).gettext(self.template), dict(self.params), lang)

    def __reduce__(self) -> tuple[object, ...]:  # pickles (multiprocessing) keep their params
        return (Message, (self.template, dict(self.params)))


def _value(value: object, lang: Lang) -> object:
    if isinstance(value, Message):
        return value.render(lang)
    if isinstance(value, Listing):
        return value.render(lang)
    return value


def _fill(template: str, params: dict[str, object], lang: Lang) -> str:
    # Always formatted, params or not, so that "{{" means "{" in every template.
    return template.format(**{name: _value(value, lang) for name, value in params.items()})


def msg(template: str, /, **params: object) -> Message:
    """A message to render later, in the language of whoever reads it."""
    return Message(template, params)


def N_(template: str, /) -> str:
    """A template marked for the catalogs, to be filled later with :func:`msg`
    (gettext's own name for it)."""
    return template


def tr(template: str, /, **params: object) -> str:
    """A message rendered now, in the language of the run."""
    return Message(template, params).render()


def render(text: str, lang: Lang | None = None) -> str:
    """Any message text in ``lang``: a :class:`Message` rendered, plain text as it is."""
    return text.render(lang) if isinstance(text, Message) else str(text)


#: The domain click's own messages (usage errors) are looked up in: click marks
#: them with the module-level ``gettext.gettext``, that is gettext's default domain.
CLICK_DOMAIN = "messages"
#: The variable gettext consults first for the language of the default domain.
_GETTEXT_LANGUAGE = "LANGUAGE"


@contextlib.contextmanager
def click_language(lang: Lang) -> Iterator[None]:
    """click's own messages ("Missing argument", "No such option", "Usage:") in
    ``lang`` within the block.

    click calls ``gettext.gettext`` as it raises a usage error, and that reads
    the default domain's catalog in the language of $LANGUAGE: the catalog of
    click's messages (``locale/zh/LC_MESSAGES/messages.po``) is bound to that
    domain, and $LANGUAGE says ``lang`` for as long as the block runs, then is
    given back, so that nothing outside the command line sees it changed.
    """
    gettext.bindtextdomain(CLICK_DOMAIN, str(LOCALE_DIR))
    before = os.environ.get(_GETTEXT_LANGUAGE)
    os.environ[_GETTEXT_LANGUAGE] = lang
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(_GETTEXT_LANGUAGE, None)
        else:
            os.environ[_GETTEXT_LANGUAGE] = before
