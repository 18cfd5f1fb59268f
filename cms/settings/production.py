"""Production: every essential comes from the environment; nothing is made up, and
no embedded fallback of base.py is used unless it is switched on by name."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .env import env_bool, env_fernet_key, env_int, env_str

CMS_PRODUCTION = True

SECRET_KEY = env_str("SECRET_KEY", required=True)
CMS_SECRETS_KEY = env_fernet_key("CMS_SECRETS_KEY", required=True)
env_str("DATABASE_URL", required=True)
DEBUG = False
# The demo web hall hands its API token to any visitor: never in production.
WEB_HALL_DEMO = False
WEB_HALL_DEMO_TOKEN = ""

# base.py falls back to what runs on one laptop. Here each fallback is a decision, named
# in the environment; without the variable or its ALLOW_ switch the start is refused,
# listing everything that is missing at once (docs/operations.md).
EMBEDDED_FALLBACKS = (
    # (variable, switch allowing the fallback, what the variable is, what the fallback does)
    ("S3_BUCKET", "ALLOW_LOCAL_MEDIA", "uploaded files and renditions on S3",
     "keep them under MEDIA_ROOT on this machine's disk"),
    ("REDIS_URL", "ALLOW_LOCAL_CACHE", "the cache all processes share",
     "give each process its own memory cache"),
    ("CELERY_BROKER_URL", "ALLOW_FILESYSTEM_BROKER", "the job broker (Redis or RabbitMQ)",
     "queue jobs as files under CELERY_BROKER_DIR, one machine only"),
    ("WAGTAILADMIN_BASE_URL", "ALLOW_LOCALHOST_BASE_URL", "the site's public address in absolute URLs",
     "write http://localhost:8000 into previews and short links"),
)
_missing = [
    f"{name} ({what}), or {switch}=1 to {fallback}"
    for name, switch, what, fallback in EMBEDDED_FALLBACKS
    if not env_str(name) and not env_bool(switch)
]
if _missing:
    raise ImproperlyConfigured("Production settings need: " + "; ".join(_missing) + ".")

# Behind a TLS-terminating proxy that sets X-Forwarded-Proto (docs/operations.md has
# an nginx example). Each is on by default and can be switched off by its variable.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("SECURE_PROXY_SSL_HEADER", True) else None
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
# /healthz answers plain HTTP probes on the host itself.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
# Preloading commits the whole domain to HTTPS in browsers for months: opt in only.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", True)
# Wagtail's preview shows the page in a same-origin iframe, which DENY would blank.
X_FRAME_OPTIONS = "SAMEORIGIN"
SILENCED_SYSTEM_CHECKS = [
    "security.W019",  # X_FRAME_OPTIONS is SAMEORIGIN on purpose (above)
    *(["security.W021"] if not SECURE_HSTS_PRELOAD else []),  # preload is an explicit opt-in
]

# Static files from the app itself (WhiteNoise): a bare gunicorn serves the admin's CSS,
# compressed, with names carrying their content hash and cached for ever.
_after = MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1  # noqa: F405 - as WhiteNoise asks
MIDDLEWARE = [*MIDDLEWARE[:_after], "whitenoise.middleware.WhiteNoiseMiddleware", *MIDDLEWARE[_after:]]  # noqa: F405
# A new dict: base's STORAGES must stay untouched when this module is imported.
STORAGES = {  # noqa: F405
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# GraphQL API: no schema introspection, no GraphiQL unless asked for.
GRAPHQL_INTROSPECTION = env_bool("GRAPHQL_INTROSPECTION", False)
GRAPHQL_GRAPHIQL = False
