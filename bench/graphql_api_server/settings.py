"""Settings of the GraphQL API benchmark server: the project's settings, plus a
URLconf with the reference paths (static bytes, hand-written views, Wagtail API v2,
wagtail-grapple)."""

import os

os.environ.setdefault("DEBUG", "false")

from cms.settings.dev import *  # noqa: E402,F403

ROOT_URLCONF = "bench.graphql_api_server.urls"
DEBUG = False
INSTALLED_APPS = [
    *INSTALLED_APPS,  # noqa: F405
    "wagtail.api.v2",
    "rest_framework",
    "wagtail_headless_preview",
    "bench.graphql_api_server.grapple_fields.BenchGrappleConfig",  # before grapple: its ready() reads the fields
    "grapple",
]
GRAPPLE = {"APPS": ["content"], "MAX_PAGE_SIZE": 100}
WAGTAILAPI_LIMIT_MAX = 20000
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING", "handlers": []}}
