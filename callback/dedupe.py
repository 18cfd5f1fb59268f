"""WeChat's retries recognised across processes: the first delivery of a message
claims its key in the shared cache (an atomic add of a small value); a retry finds it
taken and causes no second side effect.

On Redis the claim is one ``SET key 1 EX n NX`` written by hand on a connection this
thread keeps, in the cache backend's own key and value format: redis-py's client
object, retry wrapper, pool and argument encoder cost 70 µs of CPU per command where
the round trip itself costs 15, and the claim runs on every message. The connection
(redis-py's) still does the handshake (credentials, database, TLS); the answers, one
short line each, are read from its socket.

A user message's claim is sent without waiting for its answer (``claim_later``): the
reply goes out first and the answer is read by the deferred work that runs once it is
sent, so the worker does not block on Redis before answering. Answers left unread on a
connection are kept in order (``_Line.unread``) and read before anything else is sent
on it, so no answer is ever taken for another command's."""

import collections
import functools
import logging
import os
import threading

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

_local = threading.local()
_SOCKET_ERRORS = (RedisConnectionError, RedisTimeoutError, OSError)
# What a claim stores: only that the delivery was seen.
SEEN = 1


class _Claim:
    """A claim sent on a connection; ``first`` is None until its answer is read."""

    __slots__ = ("first",)

    def __init__(self):
        self.first = None


class _Line:
    """A connection this thread keeps, its claims whose answers are still unread (in the
    order sent) and the bytes read past the last answer."""

    __slots__ = ("backend", "buffer", "connection", "pid", "unread")

    def __init__(self, backend):
        # A connection of its own, with the cache's server, database and credentials.
        pool = backend._cache._get_connection_pool(True)
        self.connection = pool.connection_class(**pool.connection_kwargs)
        self.backend, self.pid = backend, os.getpid()
        self.unread, self.buffer = collections.deque(), b""

    def _answer(self):
        """The next one-line answer (``+OK``, a null, an error): True when set."""
        while b"\r\n" not in self.buffer:
            chunk = self.connection._sock.recv(4096)
            if not chunk:
                raise RedisConnectionError("Redis closed the connection")
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\r\n", 1)
        if line[:1] == b"-":
            raise ResponseError(line[1:].decode("utf-8", "replace"))
        # "+OK" when set; a null ("_" in RESP3, "$-1" in RESP2) when the key was there.
        return line[:1] == b"+"

    def drain(self, until=None):
        """Read the unread answers, oldest first, up to ``until`` (all of them by default)."""
        while self.unread:
            claim = self.unread.popleft()
            claim.first = self._answer()
            if claim is until:
                return

    def drop(self):
        """After a socket error: a fresh connection next time. The claims whose answers are
        lost count as first deliveries: a message logged twice rather than never."""
        self.connection.disconnect()
        self.buffer = b""
        while self.unread:
            self.unread.popleft().first = True

    def send(self, command):
        """Send ``command`` once every earlier answer is read; one fresh attempt after a
        socket error (a restarted Redis, a connection that aged out)."""
        for attempt in (1, 2):
            try:
                self.drain()
                self.connection.send_packed_command([command])
                return
            except _SOCKET_ERRORS:
                self.drop()
                if attempt == 2:
                    raise
            except BaseException:
                self.drop()  # an answer may still be on its way: start clean
                raise


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


def _set_nx(backend, key, seconds):
    # make_key: the key is ours (a prefix and a SHA-1), no memcached-style validation needed.
    key = backend.make_key(key).encode()
    timeout = b"%d" % backend.get_backend_timeout(seconds)
    # The backend keeps integers as their digits (cache.get(key) reads 1).
    return _command(b"SET", key, b"%d" % SEEN, b"EX", timeout, b"NX")


def claim(key, seconds):
    """True for the first delivery (the key kept for ``seconds``), False for a retry;
    decided before returning (job events, whose failure WeChat must retry)."""
    backend = caches["default"]
    if not _lean(backend, seconds):
        return backend.add(key, SEEN, seconds)
    command, line = _set_nx(backend, key, seconds), _line(backend)
    for attempt in (1, 2):
        line.send(command)
        pending = _Claim()
        line.unread.append(pending)
        try:
            line.drain(until=pending)
            return pending.first
        except _SOCKET_ERRORS:
            # A connection that aged out takes the command and answers nothing: once more.
            line.drop()
            if attempt == 2:
                raise
        except BaseException:
            line.drop()
            raise
    raise AssertionError("unreachable")


def claim_later(key, seconds):
    """Claim the delivery without waiting for Redis: a function, to call once the reply
    is sent, that tells whether this was the first delivery. Other caches (dev's locmem)
    decide at once."""
    backend = caches["default"]
    if not _lean(backend, seconds):
        first = backend.add(key, SEEN, seconds)
        return lambda: first
    line = _line(backend)
    pending = _Claim()
    try:
        line.send(_set_nx(backend, key, seconds))
    except _SOCKET_ERRORS:
        logger.warning("wechat callback: Redis unreachable, delivery %s counted as first", key, exc_info=True)
        pending.first = True
    else:
        line.unread.append(pending)
    return functools.partial(_first_delivery, line, pending)


def _first_delivery(line, pending):
    if pending.first is None:
        try:
            line.drain(until=pending)
        except Exception:
            # The reply is sent: a message logged twice rather than never.
            logger.warning("wechat callback: a claim's answer is lost, counted as a first delivery", exc_info=True)
            line.drop()
    return True if pending.first is None else pending.first
