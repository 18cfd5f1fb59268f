"""Production: every essential comes from the environment; nothing is made up."""

from .base import *  # noqa: F403
from .env import env_bool, env_fernet_key, env_str

CMS_PRODUCTION = True

SECRET_KEY = env_str("SECRET_KEY", required=True)
CMS_SECRETS_KEY = env_fernet_key("CMS_SECRETS_KEY", required=True)
env_str("DATABASE_URL", required=True)
# Jobs go to Redis or RabbitMQ, shared by every host; the embedded folder broker is for one machine.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", required=True)
DEBUG = False
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# A new dict: base's STORAGES must stay untouched when this module is imported.
STORAGES = {  # noqa: F405
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
}

# GraphQL API: no schema introspection, no GraphiQL unless asked for.
GRAPHQL_INTROSPECTION = env_bool("GRAPHQL_INTROSPECTION", False)
GRAPHQL_GRAPHIQL = False
