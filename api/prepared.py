"""Statements PostgreSQL parses and plans once per connection: the hot reads whose
SQL is compiled once per process (api.reused_sql) run as server-side prepared
statements, their values bound by the server.

Django turns psycopg's prepared statements off (``prepare_threshold`` None) so that
connection poolers in transaction mode keep working, and binds values on the
client, which never prepares. Only the cursors made here prepare, and only their
statements: the threshold is lifted for each of their executions alone, so every
other query of the connection runs as before. ``GRAPHQL_PREPARE_SQL = False`` (behind
a pooler that does not keep prepared statements, e.g. PgBouncer before 1.21 in
transaction mode) sends them as every other query."""

import sys

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

try:
    from django.db.backends.postgresql.base import ServerBindingCursor
except (ImportError, ImproperlyConfigured):  # no psycopg 3 installed
    ServerBindingCursor = None


def cursor(connection):
    """A cursor of ``connection`` (a Django connection) whose statements are prepared:
    Django's own cursor wrapper around it, so query logging, execute_wrapper and
    assertNumQueries see them as any other."""
    if ServerBindingCursor is None or connection.vendor != "postgresql" or not settings.GRAPHQL_PREPARE_SQL:
        return connection.cursor()
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    with connection.wrap_database_errors:
        # Django's private step from a driver cursor to its wrapper (BaseDatabaseWrapper._cursor).
        return connection._prepare_cursor(PreparingCursor(connection.connection))


if ServerBindingCursor is not None:

    class PreparingCursor(ServerBindingCursor):
        """psycopg's server-binding cursor preparing every statement it executes on its
        first run on the connection (psycopg keeps the names, at most ``prepared_max``)."""

        def execute(self, query, params=None, *, prepare=None, binary=None):
            driver = self.connection
            threshold = driver.prepare_threshold
            if threshold is None:
                # Prepare nothing unless asked; only while this statement runs.
                driver.prepare_threshold = sys.maxsize
            try:
                return super().execute(query, params, prepare=True, binary=binary)
            finally:
                driver.prepare_threshold = threshold
