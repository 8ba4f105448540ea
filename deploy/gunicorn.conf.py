"""gunicorn settings for the feedback app (forms and JSON API) behind nginx.

    gunicorn -c deploy/gunicorn.conf.py

Environment: everything feedback_api reads (DATABASE_URL, SECRET_KEY,
RATELIMIT_STORAGE_URI, TRUSTED_PROXIES, ...; see docs/deployment.md), plus
GUNICORN_BIND, WEB_CONCURRENCY (worker processes) and GUNICORN_THREADS.
"""

import os

wsgi_app = "feedback_api:create_app()"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8001")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = 30
graceful_timeout = 20
keepalive = 5
# Requests bigger than this never reach the app; the app itself takes at most 64 KiB of
# JSON and 512 KiB of form data.
limit_request_line = 8190
limit_request_fields = 100

# Logs go to stderr for systemd/journald. The access log leaves out the client's address
# (the forms promise residents that their address is not kept) and the query string (%(U)s
# is the path alone): a staff search of the inbox can hold a resident's name or email
# address. nginx's log has the query strings of the public addresses.
accesslog = "-"
errorlog = "-"
access_log_format = '%(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'


def on_starting(server):
    """Warn when several workers would each keep their own rate-limit counts."""
    from feedback_api.limits import memory_storage_warning

    storage = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    warning = memory_storage_warning(storage, server.cfg.workers)
    if warning:
        server.log.warning(warning)
