"""Settings of the GraphQL API benchmark server: the project's settings, plus a
URLconf with the reference paths (static bytes, hand-written views, Wagtail API v2)."""

import os

os.environ.setdefault("DEBUG", "false")

from cms.settings.dev import *  # noqa: E402,F403

ROOT_URLCONF = "bench.graphql_api_server.urls"
DEBUG = False
INSTALLED_APPS = [*INSTALLED_APPS, "wagtail.api.v2", "rest_framework"]  # noqa: F405
WAGTAILAPI_LIMIT_MAX = 20000
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING", "handlers": []}}
