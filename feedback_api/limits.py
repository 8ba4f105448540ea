"""Rate limits on every public write: RATELIMIT_SUBMIT per client, shared by all forms and
the API.

The client is `request.remote_addr` after ProxyFix has taken TRUSTED_PROXIES hops off
X-Forwarded-For, so a header a client makes up buys no fresh limit. Only submissions that
were recorded count: a form sent back with errors costs the resident nothing.

Each limit in RATELIMIT_SUBMIT ("5 per minute;50 per day") is a fixed window per client: it
starts with the client's first recorded submission and lasts the limit's period. One Redis
script, before the view, refuses a client whose windows are full or else counts the
submission in every window at once; if the submission is then not recorded (a form sent
back with errors, a database outage), a second script gives the count back. So a
submission that is accepted costs one trip to Redis, and two submissions sent at the same
moment cannot both take the last place. If Redis goes away, the limits are counted in
memory (per worker process) and intake keeps accepting; Redis is tried again after 1, 2
and 4 seconds and then every 8 seconds.

The staff sign-in throttle (inbox/access.py) counts failed sign-ins in the same storage
(`SignInLimits`). Both limits wrap their own views; the submission limit's after-request step
runs only in the blueprints of the views it limits. No other request does any work for them.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import math
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import redis
from flask import Flask, g, make_response, request
from flask.logging import default_handler
from limits import RateLimitItem, parse_many
from redis.backoff import NoBackoff
from redis.retry import Retry
from werkzeug.exceptions import TooManyRequests

log = logging.getLogger(__name__)

SCOPE = "submit"
FALLBACK_WARNING = "Rate limit storage unreachable - falling back to in-memory storage"
RECOVERED = "Rate limit storage reachable again - limits are shared through it again"
REDIS_TIMEOUT_SECONDS = 1
RETRY_SECONDS = (1, 2, 4, 8)  # after each failure in a row; then every 8 seconds
SWEEP_SECONDS = 60


def init_app(app: Flask) -> None:
    """Open the limits' storage (RATELIMIT_STORAGE_URI), shared by every limit of the app."""
    app.extensions["limit_counts"] = Counts(app.config["RATELIMIT_STORAGE_URI"])
    _log_storage_warnings(log)


def enabled(app: Flask) -> bool:
    return bool(app.config.get("RATELIMIT_ENABLED", True))


def _log_storage_warnings(storage_log: logging.Logger) -> None:
    """Let "Rate limit storage unreachable" reach the server's log.

    Under gunicorn, which configures no root handler, warnings with no real handler up the
    chain were dropped. Those go where the app's own warnings go (Flask's handler: stderr,
    gunicorn's error log).
    """
    logger: logging.Logger | None = storage_log
    while logger is not None:
        if any(not isinstance(h, logging.NullHandler) for h in logger.handlers):
            return
        logger = logger.parent if logger.propagate else None
    storage_log.addHandler(default_handler)


def limit_submissions(app: Flask, endpoints: list[str]) -> None:
    """Put the shared submission limit on these view endpoints (POST views only)."""
    limits = SubmissionLimits.from_config(app.config, app.extensions["limit_counts"])
    app.extensions["submission_limits"] = limits
    if not limits.enabled:
        return
    for endpoint in endpoints:
        app.view_functions[endpoint] = limits.limited(app.view_functions[endpoint])
    # After the requests of these endpoints' blueprints only (Flask keys these lists by
    # blueprint name, as a blueprint's own @after_request does).
    for blueprint in dict.fromkeys(endpoint.rpartition(".")[0] or None for endpoint in endpoints):
        app.after_request_funcs.setdefault(blueprint, []).append(limits.after_request)


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


# ---------------------------------------------------------------------------------------
# Windows and limits


@dataclass(frozen=True)
class Window:
    """One limit's window for one client: how much of it is used and when it ends."""

    limit: RateLimitItem
    count: int
    reset_at: float  # Unix time when the window ends

    @property
    def remaining(self) -> int:
        return max(0, self.limit.amount - self.count)

    @property
    def full(self) -> bool:
        return self.count >= self.limit.amount


class LimitExceeded(TooManyRequests):
    """A client over one of its limits; `limit` is the window that is full."""

    def __init__(self, window: Window):
        super().__init__(description=str(window.limit))
        self.limit = window


class SubmissionLimitExceeded(LimitExceeded):
    """A client over RATELIMIT_SUBMIT: answered by errors.rate_limited."""


class SignInLimitExceeded(LimitExceeded):
    """Sign-in paused for an address or an account: answered by the inbox's sign-in page."""


def limits_setting(config, name: str) -> list[RateLimitItem]:
    """The limits a setting gives ("5 per minute;50 per day"); one that cannot be read stops
    the start-up naming the variable."""
    try:
        found = parse_many(str(config[name]))
    except ValueError:
        found = []
    if not found:
        from .config import ConfigError

        raise ConfigError(f'{name} must be limits like "5 per minute;50 per day", not '
                          f"{config[name]!r}")
    return found


