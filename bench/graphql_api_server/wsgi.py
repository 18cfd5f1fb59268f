"""The bench server's WSGI application: the project's (``cms.wsgi``, with its lean
routes) plus P1r, the strictest floor: the same bytes as P1 returned by a raw WSGI
callable for ``/bench/raw/<name>``, with no Django at all (as bench/callback.py's P1)."""

import os
from pathlib import Path

from cms.wsgi import application as project

RAW = "/bench/raw/"
_bytes = {}


def _answer(name):
    if name not in _bytes:
        path = Path(os.environ["BENCH_STATIC_DIR"]) / f"{name}.json"
        _bytes[name] = path.read_bytes() if path.is_file() and "/" not in name else None
    return _bytes[name]


def application(environ, start_response):
    path = environ.get("PATH_INFO", "")
    if not path.startswith(RAW):
        return project(environ, start_response)
    body = _answer(path[len(RAW):])
    if body is None:
        start_response("404 Not Found", [("Content-Type", "text/plain"), ("Content-Length", "0")])
        return [b""]
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]
