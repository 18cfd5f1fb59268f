"""How fast one official account sends template messages: at most
``NOTICES_SENDS_PER_SECOND``, counted in the shared cache (Redis in production) so
every worker shares one budget per account. A send over the budget waits for the
next second instead of calling WeChat."""

import time

from django.conf import settings
from django.core.cache import cache


def wait_seconds(app_id, now=None):
    """0 when the account may send now (the slot is taken), else how long to wait."""
    now = time.time() if now is None else now
    second = int(now)
    key = f"notices:pace:{app_id}:{second}"
    cache.add(key, 0, 5)
    try:
        used = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, 5)
        used = 1
    per_second = max(1, settings.NOTICES_SENDS_PER_SECOND)
    if used <= per_second:
        return 0.0
    # Spread the waiting sends over the next seconds rather than all at the next tick.
    overflow = used - per_second
    return (second + 1 - now) + (overflow - 1) // per_second
