"""The site's languages: which there are, where each one's words are, and how each writes
dates and numbers.

The languages are content (`content/registries/languages.yaml`); the words are gettext
catalogues, one per language, at `translations/<code>/LC_MESSAGES/messages.po`. English is
written in the code and is its own catalogue. A catalogue is read from its `.po` file, so
there is nothing to compile and nothing to forget: adding a language is a registry entry
and a catalogue (docs/translating.md).

Strings are marked for the catalogue with `N_` where they are written (label tables,
messages built before the language is known) and translated with `gettext(code, text)`
where the language is known. The app reaches the same catalogues through Flask-Babel
(`feedback_api.i18n`).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import io
import os
import threading
from pathlib import Path

from babel import Locale, dates, localedata, numbers
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from .problem import Problem
from .schema import ENGLISH_ONLY, LanguageEntry, LanguagesRegistry

ROOT = Path(__file__).resolve().parent.parent
CATALOGUES = ROOT / "translations"
DOMAIN = "messages"
DEFAULT = "en"
REGION = "US"  # the City's: dates and numbers are written as in the United States

_lock = threading.Lock()
_loaded: dict[tuple[str, str], tuple[tuple[int, int], Translations]] = {}


def N_(text: str) -> str:  # noqa: N802 - the name gettext's tools look for
    """Mark `text` for the catalogue where it is written; it is translated where it is shown."""
    return text


def catalogue_path(code: str, folder: Path | None = None) -> Path:
    """Where language `code`'s catalogue is, in `folder` (by default CATALOGUES, looked up
    when called)."""
    return Path(folder or CATALOGUES) / code / "LC_MESSAGES" / f"{DOMAIN}.po"


def translations(code: str | None, folder: Path | None = None) -> NullTranslations:
    """The catalogue of language `code`, read from its `.po` file (and read again when the
    file changes). English, and a language without a catalogue, are the text as written."""
    if not code or code == DEFAULT:
        return NullTranslations()
    # the path as a string (`catalogue_path`'s): a page in another language looks its
    # catalogue up for each of its words, and four `Path` joins a time cost more than
    # the look-up and the `stat`
    path = os.path.join(folder or CATALOGUES, code, "LC_MESSAGES", f"{DOMAIN}.po")
    try:
        stat = os.stat(path)
    except OSError:
        return NullTranslations()
    key = (path, code)
    stamp = (stat.st_mtime_ns, stat.st_size)
    with _lock:
        cached = _loaded.get(key)
        if cached and cached[0] == stamp:
            return cached[1]
        with open(path, "rb") as file:
            catalog = read_po(file, locale=code, domain=DOMAIN)
        compiled = io.BytesIO()
        write_mo(compiled, catalog, use_fuzzy=False)
        compiled.seek(0)
        loaded = Translations(compiled, domain=DOMAIN)
        _loaded[key] = (stamp, loaded)
        return loaded


def catalogue_hash(code: str | None, folder: Path | None = None) -> str:
    """What the pages in language `code` depend on in its catalogue (for the build's
    store): the `.po` file's bytes, or "" for English."""
    if not code or code == DEFAULT:
        return ""
    try:
        return hashlib.sha256(catalogue_path(code, folder).read_bytes()).hexdigest()
    except OSError:
        return "missing"


def gettext(code: str | None, text: str, **values) -> str:
    """`text` in language `code`, with `%(name)s` placeholders filled from `values`.

    English is the text as written, without `translations`: a page maker asks for
    hundreds of thousands of words per build, and a `NullTranslations` made for each
    cost a rebuild at 800 policies a good part of a second."""
    if text and code and code != DEFAULT:
        translated = translations(code).ugettext(text)
    else:
        translated = text
    return translated % values if values else translated


def ngettext(code: str | None, singular: str, plural: str, count: int, **values) -> str:
    """`singular` or `plural` in language `code` as `count` asks (English: as written,
    as `gettext` does), with `%(num)s` the count."""
    if code and code != DEFAULT:
        translated = translations(code).ungettext(singular, plural, count)
    else:
        translated = singular if count == 1 else plural
    return translated % {"num": count, **values}


def translator(code: str | None):
    """`gettext` with the language filled in: `_ = translator("es")`."""
    def translate(text: str, **values) -> str:
        return gettext(code, text, **values)
    return translate


@functools.lru_cache(maxsize=4096)
def long_date(day: dt.date, code: str | None) -> str:
    """`January 5, 2026` / `5 de enero de 2026`, as each language writes a date in prose.
    Kept once written: a build in another language writes tens of thousands of dates,
    most of them the same few hundred days, and Babel takes a while over each."""
    return dates.format_date(day, format="long", locale=_locale(code))


def whole_number(value: int, code: str | None) -> str:
    """`1,234` in English, and in Spanish as the United States writes it (`1,234`)."""
    return numbers.format_decimal(value, locale=_locale(code))


def _locale(code: str | None) -> Locale:
    """The language's conventions as the United States writes them (`es_US`: 5,000 and
    "5 de enero de 2026"), where CLDR has them; else the language's own."""
    language = (code or DEFAULT).replace("-", "_")
    if "_" not in language and localedata.exists(f"{language}_{REGION}"):
        return Locale.parse(f"{language}_{REGION}")
    return Locale.parse(language)


# ---------------------------------------------------------------------------------------
# The registry


def default_language(registry: LanguagesRegistry = ENGLISH_ONLY) -> LanguageEntry:
    return next(language for language in registry.languages if language.default)


def by_code(registry: LanguagesRegistry, code: str | None) -> LanguageEntry | None:
    return next((language for language in registry.languages if language.code == code), None)


def search_language(language: LanguageEntry) -> str:
    return language.search or language.code.split("-")[0]


def catalogue_problems(registry: LanguagesRegistry, rel: str,
                       folder: Path | None = None) -> list[Problem]:
    """Every language but English needs a catalogue that reads."""
    problems = []
    folder = Path(folder or CATALOGUES)
    for language in registry.languages:
        if language.code == DEFAULT:
            continue
        path = catalogue_path(language.code, folder)
        if not path.is_file():
            problems.append(Problem(rel, 1, f"language {language.code!r} has no catalogue: "
                                            f"create {path.relative_to(folder.parent)} "
                                            "(docs/translating.md says how)"))
            continue
        try:
            with path.open("rb") as file:
                read_po(file, locale=language.code.replace("-", "_"), domain=DOMAIN)
        except Exception as error:  # noqa: BLE001 - Babel raises several kinds
            problems.append(Problem(str(path.relative_to(folder.parent)), 1,
                                    f"the catalogue does not read: {error}"))
    return problems

