"""Hot queries (single items, pages, change rows, batch loads, menus) compiled to
SQL once per process and shape.

Building and compiling a Django queryset costs more CPU than running it: the
reach and scope filters of a principal alone are a dozen lookups. A query whose
SQL depends only on a key (the principal's reach, the query's shape) and on a
few values is compiled once with marker values in their place; later calls put
the values in the parameters and build the rows as ``ModelIterable`` (or
``values()``/``values_list()``) does. The key must name everything the SQL
depends on besides those values.

Rebuilding the rows uses private parts of Django's query compiler (``select``,
``klass_info``, ``get_related_populators``, converters), checked against Django
``WRITTEN_FOR`` only: tests/graphql_api fail on another version until this module
is re-checked. ``GRAPHQL_REUSE_SQL = False`` sends every query through the ORM.

PostgreSQL spends more CPU parsing and planning such a statement than running it
(a menu's: 0.3 ms planning, 0.09 ms running), so each is prepared once per
connection (api.prepared) unless ``GRAPHQL_PREPARE_SQL`` is off."""

import threading
from itertools import count

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connections, router
from django.db.models.expressions import RawSQL
from django.db.models.query import (
    FlatValuesListIterable,
    ModelIterable,
    ValuesIterable,
    ValuesListIterable,
    get_related_populators,
)

from api import prepared

# The Django release whose private compiler API this module was checked against.
WRITTEN_FOR = (5, 2)
MAX_ENTRIES = 1024
_lock = threading.Lock()
_entries = {}
_markers = count(1)


class _Entry:
    __slots__ = ("sql", "params", "slots", "model", "init_list", "start", "end", "populators", "annotations",
                 "converters", "compiler", "shape", "names", "width")


# How rows come out of each kind of queryset: model instances, or what values(),
# values_list() and values_list(flat=True) give.
INSTANCES, DICTS, TUPLES, FLAT = "instances", "dicts", "tuples", "flat"
SHAPES = {ModelIterable: INSTANCES, ValuesIterable: DICTS, ValuesListIterable: TUPLES, FlatValuesListIterable: FLAT}


def _marker(value):
    """A value standing in for ``value`` that no real parameter equals."""
    number = next(_markers)
    if isinstance(value, list):
        return [-(2**31) + number]  # ids passed whole as one array (ids_in)
    if isinstance(value, str):
        return f"\ue000compiled-marker-{number}\ue000"
    if isinstance(value, int) and not isinstance(value, bool):
        return -(2**31) + number  # within every integer column's range
    return None


def _compile(queryset, markers, db):
    """The entry of ``queryset`` built with ``markers``; None when its SQL cannot be reused."""
    shape = SHAPES.get(queryset._iterable_class)
    if shape is None or queryset._prefetch_related_lookups or queryset._known_related_objects:
        return None
    if shape is INSTANCES and queryset._fields is not None:
        return None
    query = queryset.query
    compiler = query.get_compiler(using=db)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        return None
    slots = []
    for marker in markers:
        # A value may stand in several places (a code matched at each level of a tree).
        positions = tuple(i for i, p in enumerate(params) if type(p) is type(marker) and p == marker)
        if not positions:
            return None
        slots.append(positions)
    select, klass_info = compiler.select, compiler.klass_info
    fields = [s[0] for s in select[: compiler.col_count]]
    if compiler.has_composite_fields(fields):
        return None
    entry = _Entry()
    sql, params, slots = _with_constants_inlined(connections[db], sql, params, slots)
    entry.sql, entry.params, entry.slots, entry.compiler = sql, tuple(params), tuple(slots), compiler
    entry.shape, entry.width = shape, compiler.col_count
    entry.converters = compiler.get_converters(fields)
    if shape is DICTS:
        entry.names = list(query.selected) if query.selected else [
            *query.extra_select, *query.values_select, *query.annotation_select]
    if shape is not INSTANCES:
        return entry
    entry.model = klass_info["model"]
    select_fields = klass_info["select_fields"]
    entry.start, entry.end = select_fields[0], select_fields[-1] + 1
    entry.init_list = [f[0].target.attname for f in select[entry.start : entry.end]]
    entry.populators = get_related_populators(klass_info, select, db)
    entry.annotations = tuple(compiler.annotation_col_map.items())
    return entry


