import os
from pathlib import Path

from django.http import Http404, HttpResponse
from django.urls import path

from cms.urls import urlpatterns as project

PAGES = {}


def page_bytes(request, name):
    """The reference: an admin page's bytes, read once from the bench's files, served from memory."""
    if name not in PAGES:
        file = Path(os.environ["BENCH_STATIC_DIR"]) / f"{name}.html"
        if not file.is_file():
            raise Http404
        PAGES[name] = file.read_bytes()
    return HttpResponse(PAGES[name], content_type="text/html; charset=utf-8")


urlpatterns = [path("bench/page/<str:name>", page_bytes), *project]
