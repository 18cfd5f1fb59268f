"""Per-process memos of what a process learned of a request's parts (a query string
and token, a Host header, a token's principal...), kept for the next request with
the same parts.

A memo is bounded, as clients choose the keys, and starts over when full, so keys
sent once (random query strings, made-up hosts, unknown tokens) cannot keep out the
ones that recur. It is emptied when a setting changes (tests override settings): an
entry may depend on any of them. A ``ByIdentity`` memo keeps what was
worked out from objects held for the process (a parsed document's nodes, a schema),
keyed by those very objects. A ``StampedMemo`` holds what goes stale (a
principal, until a token is revoked): each entry is found only while its stamp is
valid."""

from django.core.signals import setting_changed


class _Bounded:
    """At most ``size`` entries, all forgotten when one more comes (or a setting changes)."""

    __slots__ = ("__weakref__", "_values", "size")

    def __init__(self, size):
        self._values = {}
        self.size = size
        # Held weakly by the signal: a memo dropped (a test's) is disconnected with it.
        setting_changed.connect(self.forget)

    def _keep(self, key, entry):
        if len(self._values) >= self.size:
            self._values.clear()
        self._values[key] = entry

    def forget(self, **_kwargs):
        self._values.clear()

    def __len__(self):
        return len(self._values)


class Memo(_Bounded):
    """At most ``size`` entries; ``get_or_compute(key, compute)`` computes a missing one."""

    __slots__ = ()

    def get_or_compute(self, key, compute):
        """The value kept for ``key``, else ``compute(key)``, kept."""
        try:
            return self._values[key]
        except KeyError:
            pass
        value = compute(key)
        self._keep(key, value)
        return value


class StampedMemo(_Bounded):
    """A memo whose entries go stale: ``put(key, value, stamp)`` keeps the value with
    its stamp, and ``get(key)`` finds it only while ``valid(stamp)`` holds."""

    __slots__ = ("_valid",)

    def __init__(self, size, valid):
        super().__init__(size)
        self._valid = valid

    def get(self, key):
        """The value kept for ``key`` while its stamp is valid, else None."""
        entry = self._values.get(key)
        if entry is None or not self._valid(entry[0]):
            return None
        return entry[1]

    def put(self, key, value, stamp):
        self._keep(key, (stamp, value))


class ByIdentity(_Bounded):
    """At most ``size`` values, each kept for a tuple of objects and found only for those
    very objects (``is``), not for equal ones: keyed by their ids, each entry holds the
    objects, so an id is not reused by another object while the entry lives."""

    __slots__ = ()

    def get_or_compute(self, objects, compute):
        """The value kept for ``objects`` (a tuple), else ``compute()``, kept."""
        key = tuple(map(id, objects))
        entry = self._values.get(key)
        if entry is not None and all(kept is given for kept, given in zip(entry[0], objects, strict=True)):
            return entry[1]
        value = compute()
        self._keep(key, (objects, value))
        return value