def seconds_until(moment: float) -> int:
    return max(1, math.ceil(moment - time.time()))


def rate_limit_headers(response, shown: Window) -> None:
    """X-RateLimit-* for one window, and Retry-After when the answer is a refusal. Only the
    limits set these, once per answer: they are added without looking for earlier ones."""
    headers = response.headers
    if response.status_code == 429:
        headers.add("Retry-After", str(seconds_until(shown.reset_at)))
    headers.add("X-RateLimit-Limit", str(shown.limit.amount))
    headers.add("X-RateLimit-Remaining", str(shown.remaining))
    headers.add("X-RateLimit-Reset", str(math.ceil(shown.reset_at)))


class ClientLimits:
    """Some limits (RateLimitItems) per client, in one scope, counted in `counts`.

    A client's count for one limit is kept under the key Flask-Limiter gave it, which this
    app used before: LIMITS:LIMITER/<prefix>/<client>/<scope>/<amount>/<multiples>/<unit>.
    """

    def __init__(self, limits: Sequence[RateLimitItem], counts: Counts, prefix: str,
                 scope: str):
        self.limits = sorted(limits)  # the shortest window first: it heads the answers
        self.seconds = [limit.get_expiry() for limit in self.limits]
        self.amounts = [limit.amount for limit in self.limits]
        self.counts = counts
        self._key_start = f"LIMITS:LIMITER/{prefix}/"
        self._key_ends = [f"/{scope}/{limit.amount}/{limit.multiples}/{limit.GRANULARITY.name}"
                          for limit in self.limits]

    def keys(self, client: str) -> list[str]:
        return [f"{self._key_start}{client}{end}" for end in self._key_ends]

    def take(self, keys: list[str]) -> tuple[bool, list[Window]]:
        """Count one in each of these windows unless one of them is full (one trip)."""
        taken, counts = self.counts.use(
            lambda store: store.take(keys, self.amounts, self.seconds))
        return taken, self.windows(counts)

    def give_back(self, keys: list[str]) -> None:
        self.counts.use(lambda store: store.give_back(keys))

    def windows(self, counts: list[tuple[int, int]]) -> list[Window]:
        now = time.time()
        return [
            Window(limit, count, now + (left_ms / 1000 if left_ms > 0 else seconds))
            for limit, seconds, (count, left_ms) in zip(self.limits, self.seconds, counts,
                                                        strict=True)
        ]


# ---------------------------------------------------------------------------------------
# The submission limit


class SubmissionLimits(ClientLimits):
    """RATELIMIT_SUBMIT for every client, shared by the forms and the API."""

    def __init__(self, limits: Sequence[RateLimitItem], counts: Counts, prefix: str,
                 enabled: bool = True):
        super().__init__(limits, counts, prefix, SCOPE)
        self.enabled = enabled

    @classmethod
    def from_config(cls, config, counts: Counts) -> SubmissionLimits:
        return cls(limits_setting(config, "RATELIMIT_SUBMIT"), counts,
                   str(config["RATELIMIT_KEY_PREFIX"]),
                   enabled=bool(config.get("RATELIMIT_ENABLED", True)))

    def limited(self, view: Callable) -> Callable:
        @functools.wraps(view)
        def limited_view(*args, **kwargs):
            self.check()
            return view(*args, **kwargs)

        return limited_view

    def check(self) -> None:
        """Before the view: refuse a client whose windows are full, or else count this
        submission in each of them (one trip to storage)."""
        keys = self.keys(request.remote_addr or "127.0.0.1")
        taken, windows = self.take(keys)
        g.submission_limits = (keys, windows, taken)
        if not taken:
            raise SubmissionLimitExceeded(next(w for w in windows if w.full))

    def after_request(self, response):
        """After the view: give back the count of a submission that was not recorded, and
        say in headers what is left."""
        state = g.pop("submission_limits", None)
        if state is None:
            return response
        keys, windows, taken = state
        if taken and not g.get("submission_recorded"):
            self.give_back(keys)
            windows = [Window(w.limit, w.count - 1, w.reset_at) for w in windows]
        shown = windows[0]
        if response.status_code == 429:
            shown = next((w for w in windows if w.full), shown)
        rate_limit_headers(response, shown)
        return response


# ---------------------------------------------------------------------------------------
# The sign-in limit


