"""A small in-process tier in front of the shared answer cache.

Each server process keeps the most used answers in memory and re-reads the two
generations from Redis at most once per GRAPHQL_LOCAL_CACHE_SECONDS. An answer
is served from memory only while the generations it was stored under are still
the current ones, so a publish or a revoked token takes effect in every process
within that window (0 turns the tier off: every answer costs one Redis round trip)."""

import threading
import time
from collections import OrderedDict

from django.conf import settings

from api import cache

_lock = threading.Lock()
_answers = OrderedDict()  # key -> (generations, answer, size)
_generations = {"until": 0.0, "value": None}
_held = {"bytes": 0}


def window():
    return float(settings.GRAPHQL_LOCAL_CACHE_SECONDS) if cache.enabled() else 0.0


def _budget():
    """Bytes of answers a process keeps (a bundle of 18,000 SMS templates is about 7 MB)."""
    return int(settings.GRAPHQL_LOCAL_CACHE_BYTES)


def generations():
    """(content, auth) generations, from Redis at most once per window."""
    now = time.monotonic()
    with _lock:
        if now < _generations["until"]:
            return _generations["value"]
    found = cache.generations()
    with _lock:
        _generations.update(until=now + window(), value=found)
    return found


def note_generations(value):
    """Generations just read by a Redis lookup: no need to read them again this window."""
    with _lock:
        _generations.update(until=time.monotonic() + window(), value=value)


def get(key):
    if window() <= 0:
        return None
    current = generations()
    with _lock:
        entry = _answers.get(key)
        if entry is None or entry[0] != current:
            return None
        _answers.move_to_end(key)
        return entry[1]


def put(key, generations_value, answer, size):
    if window() <= 0 or size > _budget() // 4:
        return
    with _lock:
        previous = _answers.pop(key, None)
        if previous is not None:
            _held["bytes"] -= previous[2]
        _answers[key] = (generations_value, answer, size)
        _held["bytes"] += size
        while _held["bytes"] > _budget():
            _, (_, _, evicted) = _answers.popitem(last=False)
            _held["bytes"] -= evicted


def clear():
    with _lock:
        _answers.clear()
        _held["bytes"] = 0
        _generations.update(until=0.0, value=None)
