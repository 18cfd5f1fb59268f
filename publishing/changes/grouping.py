"""Many publishes recorded as one change: a release publishes all its items in one
transaction, and the change log must show them all or none.

Inside ``one_change(code)`` the change-log handlers collect what was published,
unpublished and which menu versions were published instead of recording each after
commit, and publishing's handlers start no push batch of their own (the release
fans out its pushes itself). ``services.record_group`` then writes every row in the
caller's transaction, under the writer lock."""

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

_current = ContextVar("changes_group", default=None)


@dataclass
class Group:
    code: str
    rollback: bool = False
    published: list = field(default_factory=list)  # (model, pk)
    unpublished: list = field(default_factory=list)  # (model, pk)
    menus: list = field(default_factory=list)  # (menu code, menu id, account id, version id)


@contextmanager
def one_change(code, *, rollback=False):
    """Collect the publishes of the block as one group (see the module docstring)."""
    group = Group(code, rollback)
    token = _current.set(group)
    try:
        yield group
    finally:
        _current.reset(token)


def current():
    """The group being collected in this context, or None."""
    return _current.get()
