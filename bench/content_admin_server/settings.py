"""Settings of the content admin benchmark server: the project's settings with DEBUG
off, plus one reference path serving a page's bytes from memory."""

import os

os.environ.setdefault("DEBUG", "false")

from cms.settings.dev import *  # noqa: E402,F403

ROOT_URLCONF = "bench.content_admin_server.urls"
DEBUG = False
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING", "handlers": []}}
