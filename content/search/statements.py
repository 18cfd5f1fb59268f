"""The SQL of a search, compiled once per reader and filters and reused with each
text. Building the union of the four kinds costs more CPU than running it (the reach
and scope filters of each part are a dozen lookups, compiled four times), while its
SQL depends only on what the reader may read (the principal's ``reach_key``), the
channel and kinds asked, and the text. So the union is compiled once with a marker in
place of the text, and later searches put the text into the parameters: as it is
(exact comparisons, the grams) or LIKE-escaped where the marker sits in a pattern
(``icontains``, ``istartswith``), as Django's lookups do.

Off PostgreSQL, without a reach key or with ``GRAPHQL_REUSE_SQL`` off, every search
compiles its own (as api.reused_sql does)."""

import threading

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connection, connections

# Nothing a LIKE pattern escapes, printable (so repr() shows it inside any other value)
# and in no parameter of the reach filters. A reader sending it finds it substituted by itself.
MARKER = "⟦search-text⟧"
# Two characters are matched by the index alone (services.matches): their SQL differs.
TWO_CHARACTER_MARKER = "⟦⟧"
MAX_ENTRIES = 1024
_lock = threading.Lock()
_entries = {}


class Statement:
    """SQL and parameters of a union of search parts; ``sql`` None when no part can hold a row."""

    __slots__ = ("db", "params", "sql")

    def __init__(self, db, sql, params):
        self.db, self.sql, self.params = db, sql, params


def _compile(parts):
    if not parts:
        return None
    union = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    try:
        sql, params = union.query.sql_with_params()
    except EmptyResultSet:  # no part can hold a row (e.g. no account of the channel asked)
        sql, params = None, ()
    return Statement(union.db, sql, tuple(params))


def _slots(statement, marker):
    """(position, pattern) of each parameter holding the marker: ``pattern`` False
    when the parameter is the text itself; None when the marker sits elsewhere."""
    slots = []
    for position, param in enumerate(statement.params):
        if isinstance(param, str) and marker in param:
            slots.append((position, param != marker))
        elif marker in repr(param):
            return None  # the text wrapped in another value (JSON, a list): never reused
    return slots


def union_of(key, build, text):
    """The Statement of ``build(text)`` (a list of ``values()`` querysets), its SQL
    compiled once for ``key`` (None: never reused)."""
    if key is None or not settings.GRAPHQL_REUSE_SQL or connection.vendor != "postgresql":
        # Elsewhere some filters read the database while they are built (reach).
        return _compile(build(text))
    marker = TWO_CHARACTER_MARKER if len(text) == 2 else MARKER
    key = (key, marker)
    entry = _entries.get(key)
    if entry is None:
        statement = _compile(build(marker))
        slots = [] if statement is None or statement.sql is None else _slots(statement, marker)
        if slots is None:
            return _compile(build(text))
        entry = (statement, slots)
        with _lock:
            if len(_entries) >= MAX_ENTRIES:
                _entries.clear()
            _entries[key] = entry
    statement, slots = entry
    if statement is None or statement.sql is None:
        return statement
    like = connections[statement.db].ops.prep_for_like_query(text)
    params = list(statement.params)
    for position, pattern in slots:
        params[position] = params[position].replace(marker, like) if pattern else text
    return Statement(statement.db, statement.sql, params)


def clear():
    with _lock:
        _entries.clear()
