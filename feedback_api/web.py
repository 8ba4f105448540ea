"""Request helpers the blueprints share: this app's content catalog, the client's address,
and the headers added to answers (security headers, CORS for the public JSON).

It imports no blueprint, so any blueprint can use it without an import cycle.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit

from flask import current_app, request, url_for

from site_builder import addresses

from .catalog import Catalog
from .published import PublishedSite

NOT_STORED = {"Cache-Control": "no-store"}


def catalog() -> Catalog:
    """The policies, sections and accounts a submission may name (read from content/)."""
    return current_app.extensions["catalog"]


def published() -> PublishedSite:
    """The published site's open data: which revisions respond to which feedback."""
    return current_app.extensions["published"]


def client_address() -> str:
    """The client's address, as ProxyFix left it (TRUSTED_PROXIES)."""
    return request.remote_addr or "unknown"


def add_missing_headers(response, headers: Mapping[str, str]) -> None:
    """Add each header the response does not have yet (like `headers.setdefault`, but with
    one pass over the response's headers rather than two per name: this runs on every
    answer)."""
    present = {name.lower() for name in response.headers.keys()}
    for name, value in headers.items():
        if name.lower() not in present:
            response.headers.add(name, value)


def cors(response):
    """The JSON API's answers: readable from the origins in CORS_ORIGINS, never stored."""
    origin = request.headers.get("Origin")
    if origin and origin.rstrip("/") in current_app.config["CORS_ORIGINS"]:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = "Content-Type"
        response.headers["Access-Control-Expose-Headers"] = "Retry-After, Location"
        response.headers["Access-Control-Max-Age"] = "600"
    vary = response.headers.get("Vary")
    if vary is None:
        response.headers.add("Vary", "Origin")
    elif "origin" not in vary.lower():
        response.vary.add("Origin")
    add_missing_headers(response, NOT_STORED)
    return response


def on_inbox_origin() -> bool:
    """Whether this request came to the inbox's own host (INBOX_ORIGIN, when set)."""
    origin = current_app.config.get("INBOX_ORIGIN")
    return bool(origin) and request.host.lower() == urlsplit(origin).netloc


def site_address(path: str) -> str:
    """A link from the app's pages to the public site (`path` is site-relative, from
    `site_builder.addresses`), in the page's language (`/es/policies/…`)."""
    from .i18n import language

    return _on_site(language().prefix + path)


def _on_site(path: str) -> str:
    """The forms share the site's origin, so a link stays relative; the inbox on an origin
    of its own (INBOX_ORIGIN) links to the site's address (SITE_URL), since the inbox's
    host serves nothing else."""
    if not on_inbox_origin():
        return path
    return (current_app.config.get("SITE_URL") or "").rstrip("/") + path


def policy_address(policy_id: str, anchor: str | None = None) -> str:
    """A link to a policy's page on the public site, at a section when `anchor` is given."""
    return site_address(addresses.policy_url(policy_id, anchor))


def form_address(endpoint: str) -> str:
    """A link to one of the public forms: relative, or on the site's address from the
    inbox's own origin (the forms are not served there)."""
    return _on_site(url_for(endpoint))


TEMPLATE_GLOBALS = {
    "site_address": site_address,
    "policy_address": policy_address,
    "form_address": form_address,
    "POLICY_INDEX_URL": addresses.url(addresses.POLICY_INDEX),
    "ACCOUNTS_URL": addresses.url(addresses.ACCOUNTS, "all-accounts"),
}
