"""What a release's checks read, and whether any of it changed since they passed:
the validation stamp (issue #18, go-live lead time).

The full checks (releases.validation.violations) of a release holding the 2,000-node
SMS menu and a WeChat menu rolled out to 30 accounts cost ~0.6 s of CPU and ~700
queries. They run when the release is approved; when it comes due, and again inside
the go-live transaction for its menus, they need not run again unless something they
read has changed. ``noting_tables`` notes every table the checks' SQL reads (each
FROM and JOIN); the stamp is, per table, its row count and the sum of a hash of each
row version's (ctid, xmin): any insert, update or delete, by anyone, moves it (an
update writes a new row version in a new place). Revisions are left out: the checks
read pinned ones by id and a revision never changes; so are content types, and the
releases' own rows (the release's state is checked apart, and approving writes it).

A moved stamp means the full checks run again, never the other way round: on a busy
day (an editor saving any SMS template) the due-time run pays the full checks, as
before. Only PostgreSQL has a stamp; elsewhere the full checks always run."""

import hashlib
import re
from contextlib import contextmanager

from django.db import connection

_TABLE = re.compile(r'(?:FROM|JOIN)\s+"(\w+)"')
# Immutable once written (read by id), static, or the releases' own rows (their state
# is checked apart; approving and going live write them).
UNSTAMPED = frozenset({"wagtailcore_revision", "django_content_type", "releases_release"})


@contextmanager
def noting_tables():
    """Collect the tables the block's SQL reads into the yielded set."""
    tables = set()

    def note(execute, sql, params, many, context):
        tables.update(_TABLE.findall(sql))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(note):
        yield tables


def stamp(tables):
    """{"tables": [...], "stamp": hex} of ``tables`` as they stand, or None (no stamp:
    not PostgreSQL, or nothing to stamp)."""
    if connection.vendor != "postgresql":
        return None
    known = set(connection.introspection.table_names())
    names = sorted(t for t in set(tables) - UNSTAMPED if t in known)
    if not names:
        return None
    sql = " UNION ALL ".join(
        f"SELECT %s, count(*), coalesce(sum(hashtext(ctid::text || ':' || xmin::text)), 0) FROM \"{name}\""
        for name in names
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, names)
        rows = sorted(cursor.fetchall())
    digest = hashlib.sha256(repr(rows).encode()).hexdigest()
    return {"tables": names, "stamp": digest}


def unchanged(recorded):
    """True when a stamp recorded earlier (``stamp``'s result) still holds."""
    if not recorded or not recorded.get("tables"):
        return False
    now = stamp(recorded["tables"])
    return now is not None and now["stamp"] == recorded.get("stamp")
