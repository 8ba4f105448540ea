"""Rate limits, through Flask-Limiter: one limiter for public submissions, one for staff
sign-ins, both counting in RATELIMIT_STORAGE_URI (Redis in production).

Submissions (`submissions`, on the views that record them): RATELIMIT_SUBMIT per client,
one allowance shared by the two forms and the API. Only recorded submissions count
(`deduct_when`: the API's 201, or the form's 303 to its confirmation page), so a form sent
back with errors, an expired CSRF token, a body the API refuses or a database outage costs
the resident nothing. A submission the spam checks flag is recorded all the same, so it
counts. Fixed windows, each starting with the client's first counted submission.

Sign-ins (`failed_sign_ins_*`, on inbox.sign_in): failed attempts (401) count, in moving
windows, per account (INBOX_SIGN_IN_LIMIT), per account and address
(INBOX_SIGN_IN_SOURCE_LIMIT) and per address (INBOX_SIGN_IN_ADDRESS_LIMIT). The account-wide
limit does not apply from an address the account signed in from within KNOWN_DAYS; what an
admin sees and lifts is here too (`sign_in_pauses`, `lift_sign_in_pauses`). docs/inbox.md
says why.

The client is `client_key()`: request.remote_addr after ProxyFix has taken TRUSTED_PROXIES
hops off X-Forwarded-For (so a header the client made up buys no fresh limit), an IPv6
address by its /64 (one household or device gets a whole /64 to choose from).

If Redis stops answering, each limiter counts in memory in its worker process
(in_memory_fallback_enabled) and intake keeps accepting, limited per process; Flask-Limiter
tries Redis again 1, 2, 4, 8, 16 and 32 seconds later (then from 1 s again) and counts there
once it answers. Counts made in memory are not carried over.
"""

from __future__ import annotations

import ipaddress
import logging
import math
import threading
import time
from dataclasses import dataclass

from flask import Flask, current_app, g, request
from flask.logging import default_handler
from flask_babel import ngettext
from flask_limiter import Limiter
from limits import RateLimitItem, parse, parse_many
from limits.errors import ConfigurationError
from limits.storage import MemoryStorage, RedisStorage
from redis import RedisError
from redis.backoff import NoBackoff
from redis.retry import Retry

from site_builder.languages import N_

from .config import ConfigError
from .i18n import _
from .models import normalise_email

log = logging.getLogger("flask-limiter")  # Flask-Limiter's own
RECOVERED = "Rate limit storage recovered"
REDIS_TIMEOUT_SECONDS = 1
# A Redis that does not answer is left for memory at once: no retries, 1 s timeouts.
STORAGE_OPTIONS = {"socket_timeout": REDIS_TIMEOUT_SECONDS,
                   "socket_connect_timeout": REDIS_TIMEOUT_SECONDS,
                   "retry": Retry(NoBackoff(), 0)}
KNOWN_DAYS = 30
KNOWN = parse(f"1 per {KNOWN_DAYS} days")


def client_key() -> str:
    """Whose allowance a request uses: its address (after ProxyFix), IPv6 by /64."""
    address = request.remote_addr or ""
    try:
        found = ipaddress.ip_address(address)
    except ValueError:
        return address[:100] or "unknown"
    if found.version == 6:
        if found.ipv4_mapped is not None:
            return str(found.ipv4_mapped)
        return str(ipaddress.IPv6Network((found, 64), strict=False))
    return str(found)


class LockedMemoryStorage(MemoryStorage):
    """limits' memory storage, starting its expiry timer under a lock.

    limits 5.8's MemoryStorage checks whether its expiry timer is running, makes a new one
    and starts `self.timer` without a lock. Two request threads of one gthread worker can
    both find it stopped, and both start the timer the second of them made: the second
    start fails, or the timer runs twice and one copy dies with a traceback in the log.
    Registered for memory:// (limits registers a storage by its STORAGE_SCHEME), so the
    limiters' storage and their fallback when Redis is away both use it. The method
    overridden is private to limits (name-mangled): this class is the one place that
    knows it."""

    STORAGE_SCHEME = ["memory"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False,
                 **options) -> None:
        self._timer_lock = threading.Lock()
        super().__init__(uri, wrap_exceptions, **options)

    def __setstate__(self, state: dict) -> None:
        self._timer_lock = threading.Lock()
        super().__setstate__(state)

    def __getstate__(self) -> dict:
        state = super().__getstate__()
        state.pop("_timer_lock", None)
        return state

    def _MemoryStorage__schedule_expiry(self) -> None:
        with self._timer_lock:
            super()._MemoryStorage__schedule_expiry()


