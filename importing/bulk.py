"""Bulk writes Django's ORM lacks a fast path for on PostgreSQL: primary keys handed
out before an insert (so rows are inserted complete, never updated after), and
an UPDATE of many rows with different values in one statement. Other databases
(SQLite for the local demo) take Django's generic paths."""

import datetime
import json
import uuid

from django.db import connection, models

from .indexing import BATCH, chunks

# Python values psycopg adapts exactly as Django's get_db_prep_save would hand them
# over on PostgreSQL; anything else (JSON, decimals, naive datetimes...) goes through
# the field. Spares a million method calls on a full import.
PLAIN = {str, int, bool, type(None), datetime.date, uuid.UUID}
FIELD_PREPARED = (models.JSONField, models.DecimalField, models.BinaryField)


def _preparer(field):
    if isinstance(field, models.JSONField):
        # COPY reads JSON as text: encoded here as Django's adapter would encode it
        # (json.dumps with the field's encoder; None is SQL NULL), without wrapping
        # every value in an adapter object first.
        encoder = field.encoder
        return lambda value: None if value is None else json.dumps(value, cls=encoder)
    if isinstance(field, FIELD_PREPARED):
        return lambda value: field.get_db_prep_save(value, connection)

    def prepare(value):
        kind = type(value)
        if kind in PLAIN or (kind is datetime.datetime and value.tzinfo is not None):
            return value
        return field.get_db_prep_save(value, connection)

    return prepare


def reserve_pks(model, count):
    """``count`` primary keys from the table's sequence, or None when the database
    cannot hand them out ahead (then insert first and update after)."""
    if connection.vendor != "postgresql" or count == 0:
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [model._meta.db_table, model._meta.pk.column, count],
        )
        return [row[0] for row in cursor.fetchall()]


def update_rows(model, objs, field_names):
    """Save ``field_names`` of ``objs`` (existing rows): one statement per thousand rows."""
    objs = list(objs)
    if not objs or not field_names:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_update(objs, field_names, batch_size=BATCH)
        return
    opts = model._meta
    fields = [opts.get_field(name) for name in field_names]
    quote = connection.ops.quote_name
    pk = opts.pk
    columns = [pk.column] + [f.column for f in fields]
    casts = [pk.cast_db_type(connection)] + [f.cast_db_type(connection) for f in fields]
    row_sql = "(" + ", ".join(f"%s::{cast}" for cast in casts) + ")"
    assignments = ", ".join(f"{quote(f.column)} = v.{quote(f.column)}" for f in fields)
    for chunk in chunks(objs, BATCH):
        params = []
        for obj in chunk:
            params.append(pk.get_db_prep_save(obj.pk, connection))
            for f in fields:
                params.append(f.get_db_prep_save(f.pre_save(obj, False), connection))
        sql = (
            f"UPDATE {quote(opts.db_table)} AS t SET {assignments} "
            f"FROM (VALUES {', '.join([row_sql] * len(chunk))}) AS v({', '.join(quote(c) for c in columns)}) "
            f"WHERE t.{quote(pk.column)} = v.{quote(pk.column)}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)


def insert_rows(model, objs):
    """Insert ``objs`` as new rows. On PostgreSQL through COPY, with the primary
    keys the objects carry (from ``reserve_pks``) or, when they carry none, the
    table's own; elsewhere through ``bulk_create``."""
    objs = list(objs)
    if not objs:
        return objs
    if connection.vendor != "postgresql":
        return model.objects.bulk_create(objs, batch_size=BATCH)
    opts = model._meta
    with_pk = objs[0].pk is not None
    fields = [f for f in opts.concrete_fields if with_pk or not f.primary_key]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    preparers = [(f, _preparer(f)) for f in fields]
    with connection.cursor() as cursor, connection.wrap_database_errors:
        with cursor.cursor.copy(f"COPY {quote(opts.db_table)} ({columns}) FROM STDIN") as copy:
            for obj in objs:
                copy.write_row([prepare(f.pre_save(obj, True)) for f, prepare in preparers])
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias
    return objs


def insert_values(model, names, rows):
    """Insert plain rows (sequences of values for the fields ``names``, foreign keys
    given as ids) without building model instances: COPY on PostgreSQL."""
    rows = list(rows)
    if not rows:
        return
    opts = model._meta
    fields = [opts.get_field(name) for name in names]
    if connection.vendor != "postgresql":
        attnames = [f.attname for f in fields]
        model.objects.bulk_create([model(**dict(zip(attnames, row, strict=True))) for row in rows], batch_size=BATCH)
        return
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    preparers = [_preparer(f) for f in fields]
    with connection.cursor() as cursor, connection.wrap_database_errors:
        with cursor.cursor.copy(f"COPY {quote(opts.db_table)} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([prepare(v) for prepare, v in zip(preparers, row, strict=True)])
