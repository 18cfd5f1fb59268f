"""Unchanged records skipped without reading them (PostgreSQL).

For each record of an editorial list it imports, a run remembers two digests
(``ImportedRecord``): the *record digest*, of the export record as written, keyed
with what reading it depended on (the importer's code, the stored rows of the lists
it refers to and which of their records this run refused), and the *row digest*,
of the row version the import left (its ``xmin``: any later UPDATE writes a new
version) and of its many-to-many links, computed by PostgreSQL. A later run that finds the same record digest over a row whose digest
is unchanged knows the verdict without reading, resolving or comparing: unchanged.
Anything else (the record, a record it refers to, the importer, an editor's edit,
a scheduled publication going live) falls back to reading and comparing it.

Other databases have no row digest here: every record is read and compared."""

import hashlib
import json
from functools import cache
from pathlib import Path

from django.db import connection, models

import content.services.html
from content.models import Brand, ChannelAccount, Organisation, Package
from media.models import LibraryImage

from .models import ImportedRecord

# The tables behind each list another list can refer to.
LIST_MODELS = {
    "organisations": Organisation,
    "brands": Brand,
    "channel_accounts": ChannelAccount,
    "packages": Package,
    "images": LibraryImage,
}
_ENCODER = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def enabled():
    return connection.vendor == "postgresql"


@cache
def _code_digest():
    """The importer's modules and the sanitizer: a deploy that changes how records are
    read invalidates every record digest (the next run compares everything once)."""
    digest = hashlib.blake2b(digest_size=16)
    for path in sorted(Path(__file__).parent.glob("*.py")) + [Path(content.services.html.__file__)]:
        digest.update(path.read_bytes())
    return digest.digest()


def _quote(name):
    return connection.ops.quote_name(name)


def _row_digest_sql(model, alias):
    """(joins, expression): SQL of the digest of a row of ``model`` (as ``alias``): its
    version and its many-to-many links (each table's links summed in one pass)."""
    opts = model._meta
    joins, parts = [], [f"{alias}.xmin::text"]
    # Forward links only (reverse ones are the other model's); tags are no ManyToManyField.
    for n, field in enumerate(f for f in opts.get_fields() if isinstance(f, models.ManyToManyField)):
        through = field.remote_field.through._meta
        source = _quote(through.get_field(field.m2m_field_name()).column)
        target = _quote(through.get_field(field.m2m_reverse_field_name()).column)
        joins.append(
            f"LEFT JOIN (SELECT {source} AS owner, count(*) || ':' || sum(hashint8({target})) AS links "
            f"FROM {_quote(through.db_table)} GROUP BY {source}) l{n} ON l{n}.owner = {alias}.{_quote(opts.pk.column)}"
        )
        parts.append(f"coalesce(l{n}.links, '')")
    return " ".join(joins), "md5(" + " || '|' || ".join(parts) + ")"


def _table_digest(model):
    opts = model._meta
    joins, row = _row_digest_sql(model, "m")
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT md5(coalesce(string_agg({row}, '' ORDER BY m.{_quote(opts.pk.column)}), '')) "
            f"FROM {_quote(opts.db_table)} m {joins}"
        )
        return cursor.fetchone()[0]


def fingerprint(ctx, list_name, depends_on):
    """The key of the list's record digests in this run: its name, the importer's code,
    and for each list in ``depends_on`` its stored rows and the records refused now."""
    digest = hashlib.blake2b(_code_digest(), digest_size=16)
    digest.update(list_name.encode())
    for name in depends_on:
        digest.update(f"|{name}|{_table_digest(LIST_MODELS[name])}|".encode())
        digest.update(repr(sorted(map(str, ctx.refused.get(name, ())))).encode())
    return digest.digest()


def record_digest(key, record):
    return hashlib.blake2b(_ENCODER.encode(record).encode(), digest_size=16, key=key).hexdigest()


def remembered(model, list_name):
    """{record: (record digest, pk, warnings)} of the records whose rows are as the import left them."""
    opts = model._meta
    table = ImportedRecord._meta.db_table
    joins, row = _row_digest_sql(model, "m")
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT r.record, r.digest, r.object_id, r.warnings FROM {_quote(table)} r "
            f"JOIN {_quote(opts.db_table)} m ON m.{_quote(opts.pk.column)} = r.object_id {joins} "
            f"WHERE r.list_name = %s AND r.row_digest = {row}",
            [list_name],
        )
        return {record: (digest, pk, _loaded(warnings)) for record, digest, pk, warnings in cursor.fetchall()}


def _loaded(warnings):
    # Django has psycopg hand jsonb over as text; nearly every record has none.
    if isinstance(warnings, str):
        return json.loads(warnings) if warnings != "[]" else []
    return warnings or []


def remember(model, list_name, items):
    """Store the digests of ``items`` (Planned, written or compared by this run) and of their rows now."""
    if not items:
        return
    opts = model._meta
    table = ImportedRecord._meta.db_table
    warnings = [json.dumps(item.warnings, ensure_ascii=False) for item in items]
    joins, row = _row_digest_sql(model, "m")
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {_quote(table)} (list_name, record, object_id, digest, row_digest, warnings) "
            f"SELECT %s, v.record, v.object_id, v.digest, {row}, v.warnings::jsonb "
            "FROM unnest(%s::text[], %s::bigint[], %s::text[], %s::text[]) AS v(record, object_id, digest, warnings) "
            f"JOIN {_quote(opts.db_table)} m ON m.{_quote(opts.pk.column)} = v.object_id {joins} "
            "ON CONFLICT (list_name, record) DO UPDATE SET object_id = EXCLUDED.object_id, digest = EXCLUDED.digest, "
            "row_digest = EXCLUDED.row_digest, warnings = EXCLUDED.warnings",
            [list_name, [item.record for item in items], [item.pk for item in items],
             [item.digest for item in items], warnings],
        )