class AppLimiter(Limiter):
    """Flask-Limiter's Limiter, taking its settings from each app it is initialised for.

    A Limiter keeps its key prefix and whether it is enabled from the first app it served,
    and its storage from the last; the app factory makes one app per worker process, the
    tests many in turn with settings of their own, so each app starts afresh here."""

    def init_app(self, app: Flask) -> None:
        self.enabled = True
        self._key_prefix = app.config["RATELIMIT_KEY_PREFIX"]
        self._storage_dead = False
        try:
            super().init_app(app)
        except ConfigurationError as error:
            raise ConfigError(f"RATELIMIT_STORAGE_URI cannot be used ({error}): give "
                              "memory:// or redis://HOST:6379/0") from None
        # Flask-Limiter makes its fallback as MemoryStorage() by class, not by scheme.
        if self._in_memory_fallback_enabled:
            self._fallback_storage = LockedMemoryStorage()
            self._fallback_limiter = type(self._fallback_limiter)(self._fallback_storage)


def _limiter(strategy: str) -> AppLimiter:
    return AppLimiter(client_key, strategy=strategy, headers_enabled=True,
                      in_memory_fallback_enabled=True, swallow_errors=True,
                      fail_on_first_breach=False, storage_options=dict(STORAGE_OPTIONS))


def setting(name: str):
    """A limit read from the app's settings at each request (checked at start-up)."""
    return lambda: current_app.config[name]


# ---------------------------------------------------------------------------------------
# Submissions


def recorded(response) -> bool:
    """A submission was recorded: the API's 201, or the form's 303 to its confirmation."""
    return response.status_code in (201, 303)


submission_limiter = _limiter("fixed-window")


@submission_limiter.request_filter
def _not_a_submission() -> bool:
    """Every submission is a POST: other requests skip the submission limiter's checks."""
    return request.method != "POST"


submissions = submission_limiter.shared_limit(setting("RATELIMIT_SUBMIT"), scope="submit",
                                              deduct_when=recorded)


# ---------------------------------------------------------------------------------------
# Sign-ins


def account_named() -> str:
    return normalise_email(request.form.get("email") or "")[:254]


def account_key() -> str:
    return f"account:{account_named()}"


def source_key(email: str | None = None) -> str:
    return f"source:{account_named() if email is None else email} {client_key()}"


def address_key() -> str:
    return f"address:{client_key()}"


def failed(response) -> bool:
    """The sign-in page answered that the email address or password is not right."""
    return response.status_code == 401


def from_known_address() -> bool:
    """The account named signed in from this address within KNOWN_DAYS."""
    if request.method != "POST":
        return False
    if "sign_in_known" not in g:
        g.sign_in_known = not sign_in_limiter.limiter.test(KNOWN, *_args(source_key(),
                                                                           "sign-in-known"))
    return g.sign_in_known


def remember_sign_in(email: str) -> None:
    """After a successful sign-in: the account signs in from this address (KNOWN_DAYS)."""
    args = _args(source_key(email), "sign-in-known")
    try:
        sign_in_limiter.limiter.clear(KNOWN, *args)
        sign_in_limiter.limiter.hit(KNOWN, *args)
    except (RedisError, OSError):
        log.warning("Rate limit storage unreachable - could not remember a sign-in address")


def _args(key: str, scope: str) -> list[str]:
    return [current_app.config["RATELIMIT_KEY_PREFIX"], key, scope]


sign_in_limiter = _limiter("moving-window")


@sign_in_limiter.request_filter
def _not_the_inbox() -> bool:
    """The sign-in limits guard an inbox view: requests elsewhere skip their checks."""
    return request.blueprint != "inbox"


failed_sign_ins_per_account = sign_in_limiter.shared_limit(
    setting("INBOX_SIGN_IN_LIMIT"), scope="sign-in-account", key_func=account_key,
    methods=["POST"], deduct_when=failed, exempt_when=from_known_address)
