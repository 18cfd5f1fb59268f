"""The access token of each appid, fetched once for all workers.

WeChat keeps one valid stable token per appid and rate-limits its issue, so every
worker must share it: a worker that finds no valid token takes a lock (a Redis lock,
or the database row with ``select_for_update``), checks again (another worker may
have fetched it meanwhile) and only then calls ``/cgi-bin/stable_token``. A token
WeChat rejects is replaced under the same lock, and only if nobody replaced it yet.

``fetch(force)`` is supplied by the client and returns ``(token, expires_in)``."""

import json
from abc import ABC, abstractmethod
import threading
import time
from datetime import UTC, datetime

import redis
from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.db import transaction

from .errors import TransientError

# Fetch a new token this long before WeChat's expiry so a call never carries a
# token that dies in flight.
EXPIRY_MARGIN = 300


def _valid_for(expires_in):
    """Seconds a freshly fetched token is used. Near its end stable_token hands out the
    same token with the little life it has left: keep it to the end then, a call that
    meets the expiry is refreshed once (42001) instead of asking WeChat again and again."""
    if expires_in > 2 * EXPIRY_MARGIN:
        return expires_in - EXPIRY_MARGIN
    return max(1, expires_in)


class TokenStore(ABC):
    """Shared token cache with an in-process memo in front of it."""

    def __init__(self):
        self._memo = {}
        self._memo_lock = threading.Lock()

    def get(self, app_id, fetch):
        """A valid token of ``app_id``, fetched (once, under the lock) if needed."""
        memo = self._memo_get(app_id)
        if memo:
            return memo
        token, valid_until = self._read(app_id)
        if token and valid_until > time.time():
            self._memo_put(app_id, token, valid_until)
            return token
        return self._replace(app_id, fetch, rejected=None)

    def refresh(self, app_id, rejected, fetch):
        """Replace ``rejected`` (a token WeChat refused), unless another worker did already."""
        with self._memo_lock:
            if self._memo.get(app_id, ("",))[0] == rejected:
                self._memo.pop(app_id, None)
        return self._replace(app_id, fetch, rejected=rejected)

    def _fetch_new(self, fetch, rejected):
        token, expires_in = fetch(False)
        if rejected and token == rejected:
            # WeChat still hands out the token it refuses (it was invalidated
            # elsewhere): only a forced refresh replaces it.
            token, expires_in = fetch(True)
        return token, time.time() + _valid_for(int(expires_in))

    def _usable(self, token, valid_until, rejected):
        return bool(token) and token != rejected and valid_until > time.time()

    def _memo_get(self, app_id):
        with self._memo_lock:
            token, valid_until = self._memo.get(app_id, ("", 0.0))
        return token if valid_until > time.time() else ""

    def _memo_put(self, app_id, token, valid_until):
        with self._memo_lock:
            self._memo[app_id] = (token, valid_until)

    @abstractmethod
    def _read(self, app_id):
        """``(token, valid_until)`` as stored, or ``("", 0.0)``."""

    @abstractmethod
    def _replace(self, app_id, fetch, rejected):
        """Under the shared lock: keep a usable stored token or fetch and store a new one."""


class RedisTokenStore(TokenStore):
    """Tokens in Redis (``prefix + app_id``), fetched under a Redis lock."""

    def __init__(self, client, prefix="wechat:token:", lock_timeout=30.0):
        super().__init__()
        self.redis = client
        self.prefix = prefix
        self.lock_timeout = lock_timeout

    def _key(self, app_id):
        return f"{self.prefix}{app_id}"

    def _read(self, app_id):
        raw = self.redis.get(self._key(app_id))
        if not raw:
            return "", 0.0
        data = json.loads(raw)
        return data["token"], float(data["valid_until"])

    def _replace(self, app_id, fetch, rejected):
        lock = self.redis.lock(
            f"{self._key(app_id)}:lock", timeout=self.lock_timeout, blocking_timeout=self.lock_timeout
        )
        if not lock.acquire():
            raise TransientError(None, "timed out waiting for the access-token lock", "stable_token")
        try:
            token, valid_until = self._read(app_id)
            if not self._usable(token, valid_until, rejected):
                token, valid_until = self._fetch_new(fetch, rejected)
                ttl = max(1, int(valid_until - time.time()))
                payload = json.dumps({"token": token, "valid_until": valid_until})
                self.redis.set(self._key(app_id), payload, ex=ttl)
        finally:
            try:
                lock.release()
            except redis.exceptions.LockError:
                # The lock outlived its timeout while WeChat was slow; the token is stored anyway.
                pass
        self._memo_put(app_id, token, valid_until)
        return token


class DatabaseTokenStore(TokenStore):
    """Tokens in ``wechat.AccessToken`` rows, fetched while holding the row lock."""

    def _read(self, app_id):
        from .models import AccessToken

        row = AccessToken.objects.filter(app_id=app_id).first()
        if row is None or row.expires_at is None:
            return "", 0.0
        if not row.token.readable:  # sealed under a key since retired: fetch a new one
            return "", 0.0
        return row.token.reveal(), row.expires_at.timestamp()

    def _replace(self, app_id, fetch, rejected):
        from content.secrets import Secret

        from .models import AccessToken

        with transaction.atomic():
            # get_or_create waits on the unique index while another worker creates the
            # row, then the row lock serialises the fetch itself.
            AccessToken.objects.get_or_create(app_id=app_id)
            row = AccessToken.objects.select_for_update().get(app_id=app_id)
            token = row.token.reveal() if row.token.readable else ""
            valid_until = row.expires_at.timestamp() if row.expires_at else 0.0
            if not self._usable(token, valid_until, rejected):
                token, valid_until = self._fetch_new(fetch, rejected)
                row.token = Secret(token)
                row.expires_at = datetime.fromtimestamp(valid_until, tz=UTC)
                row.save(update_fields=["token", "expires_at", "updated_at"])
        self._memo_put(app_id, token, valid_until)
        return token


_stores = {}
_stores_lock = threading.Lock()


def default_token_store():
    """The store all clients of this process share: Redis when ``WECHAT_TOKEN_REDIS_URL``
    is set or the default cache is Redis, the database otherwise."""
    url = settings.WECHAT_TOKEN_REDIS_URL
    cache = caches["default"]
    if url:
        key = ("redis-url", url)
    elif isinstance(cache, RedisCache):
        key = ("redis-cache", id(cache._cache))
    else:
        key = ("database",)
    with _stores_lock:
        store = _stores.get(key)
        if store is None:
            if url:
                store = RedisTokenStore(redis.Redis.from_url(url))
            elif key[0] == "redis-cache":
                store = RedisTokenStore(cache._cache.get_client(write=True))
            else:
                store = DatabaseTokenStore()
            _stores[key] = store
        return store