class SignInLimits:
    """INBOX_SIGN_IN_LIMIT on failed sign-ins, per address and per account.

    Before the sign-in view, one look at the windows of the client's address and of the
    account it names: if one is full, the attempt is refused without trying the password.
    After the view, an attempt that failed is counted in all of them. Successful sign-ins
    count nothing. Keys as Flask-Limiter named them for this throttle
    (LIMITS:LIMITER/<prefix>/address:<ip>/sign-in-by_address/5/1/minute, and
    account:<email> with sign-in-by_account).
    """

    def __init__(self, limits: Sequence[RateLimitItem], counts: Counts, prefix: str):
        self.by_address = ClientLimits(limits, counts, prefix, "sign-in-by_address")
        self.by_account = ClientLimits(limits, counts, prefix, "sign-in-by_account")

    @classmethod
    def from_config(cls, config, counts: Counts) -> SignInLimits:
        return cls(limits_setting(config, "INBOX_SIGN_IN_LIMIT"), counts,
                   str(config["RATELIMIT_KEY_PREFIX"]))

    def limited(self, view: Callable, account: Callable[[], str],
                failed: Callable[[], bool]) -> Callable:
        """Wrap the sign-in view. `account()` names the account tried (the request's form),
        `failed()` says, after the view, whether the attempt failed."""

        @functools.wraps(view)
        def limited_view(*args, **kwargs):
            if request.method != "POST":
                return view(*args, **kwargs)
            address = self.by_address.keys(f"address:{request.remote_addr or 'unknown'}")
            named = self.by_account.keys(f"account:{account()}")
            counts = self.by_address.counts.use(lambda store: store.look(address + named))
            windows = self.by_address.windows(counts[:len(address)]) + \
                self.by_account.windows(counts[len(address):])
            full = [w for w in windows if w.full]
            if full:
                raise SignInLimitExceeded(max(full, key=lambda w: w.reset_at))
            response = make_response(view(*args, **kwargs))
            if failed():
                windows = self.by_address.take(address)[1] + self.by_account.take(named)[1]
            rate_limit_headers(response, min(windows, key=lambda w: w.remaining))
            return response

        return limited_view


# ---------------------------------------------------------------------------------------
# Counts: in Redis, or in memory while it is away


class Counts:
    """Where the limits are counted: RATELIMIT_STORAGE_URI, with memory standing in for
    Redis while it does not answer."""

    def __init__(self, storage_uri: str):
        uri = str(storage_uri)
        if uri.startswith("redis+unix://"):  # Flask-Limiter's spelling of a socket path
            uri = "unix://" + uri.removeprefix("redis+unix://")
        self.storage: RedisCounts | MemoryCounts
        if uri.startswith("memory://"):
            self.storage, self.fallback = MemoryCounts(), None
        elif uri.startswith(("redis://", "rediss://", "unix://")):
            self.storage, self.fallback = RedisCounts(uri), MemoryCounts()
        else:
            from .config import ConfigError

            raise ConfigError(f"RATELIMIT_STORAGE_URI must start with memory://, redis://, "
                              f"rediss:// or redis+unix://, not {uri.split('://')[0]!r}")
        self._lock = threading.Lock()
        self._failures = 0  # failed tries of the storage in a row; 0 while it answers
        self._retry_at = 0.0

    def use(self, operation: Callable):
        """operation(storage): on Redis, or in memory while Redis is away."""
        if self.fallback is None:
            return operation(self.storage)
        if self._failures and not self._time_to_try_again():
            return operation(self.fallback)
        try:
            result = operation(self.storage)
        except RedisCounts.ERRORS:
            self._failed()
            return operation(self.fallback)
        if self._failures:
            self._answered()
        return result

    def _time_to_try_again(self) -> bool:
        with self._lock:
            now = time.monotonic()
            if now < self._retry_at:
                return False
            # One request tries; the others keep to memory until it has an answer.
            self._retry_at = now + REDIS_TIMEOUT_SECONDS * 2
            return True

    def _failed(self) -> None:
        with self._lock:
            if not self._failures:
                log.warning(FALLBACK_WARNING, exc_info=True)
            self._retry_at = time.monotonic() + RETRY_SECONDS[
                min(self._failures, len(RETRY_SECONDS) - 1)]
            self._failures += 1

    def _answered(self) -> None:
        with self._lock:
            if self._failures:
                self._failures = 0
                self.fallback = MemoryCounts()  # counts from the outage are not carried over
                log.warning(RECOVERED)


