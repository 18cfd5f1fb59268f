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

from cms.api import cache

_lock = threading.Lock()
_answers = OrderedDict()
_generations = {"until": 0.0, "value": None}


def window():
    return float(getattr(settings, "GRAPHQL_LOCAL_CACHE_SECONDS", 1.0)) if cache.enabled() else 0.0


def _max_entries():
    return int(getattr(settings, "GRAPHQL_LOCAL_CACHE_ENTRIES", 512))


def _max_bytes():
    return int(getattr(settings, "GRAPHQL_LOCAL_CACHE_MAX_ANSWER_BYTES", 512 * 1024))


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
    if window() <= 0 or size > _max_bytes():
        return
    with _lock:
        _answers[key] = (generations_value, answer)
        _answers.move_to_end(key)
        while len(_answers) > _max_entries():
            _answers.popitem(last=False)


def clear():
    with _lock:
        _answers.clear()
        _generations.update(until=0.0, value=None)
