"""Per-process memos of what a lean WSGI route learned of a request's parts (a query
string and token, a Host header...), kept for the next request with the same parts.

A memo is bounded, as clients choose the keys, and starts over when full, so keys
sent once (random query strings, made-up hosts) cannot keep out the ones that recur.
It is emptied when a setting changes (tests override settings): an entry may depend
on any of them."""

from django.core.signals import setting_changed


class Memo:
    """At most ``size`` entries; ``get_or_compute(key, compute)`` computes a missing one."""

    __slots__ = ("__weakref__", "_values", "size")

    def __init__(self, size):
        self._values = {}
        self.size = size
        # Held weakly by the signal: a memo dropped (a test's) is disconnected with it.
        setting_changed.connect(self.forget)

    def get_or_compute(self, key, compute):
        """The value kept for ``key``, else ``compute(key)``, kept."""
        try:
            return self._values[key]
        except KeyError:
            pass
        value = compute(key)
        if len(self._values) >= self.size:
            self._values.clear()
        self._values[key] = value
        return value

    def forget(self, **_kwargs):
        self._values.clear()

    def __len__(self):
        return len(self._values)
