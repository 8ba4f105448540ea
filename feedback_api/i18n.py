"""The app's languages: which one a request is in, and its words (Flask-Babel).

A page's language is in its address, as on the site: `/es/report/` is the report form in
Spanish, `/report/` in English, so a link or a bookmark always gives the same language.
`LanguagePrefix` moves the prefix from the path into the script root before Flask routes
the request, so every view and every `url_for` works unchanged and every link the page
makes stays in its language. The JSON API has no prefix: its messages follow
`Accept-Language`.

The languages are the registry's (`content/registries/languages.yaml`) and the words are
`site_builder.languages`' catalogues, which Flask-Babel reads through `CatalogueDomain`.
The inbox is in English; what staff write for the public shows its language there.
"""

from __future__ import annotations

from flask import current_app, g, has_request_context, request
from flask_babel import Babel, Domain, force_locale, get_locale
from flask_babel import gettext as _  # noqa: F401 - the name templates and views use
from flask_babel import lazy_gettext as _l  # noqa: F401

from site_builder import languages
from site_builder.schema import LanguageEntry, LanguagesRegistry

ENVIRON_KEY = "feedback_api.language"


class LanguagePrefix:
    """WSGI middleware: `/es/report/` reaches the app as `/report/` under the script root
    `/es`, with the language noted in the environ."""

    def __init__(self, app, registry: LanguagesRegistry):
        self.app = app
        self.prefixes = tuple((language.prefix, language.code)
                              for language in registry.languages if language.prefix)

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "") or "/"
        for prefix, code in self.prefixes:
            if path == prefix or path.startswith(prefix + "/"):
                environ["SCRIPT_NAME"] = environ.get("SCRIPT_NAME", "") + prefix
                environ["PATH_INFO"] = path[len(prefix):] or "/"
                environ[ENVIRON_KEY] = code
                break
        return self.app(environ, start_response)


class CatalogueDomain(Domain):
    """Flask-Babel's domain, reading the site's catalogues (`site_builder.languages`)."""

    def get_translations(self):
        if not g:
            return languages.translations(None)
        return languages.translations(code(get_locale()))


class CatalogueBabel(Babel):
    @property
    def domain_instance(self):
        return CatalogueDomain()


def init_app(app) -> None:
    registry = app.extensions["catalog"].languages
    app.extensions["languages"] = registry
    CatalogueBabel(app, locale_selector=select_language,
                   default_locale=languages.default_language(registry).code)
    app.wsgi_app = LanguagePrefix(app.wsgi_app, registry)
    app.jinja_env.globals.update(language=language, other_languages=other_languages,
                                 page_in=page_in)


def registry() -> LanguagesRegistry:
    return current_app.extensions["languages"]


def select_language() -> str:
    """The request's language: its address's prefix; for the JSON API, the best match to
    `Accept-Language`; else the default."""
    known = registry()
    if not has_request_context():  # a command: the default, unless `in_language` says
        return languages.default_language(known).code
    chosen = request.environ.get(ENVIRON_KEY)
    if chosen:
        return chosen
    if request.path.startswith("/api/"):
        match = request.accept_languages.best_match(
            [entry.code for entry in known.languages])
        if match:
            return match
    return languages.default_language(known).code


def code(locale) -> str:
    """A Babel locale as the registry writes its language (`es`, `es-MX`)."""
    return str(locale).replace("_", "-") if locale else languages.DEFAULT


def language() -> LanguageEntry:
    """The language this request is in."""
    known = registry()
    if has_request_context():
        return languages.by_code(known, code(get_locale())) or \
            languages.default_language(known)
    return languages.default_language(known)


def other_languages() -> list[LanguageEntry]:
    here = language().code
    return [entry for entry in registry().languages if entry.code != here]


def page_in(entry: LanguageEntry) -> str:
    """This page's address in language `entry`: the same view with the same query, for the
    language switch (a form sent back with errors switches to the empty form)."""
    query = request.query_string.decode("latin-1") if request.method == "GET" else ""
    return entry.prefix + request.path + (f"?{query}" if query else "")


def in_language(code_: str | None):
    """A block in which the app's words are in language `code_` (a message to a resident
    in the language they wrote in); the default language when `code_` is unknown."""
    known = registry()
    entry = languages.by_code(known, code_) or languages.default_language(known)
    return force_locale(entry.code.replace("-", "_"))
