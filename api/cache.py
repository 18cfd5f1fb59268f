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


def _get_many(keys):
    # One round trip; cms.cache.RedisCache reuses its client, so this is cheap.
    return _cache().get_many(keys)


def enabled():
    """Caching needs a cache every server process shares (Redis)."""
    return bool(settings.GRAPHQL_CACHE)


def _cache():
    return caches[settings.GRAPHQL_CACHE_ALIAS]


def bump(generation):
    if not enabled():
        return
    cache = _cache()
    cache.add(generation, 0, None)
    try:
        cache.incr(generation)
    except ValueError:  # evicted between add and incr
        cache.set(generation, 1, None)


def generations():
    """(content, auth): the two generations now."""
    found = _get_many([CONTENT, AUTH])
    return found.get(CONTENT, 0), found.get(AUTH, 0)


def tag_key(answer_key):
    """Where the tag of a cached answer is kept: its ETag and status without the body."""
    return answer_key + ":tag"


class Lookup:
    """One round trip for a request by bearer token: both generations and the
    cached answer; the token's principal is fetched only when the answer is not
    cached. Entries older than a generation are misses.

    A revalidation (``revalidating``: the request sends If-None-Match) reads the
    answer's tag instead of the answer, a few dozen bytes where an answer may be
    hundreds of kB, and the answer itself only when the tag does not settle it. Answer
    and tag are written together (one MSET) under the same generations, so a tag
    current now names the answer current now."""

    def __init__(self, principal_key, answer_key=None, revalidating=False):
        self.principal_key, self.answer_key = principal_key, answer_key
        revalidating = revalidating and bool(answer_key)
        wanted = (tag_key(answer_key) if revalidating else answer_key) if answer_key else principal_key
        found = _get_many([AUTH, CONTENT, wanted])
        self.auth = found.get(AUTH, 0)
        self.content = found.get(CONTENT, 0)
        self._tag = found.get(wanted) if revalidating else None
        self._answer = found.get(answer_key) if answer_key and not revalidating else None
        self._answer_unread = revalidating
        self._principal = None if answer_key else found.get(principal_key)

    def principal(self):
        if self._principal is None and self.answer_key:
            self._principal = _cache().get(self.principal_key)
        entry = self._principal
        return entry[1] if entry is not None and entry[0] == self.auth else None

    @property
    def generations(self):
        return self.content, self.auth

    def tag(self):
        """The current answer's tag, when the lookup read it; else None."""
        entry = self._tag
        return entry[1] if entry is not None and entry[0] == (self.content, self.auth) else None

    def answer(self):
        if self._answer_unread:
            self._answer_unread = False
            if self._tag is None or self._tag[0] == (self.content, self.auth):
                # No tag (evicted, or an answer stored before tags), or a current one that
                # did not settle the revalidation: the answer is needed. A tag of older
                # generations says the answer is as old: a miss without reading it.
                self._answer = _cache().get(self.answer_key)
        entry = self._answer
        return entry[1] if entry is not None and entry[0] == (self.content, self.auth) else None

    def put_principal(self, value, timeout):
        _cache().set(self.principal_key, (self.auth, value), timeout)

    def put_answer(self, value, tag, timeout):
        """The answer and its tag, in one write (a MULTI of MSET and their expiries)."""
        stamp = (self.content, self.auth)
        _cache().set_many({self.answer_key: (stamp, value), tag_key(self.answer_key): (stamp, tag)}, timeout)


def get(generation, key):
    """``(generation now, value or None)``: one round trip for both."""
    found = _get_many([generation, key])
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
