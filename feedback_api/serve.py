"""One origin for development and tests: the built site at `/`, the Flask app at `/api/`,
`/feedback/`, `/report/`, `/inbox/` and `/decisions/` — the same split nginx makes in production
(deploy/nginx.conf). Every answer from the site carries its security headers
(`feedback_api.SITE_HEADERS`: the Content-Security-Policy among them), as nginx sends them.
With INBOX_ORIGIN set, requests to that host all go to the app, which serves only the
inbox there (deploy/nginx-inbox.conf does the same).

`serve()` is what `transparency serve` (and so `make run`) calls. `start()` runs the same
thing on a background thread and hands back its URL, for tests.
"""

from __future__ import annotations

import logging
import mimetypes
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask
from werkzeug.security import safe_join
from werkzeug.serving import BaseWSGIServer, make_server
from werkzeug.utils import send_file
from werkzeug.wrappers import Request, Response
from werkzeug.wsgi import get_host

log = logging.getLogger(__name__)

# What the app answers: /api/, /feedback/, /report/, /inbox/ and /decisions/, in any
# language of the site too (`/es/report/`: the app serves the language, feedback_api.i18n,
# or its 404 for a code that is not one).
APP_PATH = re.compile(r"^/(?:[a-z]{2,3}(?:-[A-Z]{2})?/)?(?:api|feedback|report|inbox|decisions)"
                      r"(?:/|$)")
LANGUAGE_FOLDER = re.compile(r"^/([a-z]{2,3}(?:-[A-Z]{2})?)/")
TYPES = {
    ".html": "text/html",
    ".css": "text/css",
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".xml": "application/xml",
    ".txt": "text/plain",
    ".map": "application/json",
    ".webmanifest": "application/manifest+json",
    ".gz": "application/gzip",
}


def content_type(path: Path) -> str:
    return TYPES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0] or \
        "application/octet-stream"


def site_app(site_dir: Path):
    """A WSGI app serving a built static site: index.html for folders, the site's 404.
    Every answer has the site's security headers."""
    from . import SITE_HEADERS

    site_dir = Path(site_dir).resolve()

    def app(environ, start_response):
        def with_headers(status, headers, exc_info=None):
            present = {name.lower() for name, _ in headers}
            headers += [(name, value) for name, value in SITE_HEADERS.items()
                        if name.lower() not in present]
            return start_response(status, headers, exc_info)

        return files(environ, with_headers)

    def files(environ, start_response):
        request = Request(environ)
        if request.method not in ("GET", "HEAD"):
            response = Response("Method not allowed\n", 405, {"Allow": "GET, HEAD"},
                                mimetype="text/plain")
            return response(environ, start_response)
        path = request.path
        target = safe_join(str(site_dir), path.lstrip("/")) if path != "/" else str(site_dir)
        file = Path(target) if target else None
        if file is not None and file.is_dir():
            if not path.endswith("/"):
                query = f"?{request.query_string.decode('latin-1')}" if request.query_string else ""
                response = Response(status=301, headers={"Location": path + "/" + query})
                return response(environ, start_response)
            file = file / "index.html"
        if file is None or not file.is_file():
            return not_found(site_dir, path)(environ, start_response)
        response = send_file(file, environ, mimetype=content_type(file), max_age=0)
        return response(environ, start_response)

    return app


def for_the_app(path: str) -> bool:
    """Whether the feedback app answers `path` (a form, the API, the inbox, the
    register), in any language."""
    return APP_PATH.match(path) is not None


def not_found(site_dir: Path, path: str = "/") -> Response:
    """The site's 404 page, in the language of the folder asked for (`/es/…`)."""
    language = LANGUAGE_FOLDER.match(path)
    page = site_dir / "404.html"
    if language and (site_dir / language[1] / "404.html").is_file():
        page = site_dir / language[1] / "404.html"
    if page.is_file():
        return Response(page.read_bytes(), 404, mimetype="text/html")
    return Response("Not found\n", 404, mimetype="text/plain")


def one_origin(site_dir: Path, app: Flask):
    """Dispatch the app's prefixes to Flask and everything else to the static site; with
    INBOX_ORIGIN set, everything on the inbox's host to Flask."""
    static = site_app(site_dir)
    inbox_host = urlsplit(app.config.get("INBOX_ORIGIN") or "").netloc

    def dispatch(environ, start_response):
        path = environ.get("PATH_INFO", "") or "/"
        if for_the_app(path) or (
                inbox_host and get_host(environ).lower() == inbox_host):
            return app(environ, start_response)
        return static(environ, start_response)

    return dispatch


def prepare_app(config: dict | None = None) -> Flask:
    """The Flask app for a development server, with its database upgraded."""
    from . import create_app, db

    app = create_app({"DEVELOPMENT": True, **(config or {})})
    try:
        db.upgrade(app.extensions["db_engine"])
    except db.DatabaseUnavailable as error:
        log.warning("could not upgrade the database (%s); the forms will answer 503 until it "
                    "is reachable", error.__class__.__name__)
    return app


@dataclass
class Running:
    url: str
    server: BaseWSGIServer
    thread: threading.Thread
    app: Flask

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def start(site_dir: Path, app: Flask | None = None, host: str = "127.0.0.1",
          port: int = 0) -> Running:
    """Serve site and app on a background thread (port 0: any free port)."""
    app = app or prepare_app()
    server = make_server(host, port, one_origin(site_dir, app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="transparency-serve",
                              daemon=True)
    thread.start()
    return Running(f"http://{_url_host(host)}:{server.server_port}/", server, thread, app)


def serve(site_dir: Path, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Serve the built site and the feedback app on one origin until interrupted."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    app = prepare_app()
    server = make_server(host, port, one_origin(Path(site_dir), app), threaded=True)
    print(f"Serving the Transparency site on http://{_url_host(host)}:{server.server_port}/",
          flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host
