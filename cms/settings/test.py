"""Test settings: the suite runs on PostgreSQL when DATABASE_URL is set (CI)."""

from .base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = VAR_DIR / "test-media"  # noqa: F405
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CMS_SECRETS_KEY = "yJ8p1m0bHq2bqv3b7n0pT2k4Xq9Y6d1w3s5u7w9y1A0="
GRAPHQL_CACHE = False
GRAPHQL_GRAPHIQL = False
GRAPHQL_LOCAL_CACHE_SECONDS = 0  # tests of the in-process tier switch it on themselves
WECHAT_CALLBACK_LOG_FLUSH_MS = 0  # rows at once; tests of the batched log switch it on
