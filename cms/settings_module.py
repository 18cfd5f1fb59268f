"""Which settings module a process runs when DJANGO_SETTINGS_MODULE is unset."""

import os

from django.core.exceptions import ImproperlyConfigured


def default_settings_module():
    """Development settings by default, but never against a server database: DEBUG on
    over production data is refused until DJANGO_SETTINGS_MODULE says what is meant."""
    if os.environ.get("DJANGO_SETTINGS_MODULE"):
        return
    database_url = os.environ.get("DATABASE_URL", "")
    if database_url and not database_url.startswith("sqlite"):
        raise ImproperlyConfigured(
            "DATABASE_URL names a database server but DJANGO_SETTINGS_MODULE is unset, which would run the "
            "development settings (DEBUG on) against it: set DJANGO_SETTINGS_MODULE=cms.settings.production "
            "(or cms.settings.dev to develop on that database on purpose)."
        )
    os.environ["DJANGO_SETTINGS_MODULE"] = "cms.settings.dev"
