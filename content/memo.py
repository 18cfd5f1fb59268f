"""Reads shared inside one block: the release page looks at each of its items twice
(its violations, then what it changes on each account), and the checks of the
items ask the same questions (the organisation tree, an item's target accounts, its
images). Inside ``shared()`` each answer is read once; outside, every call reads
afresh (nothing outlives the block, so nothing goes stale)."""

from contextlib import contextmanager
from contextvars import ContextVar

_memo = ContextVar("shared_reads", default=None)


@contextmanager
def shared():
    """Share reads until the block ends (a block inside another shares the outer one's)."""
    if _memo.get() is not None:
        yield
        return
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def active():
    """True inside a ``shared()`` block."""
    return _memo.get() is not None


def once(key, compute):
    """``compute()``, read once per block for ``key``."""
    memo = _memo.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def once_for(obj, name, compute):
    """``compute()`` about the object ``obj`` itself (a draft is not its stored row:
    keyed by identity, and the object kept so its identity is not reused)."""
    memo = _memo.get()
    if memo is None:
        return compute()
    key = (name, id(obj))
    if key not in memo or memo[key][0] is not obj:
        memo[key] = (obj, compute())
    return memo[key][1]


def remember(key, value):
    """Give ``once(key, ...)`` its answer ahead (read in bulk for many keys)."""
    memo = _memo.get()
    if memo is not None:
        memo[key] = value


def remember_for(obj, name, value):
    """Give ``once_for(obj, name, ...)`` its answer ahead (read in bulk for many objects)."""
    memo = _memo.get()
    if memo is not None:
        memo[(name, id(obj))] = (obj, value)
