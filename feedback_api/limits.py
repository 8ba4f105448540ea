"""Rate limits on every public write: RATELIMIT_SUBMIT per client, shared by all forms and
the API.

The client is `request.remote_addr` after ProxyFix has taken TRUSTED_PROXIES hops off
X-Forwarded-For, so a header a client makes up buys no fresh limit. Only submissions that
were recorded count: a form sent back with errors costs the resident nothing. If Redis
goes away, the limiter falls back to memory and intake keeps accepting.
"""

from __future__ import annotations

import logging

from flask import Flask, g
from flask.logging import default_handler
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

log = logging.getLogger(__name__)

SCOPE = "submit"


def init_app(app: Flask) -> Limiter:
    config = app.config
    config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    config.setdefault("RATELIMIT_SWALLOW_ERRORS", True)
    if str(config["RATELIMIT_STORAGE_URI"]).startswith(("redis://", "rediss://")):
        config.setdefault("RATELIMIT_STORAGE_OPTIONS",
                          {"socket_connect_timeout": 1, "socket_timeout": 1})
    @app.after_request
    def retry_after_only_when_refused(response):
        # Registered before the limiter, so it runs after the limiter adds its headers.
        if response.status_code not in (429, 503):
            response.headers.pop("Retry-After", None)
        return response

    limiter = Limiter(key_func=get_remote_address, app=app)
    app.extensions["submit_limiter"] = limiter
    _log_storage_warnings(limiter.logger)
    return limiter


def _log_storage_warnings(limiter_log: logging.Logger) -> None:
    """Let "Rate limit storage unreachable" reach the server's log.

    Flask-Limiter gives its logger a NullHandler, so under gunicorn, which configures no
    root handler, its warnings were dropped. Without a real handler up the chain, they go
    where the app's own warnings go (Flask's handler: stderr, gunicorn's error log).
    """
    logger: logging.Logger | None = limiter_log
    while logger is not None:
        if any(not isinstance(h, logging.NullHandler) for h in logger.handlers):
            return
        logger = logger.parent if logger.propagate else None
    limiter_log.addHandler(default_handler)


def limit_submissions(app: Flask, endpoints: list[str]) -> None:
    """Put the shared submission limit on these view endpoints (POST views only)."""
    limiter: Limiter = app.extensions["submit_limiter"]
    decorate = limiter.shared_limit(
        app.config["RATELIMIT_SUBMIT"], scope=SCOPE, deduct_when=_recorded,
    )
    for endpoint in endpoints:
        app.view_functions[endpoint] = decorate(app.view_functions[endpoint])


def _recorded(_response) -> bool:
    return bool(g.get("submission_recorded"))


def count_submission() -> None:
    """Mark this request as one that used up part of the client's limit."""
    g.submission_recorded = True


def memory_storage_warning(storage_uri: str, workers: int) -> str | None:
    """The start-up warning for several processes that each keep their own limits."""
    if workers > 1 and str(storage_uri).startswith("memory://"):
        return (
            f"RATELIMIT_STORAGE_URI is {storage_uri} with {workers} worker processes: each "
            "worker keeps its own count, so a client gets the limit once per worker. Set "
            "RATELIMIT_STORAGE_URI=redis://HOST:6379/0 to share the limits."
        )
    return None
