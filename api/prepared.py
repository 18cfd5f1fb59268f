"""Statements PostgreSQL parses and plans once per connection: the hot reads whose
SQL is compiled once per process (api.reused_sql) run as server-side prepared
statements, their values bound by the server. A statement is prepared the second
time it runs on a connection: one that runs once (a reach seen once) is not, so
the connection's statements (psycopg keeps at most ``prepared_max``, 100, and
deallocates the oldest) are not churned by one-off ones.

Django turns psycopg's prepared statements off (``prepare_threshold`` None) so that
connection poolers in transaction mode keep working, and binds values on the
client, which never prepares. Only the cursors made here prepare, and only their
statements: the threshold is lifted for each of their executions alone, so every
other query of the connection runs as before. ``GRAPHQL_PREPARE_SQL = False`` (behind
a pooler that does not keep prepared statements, e.g. PgBouncer before 1.21 in
transaction mode) sends them as every other query."""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

try:
    from django.db.backends.postgresql.base import ServerBindingCursor
except (ImportError, ImproperlyConfigured):  # no psycopg 3 installed
    ServerBindingCursor = None

# Runs of a statement on a connection before it is prepared (psycopg's prepare_threshold).
RUNS_BEFORE_PREPARED = 1


def cursor(connection):
    """A cursor of ``connection`` (a Django connection) whose statements are prepared:
    made by Django's own cursor() (health check, time zone, wrapper), so query logging,
    execute_wrapper and assertNumQueries see them as any other."""
    if ServerBindingCursor is None or connection.vendor != "postgresql" or not settings.GRAPHQL_PREPARE_SQL:
        return connection.cursor()
    connection.ensure_connection()
    driver = connection.connection
    factory = driver.cursor_factory
    # psycopg makes the connection's cursors with this class: only for this one.
    driver.cursor_factory = PreparingCursor
    try:
        return connection.cursor()
    finally:
        driver.cursor_factory = factory


if ServerBindingCursor is not None:

    class PreparingCursor(ServerBindingCursor):
        """psycopg's server-binding cursor preparing a statement on its second run on
        the connection (psycopg counts the runs and keeps the names)."""

        def execute(self, query, params=None, *, prepare=None, binary=None):
            driver = self.connection
            threshold = driver.prepare_threshold
            # Only while this statement runs: Django's cursors keep theirs (None, never).
            driver.prepare_threshold = RUNS_BEFORE_PREPARED
            try:
                return super().execute(query, params, prepare=prepare, binary=binary)
            finally:
                driver.prepare_threshold = threshold