def _with_constants_inlined(connection, sql, params, slots):
    """(sql, params, slots) with every parameter but the slots written into the SQL as
    the literals psycopg's client-side binding sends anyway: a reach filter has a dozen
    constant parameters, each adapted again on every call otherwise. Unchanged when the
    driver binds on the server or the literals cannot be placed with certainty."""
    options = connection.settings_dict.get("OPTIONS") or {}
    if options.get("server_side_binding"):
        return sql, params, slots
    positions = sorted({position for found in slots for position in found})
    merged = list(params)
    for position in positions:
        merged[position] = f"\ue001slot-{position}\ue001"
    with connection.cursor() as cursor:
        mogrify = getattr(cursor.cursor, "mogrify", None)
        text = mogrify(sql, merged) if mogrify is not None else None
    if not isinstance(text, str):
        return sql, params, slots
    text = text.replace("%", "%%")
    for position in positions:
        literal = f"'\ue001slot-{position}\ue001'"
        if text.count(literal) != 1:
            return sql, params, slots
        text = text.replace(literal, "%s")
    index = {position: i for i, position in enumerate(positions)}
    return text, [params[p] for p in positions], [tuple(index[p] for p in found) for found in slots]


def fetch(key, build, values, model):
    """The rows of ``build(*values)`` (model instances, or what its values() or
    values_list() gives), a queryset of ``model`` whose SQL depends on nothing but
    ``key`` and ``values`` (str or int, each a parameter of its own); compiled on the
    first call for ``key`` and reused after it, or a plain queryset when
    ``GRAPHQL_REUSE_SQL`` is off."""
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
    for positions, value in zip(entry.slots, values, strict=True):
        for position in positions:
            params[position] = value
    with prepared.cursor(connection) as cursor:
        cursor.execute(entry.sql, params)
        rows = cursor.fetchall()
    if entry.converters:
        rows = entry.compiler.apply_converters(rows, entry.converters)
    shape = entry.shape
    if shape is FLAT:
        return [row[0] for row in rows]
    if shape is TUPLES:
        width = entry.width
        return [tuple(row[:width]) for row in rows]
    if shape is DICTS:
        names = entry.names
        return [dict(zip(names, row)) for row in rows]
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


def ids_in(ids, db="default"):
    """What ``pk__in=`` takes for a list of integer ids: on PostgreSQL one array
    parameter, so the SQL is the same for any number of ids and can be reused
    (``fetch`` takes the list as one value); elsewhere the list itself."""
    if connections[db].vendor != "postgresql":
        return ids
    return RawSQL("SELECT unnest(%s::bigint[])", [ids])


class Reusable:
    """A queryset named by ``key`` and ``values`` as ``fetch`` takes them, handed to
    a reader that narrows it further (api.pagination) and may reuse its SQL; built
    only when asked for (``queryset``)."""

    def __init__(self, key, build, values, model):
        self.key, self.build, self.values, self.model = key, build, list(values), model
        self._queryset = None

    @property
    def queryset(self):
        if self._queryset is None:
            self._queryset = self.build(*self.values)
        return self._queryset

    def fetch(self, key, narrow, values):
        """The rows of ``narrow(queryset, *values)``, its SQL named by ``key`` besides this one's."""
        count = len(self.values)

        def build(*all_values):
            return narrow(self.build(*all_values[:count]), *all_values[count:])

        return fetch((self.key, key), build, [*self.values, *values], self.model)


def clear():
    with _lock:
        _entries.clear()
