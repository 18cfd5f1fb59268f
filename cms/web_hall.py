"""The reference web hall (``frontends/web-hall/``: static HTML and JS modules, no build step)
served at ``/demo/web-hall/`` beside the API it reads, with the read-only API token of
the sample's web account, only when ``WEB_HALL_DEMO`` is on (``bin/run`` turns it on;
production settings force it off). Everything else answers 404 (docs/web-hall.md).

The page reads nothing but persisted queries, by hash over GET: ``config.json`` names
the allow-list's documents (``graphql/queries/``) and their hashes, so a section whose
document is not registered is left out rather than failing."""

from pathlib import Path

from django.conf import settings
from django.http import FileResponse, Http404, JsonResponse
from django.urls import path, reverse

from api import persisted

ROOT = Path(settings.BASE_DIR) / "frontends" / "web-hall"
# The files the page is made of; nothing else under the folder is served.
FILES = {
    "index.html": "text/html; charset=utf-8",
    "app.js": "text/javascript; charset=utf-8",
    "hall.js": "text/javascript; charset=utf-8",
    "home.js": "text/javascript; charset=utf-8",
    "style.css": "text/css; charset=utf-8",
}
# Scripts only from the page's own files; API answers' rendition HTML may show images
# from the media storage (S3 in production) but can never run a script.
POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' https: http: data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)


def _served():
    if not settings.WEB_HALL_DEMO:
        raise Http404("the demo web hall is off (WEB_HALL_DEMO)")


def asset(request, name="index.html"):
    _served()
    if name not in FILES:
        raise Http404(name)
    response = FileResponse((ROOT / name).open("rb"), content_type=FILES[name])
    response["Content-Security-Policy"] = POLICY
    response["Cache-Control"] = "no-cache"
    return response


def config(request):
    """Where the API is, the demo token, and the persisted documents by name."""
    _served()
    queries = {query.name: query.sha256 for query in persisted.registry().values()}
    response = JsonResponse(
        {
            "graphql": reverse("graphql"),
            "token": settings.WEB_HALL_DEMO_TOKEN,
            "queries": queries,
        }
    )
    response["Cache-Control"] = "no-store"
    return response


urlpatterns = [
    path("", asset, name="web-hall"),
    path("config.json", config, name="web-hall-config"),
    path("<str:name>", asset, name="web-hall-asset"),
]
