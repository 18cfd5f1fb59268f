"""A bench script's own PostgreSQL database beside DATABASE_URL's (its name and a
suffix), so what the script seeds or drops never touches the full-scale data the
other scripts load only into an empty database (`make bench`)."""

import os
import sys


def own(script, suffix, default="postgres://postgres@127.0.0.1:5432/cms_bench"):
    """(server URL, database name): DATABASE_URL's name with ``suffix`` (once)."""
    base = os.environ.get("DATABASE_URL", default)
    if not base.startswith("postgres"):
        sys.exit(f"{script} needs PostgreSQL: set DATABASE_URL=postgres://...")
    server, name = base.rsplit("/", 1)
    return server, name if name.endswith(suffix) else name + suffix


def admin_sql(server, sql, params=None):
    """``sql`` run on the server's maintenance database; its rows, if any."""
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        cursor = conn.execute(sql, params)
        return cursor.fetchall() if cursor.description else None


def create(server, name, fresh=False):
    """The database ``name`` made if missing (dropped first when ``fresh``)."""
    if fresh:
        drop(server, name)
    elif admin_sql(server, "SELECT 1 FROM pg_database WHERE datname = %s", [name]):
        return
    admin_sql(server, f'CREATE DATABASE "{name}"')


def drop(server, name):
    admin_sql(server, f'DROP DATABASE IF EXISTS "{name}"')
