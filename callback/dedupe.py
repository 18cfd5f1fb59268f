"""WeChat's retries recognised across processes: the first delivery of a message
claims its key in the shared cache with its reply bytes (an atomic add), a retry
finds them there.

On Redis the claim is one ``SET key value EX n NX`` sent on a connection this thread
keeps, in the cache backend's own key and value format (``cache.get`` reads it back):
redis-py's client object, retry wrapper and pool cost 70 µs of CPU per command where
the round trip itself costs 15, and the claim runs on every message."""

import os
import threading

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

_local = threading.local()


def _connection(backend):
    held = getattr(_local, "held", None)
    if held is not None and held[0] is backend and held[1] == os.getpid():
        return held[2]
    # A connection of its own, with the cache's server, database and credentials.
    pool = backend._cache._get_connection_pool(True)
    connection = pool.connection_class(**pool.connection_kwargs)
    _local.held = (backend, os.getpid(), connection)
    return connection


def _set_nx(backend, key, value, seconds):
    connection = _connection(backend)
    command = connection.pack_command("SET", key, value, "EX", seconds, "NX")
    for attempt in (1, 2):
        try:
            connection.send_packed_command(command)
            return connection.read_response() is not None
        except (RedisConnectionError, RedisTimeoutError, OSError):
            # A restarted Redis or a connection that aged out: one fresh attempt.
            connection.disconnect()
            if attempt == 2:
                raise
        except BaseException:
            connection.disconnect()  # the reply may still be on its way: start clean
            raise
    raise AssertionError("unreachable")


def claim(key, reply, seconds):
    """True for the first delivery (its reply stored for ``seconds``), False for a retry."""
    backend = caches["default"]
    if not isinstance(backend, RedisCache) or not seconds:
        return backend.add(key, reply, seconds)
    return _set_nx(backend, backend.make_and_validate_key(key), backend._cache._serializer.dumps(reply),
                   int(backend.get_backend_timeout(seconds)))
