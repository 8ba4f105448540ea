"""Configuration from the environment, as the brief fixes it.

Every setting has an environment variable of the same name; `create_app(config)` lets a
caller (a test, `transparency serve`) override any of them. Values that cannot be used stop
the start-up with a message saying which variable to fix.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

REPO_CONTENT = Path(__file__).resolve().parent.parent / "content"

DEFAULTS = {
    "DATABASE_URL": None,  # None: SQLite under instance/
    "RATELIMIT_STORAGE_URI": "memory://",
    "RATELIMIT_SUBMIT": "5 per minute;50 per day",
    "RATELIMIT_KEY_PREFIX": "feedback",
    # Failed staff sign-ins (feedback_api.limits): per account, from any address it has not
    # signed in from lately; per account and address; and per address, whatever the account.
    "INBOX_SIGN_IN_LIMIT": "10 per minute;50 per hour;100 per day",
    "INBOX_SIGN_IN_SOURCE_LIMIT": "5 per minute;10 per hour;20 per day",
    "INBOX_SIGN_IN_ADDRESS_LIMIT": "20 per minute;100 per hour",
    "TRUSTED_PROXIES": 0,
    "CONTENT_DIR": str(REPO_CONTENT),
    # The published site's folder, whose open data (data/policies.json) says which
    # revisions respond to which feedback; "" for none.
    "SITE_DIR": str(REPO_CONTENT.parent / "site"),
    "CORS_ORIGINS": "",
    # The origin (https://host[:port]) that alone serves the staff inbox, or "" to serve it
    # on every host, next to the site. See docs/deployment.md.
    "INBOX_ORIGIN": "",
    # None: Secure, except in development and tests (plain http://127.0.0.1).
    "SESSION_COOKIE_SECURE": None,
    # Seconds a person needs at least to fill in a form; quicker is treated as a robot.
    "FORM_MIN_SECONDS": 3,
    # The same submission (text and contact details) from the same client within this many
    # seconds is recorded once.
    "DUPLICATE_WINDOW_SECONDS": 300,
    "WTF_CSRF_TIME_LIMIT": 3600,
    # Mail to staff (feedback_api.notify). SMTP_TLS: "starttls" (the default), "implicit"
    # (TLS from the first byte, port 465) or "off"; empty: SMTP_STARTTLS decides (an older
    # setting: true is "starttls", false is "off"; unset, "starttls"). Signing in to the
    # mail server without TLS is refused unless SMTP_ALLOW_PLAINTEXT_AUTH is true.
    "SMTP_TLS": "",
    "SMTP_STARTTLS": None,
    "SMTP_ALLOW_PLAINTEXT_AUTH": False,
    "SMTP_CA_FILE": "",  # certificates to trust for the mail server instead of the system's
    "NOTIFY_EMAIL": "",  # where new reports are announced; nothing is sent without it
    "NOTIFY_FROM": "",  # empty: inbox@SMTP_HOST
    "SMTP_HOST": "",
    "SMTP_PORT": 0,  # 0 or empty: the usual port of SMTP_TLS's mode
    "SMTP_USER": "",
    "SMTP_PASSWORD": "",
    "SITE_URL": "",  # the public address, for links in emails
    # The staff inbox: a session ends after INBOX_IDLE_MINUTES without activity, and at the
    # latest INBOX_SESSION_HOURS after signing in (1 to SESSION_HOURS_MAX).
    "INBOX_IDLE_MINUTES": 30,
    "INBOX_SESSION_HOURS": 8,
    "INBOX_PAGE_SIZE": 50,
    # Retention (feedback_api.retention): days after an item is closed.
    "RETENTION_ANONYMISE_DAYS": 365,
    "RETENTION_DELETE_DAYS": 1095,
}

INTEGERS = ("TRUSTED_PROXIES", "FORM_MIN_SECONDS", "DUPLICATE_WINDOW_SECONDS",
            "WTF_CSRF_TIME_LIMIT", "SMTP_PORT", "INBOX_IDLE_MINUTES", "INBOX_SESSION_HOURS",
            "INBOX_PAGE_SIZE", "RETENTION_ANONYMISE_DAYS", "RETENTION_DELETE_DAYS")
# Whole numbers for which an empty value is 0.
EMPTY_IS_ZERO = ("SMTP_PORT", "INBOX_IDLE_MINUTES", "INBOX_SESSION_HOURS", "INBOX_PAGE_SIZE",
                 "RETENTION_ANONYMISE_DAYS", "RETENTION_DELETE_DAYS")
SESSION_HOURS_MAX = 7 * 24
BOOLEANS = ("SESSION_COOKIE_SECURE", "SMTP_STARTTLS", "SMTP_ALLOW_PLAINTEXT_AUTH")
LIMITS = ("RATELIMIT_SUBMIT", "INBOX_SIGN_IN_LIMIT", "INBOX_SIGN_IN_SOURCE_LIMIT",
          "INBOX_SIGN_IN_ADDRESS_LIMIT")
TRUE_WORDS = ("1", "true", "yes", "on")
FALSE_WORDS = ("0", "false", "no", "off", "")

# Bodies: the JSON API takes at most 64 KiB; the forms may need more (5,000 characters of
# text can take 60 KB once a browser has percent-encoded it).
API_MAX_BYTES = 64 * 1024
FORM_MAX_BYTES = 512 * 1024


class ConfigError(RuntimeError):
    """A setting that cannot be used; the message names the variable."""


def settings(environ: Mapping[str, str], overrides: Mapping | None = None) -> dict:
    """The app's settings: defaults, then the environment, then explicit overrides."""
    values: dict = dict(DEFAULTS)
    names = set(DEFAULTS) | {"SECRET_KEY"}
    for name in names:
        if environ.get(name) is not None:
            values[name] = environ[name]
    values.update(overrides or {})
    for name in INTEGERS:
        empty = name in EMPTY_IS_ZERO and not values[name]
        values[name] = 0 if empty else _integer(name, values[name])
    for name in BOOLEANS:
        values[name] = boolean(name, values[name])
    if values["TRUSTED_PROXIES"] < 0:
        raise ConfigError("TRUSTED_PROXIES must be 0 or a positive number of proxy hops")
    origins = values["CORS_ORIGINS"]
    if isinstance(origins, str):
        origins = [o.strip().rstrip("/") for o in origins.replace(",", " ").split()]
    values["CORS_ORIGINS"] = tuple(o for o in origins if o)
    values["INBOX_ORIGIN"] = _origin("INBOX_ORIGIN", values["INBOX_ORIGIN"])
    for name in LIMITS:
        values[name] = _limits(name, values[name])
    _inbox_times(values)
    return values


def _inbox_times(values: dict) -> None:
    if values["INBOX_IDLE_MINUTES"] < 1:
        raise ConfigError("INBOX_IDLE_MINUTES must be at least 1")
    if not 1 <= values["INBOX_SESSION_HOURS"] <= SESSION_HOURS_MAX:
        raise ConfigError(f"INBOX_SESSION_HOURS must be from 1 to {SESSION_HOURS_MAX} (a week), "
                          f"not {values['INBOX_SESSION_HOURS']}: the longest a staff "
                          "session lasts after signing in, however busy")
    if not 0 < values["RETENTION_ANONYMISE_DAYS"] <= values["RETENTION_DELETE_DAYS"]:
        raise ConfigError("RETENTION_ANONYMISE_DAYS must be at least 1 and at most "
                          "RETENTION_DELETE_DAYS")


def _limits(name: str, value) -> str:
    """Rate limits as Flask-Limiter reads them ("5 per minute;50 per day"), each allowing at
    least one; anything else stops the start-up naming the variable."""
    from limits import parse_many

    text = str(value if value is not None else "").strip()
    if not text:
        raise ConfigError(f'{name} is empty; use for example "5 per minute;50 per day"')
    try:
        found = parse_many(text)
    except ValueError:
        found = []
    if not found or any(limit.amount < 1 for limit in found):
        raise ConfigError(f'{name} must be limits like "5 per minute;50 per day" (each at '
                          f"least 1, separated by semicolons), not {value!r}")
    return text


def _origin(name: str, value) -> str:
    """An origin as browsers write it (scheme://host[:port], lowercase, no path), or ""."""
    text = str(value or "").strip().rstrip("/")
    if not text:
        return ""
    parts = urlsplit(text)
    try:
        port = parts.port
    except ValueError:
        port = -1
    if (parts.scheme.lower() not in ("http", "https") or not parts.hostname or parts.path
            or parts.query or parts.fragment or parts.username or parts.password
            or port == -1):
        raise ConfigError(f"{name} must be an origin such as https://inbox.example.gov "
                          f"(scheme, host and an optional port, no path), not {value!r}")
    default = {"http": 80, "https": 443}[parts.scheme.lower()]
    host = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
    shown = f":{port}" if port not in (None, default) else ""
    return f"{parts.scheme.lower()}://{host}{shown}"


def _integer(name: str, value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ConfigError(f"{name} must be a whole number, not {value!r}") from None


def boolean(name: str, value) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ConfigError(f"{name} must be true or false, not {value!r}")


def database_url(value: str | None, instance_path: Path) -> str:
    """The SQLAlchemy URL; plain postgresql:// URLs use the psycopg 3 driver."""
    if not value:
        instance_path.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{instance_path / 'feedback.sqlite3'}"
    for plain in ("postgresql://", "postgres://"):
        if value.startswith(plain):
            return "postgresql+psycopg://" + value[len(plain):]
    return value


def development_secret_key(instance_path: Path) -> str:
    """A key kept in instance/secret_key for development, created on first use."""
    instance_path.mkdir(parents=True, exist_ok=True)
    path = instance_path / "secret_key"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w") as file:
            file.write(secrets.token_urlsafe(48))
    return path.read_text().strip()
