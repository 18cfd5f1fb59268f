"""Static files through a bare gunicorn under production settings (WhiteNoise):
the admin's CSS answers 200, compressed, cached for ever under its hashed name. The
nginx example in docs/operations.md passes what the TLS settings rely on."""

import json
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.cms.test_production_refusals import CLEARED, PRODUCTION

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.integration


def _free_port():
    for port in range(9100, 9200):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 9100-9199")


@pytest.fixture(scope="module")
def production_server(tmp_path_factory):
    """gunicorn with production settings (no database needed for static files), after
    collectstatic into a fresh STATIC_ROOT."""
    static_root = tmp_path_factory.mktemp("static")
    env = {k: v for k, v in os.environ.items() if k not in CLEARED}
    env.update(PRODUCTION, ALLOWED_HOSTS="127.0.0.1", STATIC_ROOT=str(static_root),
               CMS_VAR_DIR=str(tmp_path_factory.mktemp("var")))
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=ROOT, env=env,
                   check=True, timeout=600)
    port = _free_port()
    gunicorn = Path(sys.executable).with_name("gunicorn")
    log = static_root.parent / "gunicorn.log"
    with open(log, "w") as out:
        server = subprocess.Popen([str(gunicorn), "cms.wsgi:application", "-w", "1", "-b", f"127.0.0.1:{port}"],
                                  cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(base + "/static/missing.css", timeout=5)  # any answer: the server is up
                break
            except httpx.TransportError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(log.read_text()) from None
                time.sleep(0.2)
        yield base, json.loads((static_root / "staticfiles.json").read_text())["paths"], log
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_admin_css_is_served_by_gunicorn_compressed_and_cached_for_ever(production_server):
    base, manifest, _ = production_server
    hashed = manifest["wagtailadmin/css/core.css"]
    # What the proxy passes on for an https request (else SECURE_SSL_REDIRECT answers 301).
    headers = {"X-Forwarded-Proto": "https", "Accept-Encoding": "gzip"}
    response = httpx.get(f"{base}/static/{hashed}", headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/css")
    assert response.headers.get("content-encoding") == "gzip"
    max_age = int(re.search(r"max-age=(\d+)", response.headers["cache-control"]).group(1))
    assert max_age >= 365 * 24 * 3600 and "immutable" in response.headers["cache-control"]


def test_plain_http_is_redirected_to_https(production_server):
    base, manifest, _ = production_server
    response = httpx.get(f"{base}/static/{manifest['wagtailadmin/css/core.css']}")
    assert response.status_code == 301 and response.headers["location"].startswith("https://")


def test_nginx_example_passes_the_headers_the_settings_trust():
    text = (ROOT / "docs" / "operations.md").read_text()
    example = re.search(r"```nginx\n(.*?)```", text, re.DOTALL).group(1)
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in example
    assert "proxy_set_header Host $host;" in example
    assert "proxy_set_header X-Request-ID $request_id;" in example
    assert re.search(r"listen 443 ssl", example) and re.search(r"return 301 https://\$host\$request_uri;", example)