class RedisCounts:
    """Counts in Redis: one script takes a place in each of a client's windows (or says
    which is full), another gives a place back, a third only reads them."""

    # KEYS: the client's windows; ARGV: each window's limit, then each window's length in
    # seconds. Answers 1 (taken) or 0 (a window is full), then each window's count and the
    # milliseconds until it ends (negative: no window yet). A window starts with its first
    # count and ends `seconds` later, as Flask-Limiter's did under the same key names.
    TAKE = """
local n = #KEYS
local out = {1}
for i = 1, n do
  if tonumber(redis.call('get', KEYS[i]) or '0') >= tonumber(ARGV[i]) then
    out[1] = 0
  end
end
for i = 1, n do
  local count, left
  if out[1] == 1 then
    count = redis.call('incr', KEYS[i])
    left = redis.call('pttl', KEYS[i])
    if count == 1 or left < 0 then
      redis.call('expire', KEYS[i], ARGV[n + i])
      left = tonumber(ARGV[n + i]) * 1000
    end
  else
    count = tonumber(redis.call('get', KEYS[i]) or '0')
    left = redis.call('pttl', KEYS[i])
  end
  out[2 * i] = count
  out[2 * i + 1] = left
end
return out
"""
    # A window that is back to nothing is removed, so the next submission starts it anew.
    GIVE_BACK = """
for i, key in ipairs(KEYS) do
  if redis.call('exists', key) == 1 and redis.call('decr', key) <= 0 then
    redis.call('del', key)
  end
end
return 0
"""
    # Each window's count and the milliseconds until it ends, as TAKE answers them.
    LOOK = """
local out = {}
for i, key in ipairs(KEYS) do
  out[2 * i - 1] = tonumber(redis.call('get', key) or '0')
  out[2 * i] = redis.call('pttl', key)
end
return out
"""
    ERRORS = (redis.RedisError, OSError)

    def __init__(self, uri: str):
        # Each thread keeps a connection of its own and speaks to it directly: the client's
        # command layers (pool checks, retries, events) cost more CPU than the script.
        # No retries: a storage that fails is left alone for a while (SubmissionLimits._use).
        self.pool = redis.ConnectionPool.from_url(
            uri, socket_timeout=REDIS_TIMEOUT_SECONDS,
            socket_connect_timeout=REDIS_TIMEOUT_SECONDS, retry=Retry(NoBackoff(), 0))
        self._local = threading.local()
        self._shas = {script: hashlib.sha1(script.encode()).hexdigest()
                      for script in (self.TAKE, self.GIVE_BACK, self.LOOK)}

    def take(self, keys: list[str], amounts: list[int],
             seconds: list[int]) -> tuple[bool, list[tuple[int, int]]]:
        answer = self._run(self.TAKE, keys, [*amounts, *seconds])
        return answer[0] == 1, _pairs(answer[1:])

    def give_back(self, keys: list[str]) -> None:
        self._run(self.GIVE_BACK, keys, [])

    def look(self, keys: list[str]) -> list[tuple[int, int]]:
        return _pairs(self._run(self.LOOK, keys, []))

    def _run(self, script: str, keys: list[str], args: list):
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = self._local.connection = self.pool.make_connection()
        # A failed send or read closes the connection; the next call opens it again.
        connection.send_command("EVALSHA", self._shas[script], len(keys), *keys, *args)
        try:
            return connection.read_response()
        except redis.exceptions.NoScriptError:  # a Redis that restarted, or a new one
            connection.send_command("EVAL", script, len(keys), *keys, *args)
            return connection.read_response()


def _pairs(flat: list) -> list[tuple[int, int]]:
    return [(int(flat[i]), int(flat[i + 1])) for i in range(0, len(flat), 2)]


class MemoryCounts:
    """Counts in this process, for `memory://` and while Redis is away."""

    def __init__(self):
        self._lock = threading.Lock()
        self._counts: dict[str, list] = {}  # key: [count, window end in time.monotonic()]
        self._swept = time.monotonic()

    def take(self, keys: list[str], amounts: list[int],
             seconds: list[int]) -> tuple[bool, list[tuple[int, int]]]:
        now = time.monotonic()
        with self._lock:
            if now - self._swept > SWEEP_SECONDS:
                self._counts = {k: v for k, v in self._counts.items() if v[1] > now}
                self._swept = now
            found = [self._counts.get(key) for key in keys]
            found = [entry if entry and entry[1] > now else None for entry in found]
            taken = all(entry is None or entry[0] < amount
                        for entry, amount in zip(found, amounts, strict=True))
            answers = []
            for key, entry, length in zip(keys, found, seconds, strict=True):
                if taken:
                    if entry is None:
                        entry = self._counts[key] = [0, now + length]
                    entry[0] += 1
                if entry is None:
                    answers.append((0, -2))
                else:
                    answers.append((entry[0], round((entry[1] - now) * 1000)))
        return taken, answers

    def look(self, keys: list[str]) -> list[tuple[int, int]]:
        now = time.monotonic()
        with self._lock:
            found = [self._counts.get(key) for key in keys]
            return [(entry[0], round((entry[1] - now) * 1000)) if entry and entry[1] > now
                    else (0, -2) for entry in found]

    def give_back(self, keys: list[str]) -> None:
        now = time.monotonic()
        with self._lock:
            for key in keys:
                entry = self._counts.get(key)
                if entry is not None and entry[1] > now:
                    entry[0] -= 1
                    if entry[0] <= 0:
                        del self._counts[key]
