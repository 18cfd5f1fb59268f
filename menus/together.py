"""Items going live in the same transaction before a menu (a release publishes its
other items first): the menu rules count them as live (menus/validation.py)."""

import contextvars
from contextlib import contextmanager

# Items published in the same transaction before the menu (a release's): (model, pk).
GOING_LIVE = contextvars.ContextVar("menus_going_live", default=frozenset())


@contextmanager
def going_live_with(items):
    """Check menus as if ``items`` ((model, pk) pairs), published before them in the
    same transaction, were live already."""
    token = GOING_LIVE.set(frozenset(items))
    try:
        yield
    finally:
        GOING_LIVE.reset(token)
