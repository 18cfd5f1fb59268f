"""Test settings: the suite runs on PostgreSQL when DATABASE_URL is set (CI)."""

from .base import *  # noqa: F403
from .env import env_str

# Tasks run eagerly in the test process (tests/jobs_in_process.py orders them and keeps
# their short waits), unless the environment names a broker: the worker processes that
# tests start (tests/publishing/worker.py, tests/publishing/embedded_worker.py) do.
CELERY_TASK_ALWAYS_EAGER = not env_str("CELERY_BROKER_URL")
# The tests' in-process job runner: waits up to this long happen inline, longer ones
# (a quota pause) wait for the sweep; a run stops after the budget.
PUBLISHING_INLINE_WAIT_MAX_SECONDS = 30
PUBLISHING_INLINE_BUDGET_SECONDS = 120

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = VAR_DIR / "test-media"  # noqa: F405
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CMS_SECRETS_KEY = "yJ8p1m0bHq2bqv3b7n0pT2k4Xq9Y6d1w3s5u7w9y1A0="
GRAPHQL_CACHE = False
GRAPHQL_GRAPHIQL = False
GRAPHQL_LOCAL_CACHE_SECONDS = 0  # tests of the in-process tier switch it on themselves
WECHAT_CALLBACK_LOG_FLUSH_MS = 0  # rows at once; tests of the batched log switch it on
