"""Items held back from publishing on their own: an open release (releases app) holds
its items until it goes live as a whole. Content only asks; the app that holds
registers a check in its ``ready()`` (``register``). Every publish path goes through
``refuse_held``: the model's ``publish`` (admin publish, workflow approval,
``publish_scheduled``), the menu's ``publish_revision`` and the ``publish`` command."""

from contextlib import contextmanager
from contextvars import ContextVar

from django.core.exceptions import ValidationError

_checks = []
_holder = ContextVar("publishing_holder", default=None)


def register(check):
    """``check(item) -> (holder code, message) or None``: who holds ``item``, and why."""
    if check not in _checks:
        _checks.append(check)


def held_by(item):
    """(holder code, message) of the first hold on ``item``, or None."""
    for check in _checks:
        found = check(item)
        if found:
            return found
    return None


def refuse_held(item):
    """ValidationError naming the item and its holder, unless the holder itself is publishing."""
    found = held_by(item)
    if found is not None and found[0] != _holder.get():
        raise ValidationError({"live": ValidationError(found[1], code="held")})


@contextmanager
def publishing_as(holder_code):
    """The block publishes on behalf of ``holder_code``: its own holds do not refuse."""
    token = _holder.set(holder_code)
    try:
        yield
    finally:
        _holder.reset(token)
