"""Hot single-item queries compiled to SQL once per process and shape.

Building and compiling a Django queryset costs more CPU than running it: the
reach and scope filters of a principal alone are a dozen lookups. A query whose
SQL depends only on a key (the principal's reach, the query's shape) and on a
few values is compiled once with marker values in their place; later calls put
the values in the parameters and build the rows as ``ModelIterable`` does. The
key must name everything the SQL depends on besides those values.

Rebuilding the rows uses private parts of Django's query compiler (``select``,
``klass_info``, ``get_related_populators``, converters), checked against Django
``WRITTEN_FOR`` only: tests/graphql_api fail on another version until this module
is re-checked. ``GRAPHQL_REUSE_SQL = False`` sends every query through the ORM."""

import threading
from itertools import count

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connections, router
from django.db.models.query import ModelIterable, get_related_populators

# The Django release whose private compiler API this module was checked against.
WRITTEN_FOR = (5, 2)
MAX_ENTRIES = 1024
_lock = threading.Lock()
_entries = {}
_markers = count(1)


class _Entry:
    __slots__ = ("sql", "params", "slots", "model", "init_list", "start", "end", "populators", "annotations",
                 "converters", "compiler")


def _marker(value):
    """A value standing in for ``value`` that no real parameter equals."""
    number = next(_markers)
    if isinstance(value, str):
        return f"\ue000compiled-marker-{number}\ue000"
    if isinstance(value, int) and not isinstance(value, bool):
        return -(2**31) + number  # within every integer column's range
    return None


def _compile(queryset, markers, db):
    """The entry of ``queryset`` built with ``markers``; None when its SQL cannot be reused."""
    if (queryset._iterable_class is not ModelIterable or queryset._prefetch_related_lookups
            or queryset._known_related_objects or queryset._fields is not None):
        return None
    compiler = queryset.query.get_compiler(using=db)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        return None
    slots = []
    for marker in markers:
        positions = [i for i, p in enumerate(params) if type(p) is type(marker) and p == marker]
        if len(positions) != 1:
            return None
        slots.append(positions[0])
    select, klass_info = compiler.select, compiler.klass_info
    fields = [s[0] for s in select[: compiler.col_count]]
    if compiler.has_composite_fields(fields):
        return None
    entry = _Entry()
    entry.sql, entry.params, entry.slots, entry.compiler = sql, tuple(params), tuple(slots), compiler
    entry.model = klass_info["model"]
    select_fields = klass_info["select_fields"]
    entry.start, entry.end = select_fields[0], select_fields[-1] + 1
    entry.init_list = [f[0].target.attname for f in select[entry.start : entry.end]]
    entry.populators = get_related_populators(klass_info, select, db)
    entry.annotations = tuple(compiler.annotation_col_map.items())
    entry.converters = compiler.get_converters(fields)
    return entry


def fetch(key, build, values, model):
    """Instances of ``model`` from ``build(*values)``, a queryset whose SQL
    depends on nothing but ``key`` and ``values`` (str or int, each a parameter
    of its own); compiled on the first call for ``key`` and reused after it, or
    a plain queryset when ``GRAPHQL_REUSE_SQL`` is off."""
    db = router.db_for_read(model)
    connection = connections[db]
    if not settings.GRAPHQL_REUSE_SQL or connection.vendor != "postgresql":
        # Elsewhere some filters read the database while they are built (reach).
        return list(build(*values))
    full_key = (db, key)
    entry = _entries.get(full_key)
    if entry is None:
        markers = [_marker(v) for v in values]
        entry = None if None in markers else _compile(build(*markers), markers, db)
        if entry is None:
            return list(build(*values))
        with _lock:
            if len(_entries) >= MAX_ENTRIES:
                _entries.clear()
            _entries[full_key] = entry
    params = list(entry.params)
    for slot, value in zip(entry.slots, values, strict=True):
        params[slot] = value
    with connection.cursor() as cursor:
        cursor.execute(entry.sql, params)
        rows = cursor.fetchall()
    if entry.converters:
        rows = entry.compiler.apply_converters(rows, entry.converters)
    out = []
    model_cls, init_list, start, end = entry.model, entry.init_list, entry.start, entry.end
    for row in rows:
        obj = model_cls.from_db(db, init_list, row[start:end])
        for populator in entry.populators:
            populator.populate(row, obj)
        for attr_name, position in entry.annotations:
            setattr(obj, attr_name, row[position])
        out.append(obj)
    return out


def clear():
    with _lock:
        _entries.clear()
