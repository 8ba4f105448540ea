"""A Spanish-speaking resident's journey in Chromium, on the built site and the feedback
app served together (`transparency serve`): from /es/ to AI 1-19, to §K.c, to "Comentar",
to the feedback form sent with a mistake and then corrected, to the confirmation and the
status page. Every page on the way is in Spanish (`lang="es"`), with no English words of
the site's own (what the content gives only in English is marked `lang="en"`), and axe
finds nothing on it."""

from __future__ import annotations

import re

import pytest

from feedback_api import serve
from tests.conftest import axe_violations
from tests.site.test_site_security import app_for

pytestmark = pytest.mark.browser

# Words of the site's and the app's English chrome; none may show on a Spanish page
# outside a passage marked as English.
ENGLISH = re.compile(
    r"\b(Skip to|Search|Home|Policies|Give feedback|Report a|Comment on|Send|There is a "
    r"problem|Status of|tracking code|Language|Version|What changed|Check the status|"
    r"Your|the policy|Enter|optional|Link to)\b")
# The page's text in its own language: everything but the passages marked otherwise.
SPANISH_TEXT = """() => {
  const copy = document.body.cloneNode(true);
  copy.querySelectorAll('[lang]:not([lang^="es"]), script, style, [hidden]')
      .forEach(element => element.remove());
  return copy.innerText;
}"""


@pytest.fixture(scope="module")
def served(built_site, tmp_path_factory):
    app = app_for(tmp_path_factory.mktemp("journey"))
    running = serve.start(built_site, app=app)
    yield running.url.rstrip("/")
    running.stop()
    app.extensions["db_engine"].dispose()


def in_spanish(page) -> None:
    assert page.locator("html").get_attribute("lang") == "es", page.url
    text = page.evaluate(SPANISH_TEXT)
    found = sorted(set(ENGLISH.findall(text)))
    assert found == [], f"English on {page.url}: {found}"
    assert axe_violations(page) == [], page.url


def test_a_resident_comments_on_a_clause_in_spanish(page, served):
    page.goto(served + "/es/")
    in_spanish(page)

    page.locator("main a[href$='policies/ai-1-19/']").first.click()
    page.wait_for_url("**/es/policies/ai-1-19/")
    in_spanish(page)
    clause = page.locator("#k-c")
    assert "Contenido sexual" not in clause.inner_text()  # §K.c, not §K.f
    assert clause.inner_text().startswith("c.")

    clause.get_by_role("link", name=re.compile("^Comentar")).click()
    page.wait_for_url("**/es/feedback/?policy=ai-1-19&section=k-c")
    in_spanish(page)
    assert "AI 1-19 §K.c" in page.locator("main").inner_text()

    page.get_by_role("button", name=re.compile("Enviar")).click()  # no message yet
    page.wait_for_url("**/es/feedback/")
    in_spanish(page)
    summary = page.locator("#error-summary")
    assert summary.is_visible()
    assert "Hay un problema" in summary.inner_text()

    page.locator("#message").fill("El lenguaje de esta regla no es claro para mí.")
    page.get_by_role("button", name=re.compile("Enviar")).click()
    page.wait_for_url(re.compile(r".*/es/feedback/sent/[A-Z0-9-]+$"))
    in_spanish(page)
    code = page.url.rsplit("/", 1)[1]
    assert code in page.locator("main").inner_text()

    page.locator(f"main a[href$='/es/feedback/status/{code}']").first.click()
    page.wait_for_url(f"**/es/feedback/status/{code}")
    in_spanish(page)
    assert code in page.locator("main").inner_text()


def test_the_register_of_decisions_in_spanish(page, served):
    """§K.c's "Cómo se aplicó" leads to the register in Spanish, filtered to the clause."""
    page.goto(served + "/es/policies/ai-1-19/")
    page.locator("#k-c").get_by_role("link", name=re.compile("^Cómo se ha aplicado")).click()
    page.wait_for_url("**/es/decisions/?policy=ai-1-19&clause=k-c")
    in_spanish(page)


def test_the_spanish_search_understands_spanish(page, served):
    """The Spanish index is Spanish (Material's lunr stemmer): a query without its accents
    and in another form of the word finds the clause (§K.c: "Lenguaje o contenido
    profano"), and the results are the Spanish pages."""
    page.goto(served + "/es/")
    page.locator(".md-search__input").click()
    page.keyboard.type("profanos lenguaje", delay=20)
    page.locator(".md-search-result__item a").first.wait_for(timeout=10_000)
    hrefs = page.locator(".md-search-result__item a").evaluate_all(
        "links => links.map(a => a.href)")
    assert any("/es/policies/ai-1-19/" in href for href in hrefs), hrefs
    assert all("/es/" in href for href in hrefs), hrefs

    page.locator(".md-search__input").fill("")
    page.keyboard.type("publicacion", delay=20)  # "publicaciones", "publicación"
    page.locator(".md-search-result__item a").first.wait_for(timeout=10_000)
    assert page.locator(".md-search-result__item").count() > 0
