"""Django's Redis cache backend with one client object per connection pool.

Django's own backend builds a ``redis.Redis`` for every operation, whose constructor
fills a table of several hundred response callbacks: on a hot path (the WeChat
callback's deduplication, the GraphQL answer cache) that was a fifth of a request's
CPU. A client only wraps the pool, which is thread-safe and resets itself in a
forked process, so one per pool serves the whole process."""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class ReusedClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusedClientRedisCacheClient
