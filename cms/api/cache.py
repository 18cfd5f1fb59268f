"""The shared cache of published answers and authenticated principals.

Entries are stored with the generation they were computed at; a publish (a new
change version), a change to the organisation matrix or to an API client bumps
the generation, which invalidates every older entry at once. The generation is
read before an answer is computed, so an answer built from data older than a
publish can never be stored under the new generation."""

from django.conf import settings
from django.core.cache import caches

CONTENT = "gql:gen:content"
AUTH = "gql:gen:auth"


def enabled():
    """Caching needs a cache every server process shares (Redis)."""
    return bool(getattr(settings, "GRAPHQL_CACHE", False))


def _cache():
    return caches[getattr(settings, "GRAPHQL_CACHE_ALIAS", "default")]


def bump(generation):
    if not enabled():
        return
    cache = _cache()
    cache.add(generation, 0, None)
    try:
        cache.incr(generation)
    except ValueError:  # evicted between add and incr
        cache.set(generation, 1, None)


def get(generation, key):
    """``(generation now, value or None)``: one round trip for both."""
    found = _cache().get_many([generation, key])
    current = found.get(generation, 0)
    entry = found.get(key)
    if entry is not None and entry[0] == current:
        return current, entry[1]
    return current, None


def put(generation_value, key, value, timeout):
    _cache().set(key, (generation_value, value), timeout)


def bump_content(**kwargs):
    bump(CONTENT)


def bump_all(**kwargs):
    bump(CONTENT)
    bump(AUTH)
