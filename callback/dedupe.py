"""WeChat's retries recognised across processes: the first delivery of a message
claims its key in the shared cache (an atomic add of a small value); a retry finds it
taken and causes no second side effect.

On Redis a claim is one ``SET key 1 EX n NX`` written by hand on a connection this
thread keeps, in the cache backend's own key and value format: redis-py's client
object, retry wrapper, pool and argument encoder cost 70 µs of CPU per command where
the round trip itself costs 15. The connection (redis-py's) still does the handshake
(credentials, database, TLS); the answers, one short line each, are read from its
socket.

A job event's claim decides its answer (``claim``). A user message's claim only decides
whether its log row is written, so the message log's flusher claims a batch of them in
one round trip (``claim_many``, see ``callback.logbook``): no request waits for Redis,
and Redis reads one write per batch instead of one per message."""

import logging
import os
import threading

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

# WeChat retries a delivery three times within about 15 seconds.
WINDOW_SECONDS = 30
# What a claim stores: only that the delivery was seen.
SEEN = 1

_local = threading.local()
_SOCKET_ERRORS = (RedisConnectionError, RedisTimeoutError, OSError)


class _Line:
    """A connection this thread keeps, and the bytes read past the last answer."""

    __slots__ = ("backend", "buffer", "connection", "pid")

    def __init__(self, backend):
        # A connection of its own, with the cache's server, database and credentials.
        pool = backend._cache._get_connection_pool(True)
        self.connection = pool.connection_class(**pool.connection_kwargs)
        self.backend, self.pid = backend, os.getpid()
        self.buffer = b""

    def answers(self, count):
        """The next ``count`` one-line answers (``+OK``, a null, an error): True when set."""
        lines = self.buffer.split(b"\r\n")
        while len(lines) <= count:
            chunk = self.connection._sock.recv(65536)
            if not chunk:
                raise RedisConnectionError("Redis closed the connection")
            self.buffer += chunk
            lines = self.buffer.split(b"\r\n")
        self.buffer = b"\r\n".join(lines[count:])
        for line in lines[:count]:
            if line[:1] == b"-":
                raise ResponseError(line[1:].decode("utf-8", "replace"))
        # "+OK" when set; a null ("_" in RESP3, "$-1" in RESP2) when the key was there.
        return [line[:1] == b"+" for line in lines[:count]]

    def drop(self):
        """After an error: a fresh connection next time, no answer of this one left to read."""
        self.connection.disconnect()
        self.buffer = b""


def _line(backend):
    line = getattr(_local, "line", None)
    if line is None or line.backend is not backend or line.pid != os.getpid():
        line = _local.line = _Line(backend)
    return line


def _bulk(value):
    return b"$%d\r\n%s\r\n" % (len(value), value)


def _command(*parts):
    """A Redis command in the protocol's own form (every part bytes)."""
    return b"*%d\r\n" % len(parts) + b"".join(map(_bulk, parts))


def _lean(backend, seconds):
    return seconds and isinstance(backend, RedisCache)


def _set_nx(backend, key, timeout):
    # make_key: the key is ours (a prefix and a SHA-1), no memcached-style validation needed.
    # The backend keeps integers as their digits (cache.get(key) reads 1).
    return _command(b"SET", backend.make_key(key).encode(), b"%d" % SEEN, b"EX", timeout, b"NX")


def claim(key, seconds=WINDOW_SECONDS):
    """True for the first delivery (the key kept for ``seconds``), False for a retry."""
    return claim_many([key], seconds)[0]


def claim_many(keys, seconds=WINDOW_SECONDS):
    """``claim`` of each key, in order, in one round trip: of two claims of one key the
    first wins."""
    backend = caches["default"]
    if not keys:
        return []
    if not _lean(backend, seconds):
        return [backend.add(key, SEEN, seconds) for key in keys]
    timeout = b"%d" % backend.get_backend_timeout(seconds)
    command = b"".join([_set_nx(backend, key, timeout) for key in keys])
    line = _line(backend)
    for attempt in (1, 2):
        try:
            line.connection.send_packed_command([command])
            return line.answers(len(keys))
        except _SOCKET_ERRORS:
            # A connection that aged out takes the commands and answers nothing: once more.
            line.drop()
            if attempt == 2:
                raise
        except BaseException:
            line.drop()  # answers may still be on their way: start clean
            raise
    raise AssertionError("unreachable")