failed_sign_ins_per_source = sign_in_limiter.shared_limit(
    setting("INBOX_SIGN_IN_SOURCE_LIMIT"), scope="sign-in-source", key_func=source_key,
    methods=["POST"], deduct_when=failed)
failed_sign_ins_per_address = sign_in_limiter.shared_limit(
    setting("INBOX_SIGN_IN_ADDRESS_LIMIT"), scope="sign-in-address", key_func=address_key,
    methods=["POST"], deduct_when=failed)


@dataclass(frozen=True)
class Pause:
    """An account's sign-in pauses: account-wide (`until`, for addresses it has not signed
    in from lately) and from `sources` addresses by their own failures (`sources_until`)."""

    email: str
    until: float | None
    sources: int
    sources_until: float | None


def sign_in_pauses(emails: list[str]) -> list[Pause]:
    """The pauses of these accounts now (those with none are left out)."""
    config = current_app.config
    strategy = sign_in_limiter.limiter
    items = parse_many(config["INBOX_SIGN_IN_LIMIT"])
    source_items = parse_many(config["INBOX_SIGN_IN_SOURCE_LIMIT"])
    found = []
    for email in emails:
        until = None
        for item in items:
            reset, remaining = strategy.get_window_stats(item, *_args(f"account:{email}",
                                                                       "sign-in-account"))
            if remaining <= 0:
                until = max(until or 0, reset)
        sources, sources_until = 0, None
        for key, item in _source_windows(email, source_items):
            start, count = strategy.storage.get_moving_window(key, item.amount,
                                                              item.get_expiry())
            if count >= item.amount:
                sources += 1
                sources_until = max(sources_until or 0, start + item.get_expiry())
        if until or sources:
            found.append(Pause(email, until, sources, sources_until))
    return found


def lift_sign_in_pauses(email: str) -> int:
    """Clear the account's failed sign-ins, account-wide and from every address; returns
    how many windows held any."""
    config = current_app.config
    strategy = sign_in_limiter.limiter
    cleared = 0
    for item in parse_many(config["INBOX_SIGN_IN_LIMIT"]):
        args = _args(f"account:{email}", "sign-in-account")
        if strategy.get_window_stats(item, *args)[1] < item.amount:
            cleared += 1
        strategy.clear(item, *args)
    for key, _item in _source_windows(email, parse_many(config["INBOX_SIGN_IN_SOURCE_LIMIT"])):
        strategy.storage.clear(key)
        cleared += 1
    return cleared


def _source_windows(email: str, items: list[RateLimitItem]) -> list[tuple[str, RateLimitItem]]:
    """The stored per-address windows of this account, each with its limit."""
    prefix = current_app.config["RATELIMIT_KEY_PREFIX"]
    ends = {f"/sign-in-source/{i.amount}/{i.multiples}/{i.GRANULARITY.name}": i for i in items}
    found = []
    for key in _stored_keys(f"{items[0].namespace}/{prefix}/source:{email} "):
        for end, item in ends.items():
            if key.endswith(end):
                found.append((key, item))
    return found


def _stored_keys(start: str) -> list[str]:
    """The keys the sign-in limiter's storage holds that begin with `start`."""
    storage = sign_in_limiter.limiter.storage
    if isinstance(storage, RedisStorage):
        prefix = storage.prefixed_key("")
        pattern = prefix + "".join(f"\\{c}" if c in "*?[]\\" else c for c in start) + "*"
        return [key.decode()[len(prefix):]
                for key in storage.get_connection().scan_iter(match=pattern, count=1000)]
    if isinstance(storage, MemoryStorage):
        return [key for key in list(storage.events) if key.startswith(start)]
    return []


# ---------------------------------------------------------------------------------------
# Set-up, answers and logs


def init_app(app: Flask) -> None:
    """Set up the submission limit for this app (the sign-in limit: `init_sign_ins`)."""
    # Registered before the limiters, so it runs after them on each answer.
    app.after_request(_retry_after_on_refusals)
    submission_limiter.init_app(app)
    _log_storage_events()


def init_sign_ins(app: Flask) -> None:
    sign_in_limiter.init_app(app)


def _retry_after_on_refusals(response):
    """Flask-Limiter sends Retry-After with every answer it counts; a 201 or a 422 has no
    use for it. Refusals (429) keep it, at least 1 second, and 503s their own.

    Flask-Limiter writes the wait rounded down, so a client that waited as long as it
    was told could be refused again (up to a second early); a refusal's wait is the
    breached window's reset, rounded up."""
    if "Retry-After" in response.headers:
        if response.status_code == 429:
            wait = _seconds_to_reset()
            if wait is None:
                try:
                    wait = int(response.headers["Retry-After"])
                except ValueError:
                    wait = 1
            response.headers["Retry-After"] = str(max(1, wait))
        elif response.status_code != 503:
            del response.headers["Retry-After"]
    return response


def _seconds_to_reset() -> int | None:
    """Whole seconds until every limit this request breached lets it through again."""
    resets = []
    for limiter in (submission_limiter, sign_in_limiter):
        try:
            resets += [limit.window[0] for limit in limiter.current_limits if limit.breached]
        except Exception:  # noqa: BLE001 - no such limiter on this app, or storage away
            continue
    return math.ceil(max(resets) - time.time()) if resets else None


# A limit in words, in the request's language: one per unit of time, and per several.
PER_UNIT = {
    "second": N_("%(amount)s per second"),
    "minute": N_("%(amount)s per minute"),
    "hour": N_("%(amount)s per hour"),
    "day": N_("%(amount)s per day"),
    "month": N_("%(amount)s per month"),
    "year": N_("%(amount)s per year"),
}
PER_UNITS = {
    "second": N_("%(amount)s per %(multiples)s seconds"),
    "minute": N_("%(amount)s per %(multiples)s minutes"),
    "hour": N_("%(amount)s per %(multiples)s hours"),
    "day": N_("%(amount)s per %(multiples)s days"),
    "month": N_("%(amount)s per %(multiples)s months"),
    "year": N_("%(amount)s per %(multiples)s years"),
}


def in_words(limit: RateLimitItem) -> str:
    """"5 per minute", "50 per day", "100 per 2 hours"."""
    unit = limit.GRANULARITY.name
    if limit.multiples == 1:
        if unit in PER_UNIT:
            return _(PER_UNIT[unit], amount=limit.amount)
        return f"{limit.amount} per {unit}"
    if unit in PER_UNITS:
        return _(PER_UNITS[unit], amount=limit.amount, multiples=limit.multiples)
    return f"{limit.amount} per {limit.multiples} {unit}s"


def wait_in_words(reset_at: float) -> str:
    """How long until the client may try again, in words."""
    seconds = reset_at - time.time()
    if seconds <= 90:
        return _("a minute")
    if seconds <= 90 * 60:
        minutes = math.ceil(seconds / 60)
        return ngettext("%(num)d minute", "%(num)d minutes", minutes)
    hours = round(seconds / 3600)
    return ngettext("about %(num)d hour", "about %(num)d hours", hours)


class _StorageEvents(logging.Filter):
    """Flask-Limiter's warnings, and of its other messages only the one saying the storage
    answers again: the rest name the client, whose address the logs never keep."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.WARNING or record.getMessage() == RECOVERED


def _log_storage_events() -> None:
    """Let "Rate limit storage unreachable" and "... recovered" reach the server's log.

    Under gunicorn, which configures no root handler, they would be dropped; they go where
    the app's own warnings go (Flask's handler: stderr, gunicorn's error log)."""
    if not any(isinstance(f, _StorageEvents) for f in log.filters):
        log.addFilter(_StorageEvents())
        log.setLevel(logging.INFO)
    logger: logging.Logger | None = log
    while logger is not None:
        if any(not isinstance(h, logging.NullHandler) for h in logger.handlers):
            return
        logger = logger.parent if logger.propagate else None
    log.addHandler(default_handler)


def memory_storage_warning(storage_uri: str, workers: int) -> str | None:
    """The start-up warning for several processes that each keep their own limits."""
    if workers > 1 and str(storage_uri).startswith("memory://"):
        return (
            f"RATELIMIT_STORAGE_URI is {storage_uri} with {workers} worker processes: each "
            "worker keeps its own count, so a client gets the limit once per worker. Set "
            "RATELIMIT_STORAGE_URI=redis://HOST:6379/0 to share the limits."
        )
    return None
