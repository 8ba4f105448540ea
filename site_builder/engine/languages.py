"""The MkDocs configuration for one language of the site.

Each language is its own MkDocs pass over the same paths: the default language at the
site's root, every other one under its prefix (`site/es/`). Its pass differs from the
default's only here:

- Material's own words and the search index's language (`theme.language`; Material's
  search plugin takes its stemmer from it);
- the site's name, description and navigation titles, from the language's catalogue
  (`translations/<code>/`), and the navigation's links to the feedback app under the
  language's prefix;
- `extra.alternate`: every language's root relative to this one's, which the theme's
  language switch (`partials/alternate.html`) and `<link rel="alternate" hreflang>`
  (`base.html`) join to the page's own URL, so a switch leads to the same page;
- the theme's templates get the catalogue as `_()` (`install_words`).
"""

from __future__ import annotations

import copy
from urllib.parse import urlsplit

from .. import languages
from ..schema import LanguageEntry, LanguagesRegistry


def configure(config, language: LanguageEntry, registry: LanguagesRegistry) -> None:
    """Set `config` (a loaded MkDocs config) for the pages in `language`."""
    config.extra["language_prefix"] = language.prefix
    if len(registry.languages) > 1:
        address = urlsplit(config.site_url or "/")
        config.extra["alternate"] = alternates(language, registry, address.path)
        config.extra["site_origin"] = (f"{address.scheme}://{address.netloc}"
                                       if address.netloc else "")
    if language.default:
        return
    _ = languages.translator(language.code)
    config.theme["language"] = language.code
    config.site_name = _(config.site_name)
    if config.site_description:
        description = " ".join(config.site_description.split())
        config.site_description = _(description)
    if config.site_url:
        config.site_url = config.site_url.rstrip("/") + language.prefix + "/"
    config.nav = translated_nav(config.nav or [], language)


def theme_key(language: LanguageEntry, registry: LanguagesRegistry) -> str:
    """What a language's pages depend on besides the theme: its catalogue and the
    languages the switch lists ("" for a site in one language)."""
    if len(registry.languages) < 2:
        return ""
    return repr((language.code, languages.catalogue_hash(language.code),
                 alternates(language, registry)))


def alternates(language: LanguageEntry, registry: LanguagesRegistry,
               base: str = "/") -> list[dict]:
    """Each language's root, relative to `language`'s (`link`: `""`, `"es/"`, `"../"`),
    and from the server's root (`root`: `/es/`, under the path of `site_url`), for the
    pages that are served at any address (404)."""
    up = "" if language.default else "../" * language.prefix.count("/")
    base = "/" + base.strip("/") + "/" if base.strip("/") else "/"
    return [{"name": other.name, "lang": other.code,
             "link": "" if other is language else up + other.prefix.lstrip("/")
             + ("/" if other.prefix else ""),
             "root": base + other.prefix.lstrip("/") + ("/" if other.prefix else "")}
            for other in registry.languages]


def translated_nav(nav: list, language: LanguageEntry) -> list:
    """The navigation with its titles in `language` and its links to the app
    (`/feedback/`) under the language's prefix; links to pages stay as they are, since
    the language's pages have the same paths."""
    _ = languages.translator(language.code)

    def item(entry):
        if isinstance(entry, dict):
            return {_(title): item(value) for title, value in entry.items()}
        if isinstance(entry, list):
            return [item(value) for value in entry]
        if isinstance(entry, str) and entry.startswith("/"):
            return language.prefix + entry
        return entry

    return item(copy.deepcopy(nav))


def install_words(env, language_code: str | None) -> None:
    """The catalogue as `_()` in the theme's templates (the English text as written for
    the default language)."""
    if "jinja2.ext.InternationalizationExtension" not in env.extensions:
        env.add_extension("jinja2.ext.i18n")
    env.install_gettext_translations(languages.translations(language_code), newstyle=True)
