"""Trigram indexes for the API's search (content/search/): Chinese has no spaces, so
words cannot be indexed; pg_trgm indexes every three characters and serves the
``icontains`` the search runs (``UPPER(col::text) LIKE UPPER('%…%')``, the SQL Django
writes). PostgreSQL only: SQLite, the embedded default, scans."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

# (table, column) pairs content.search.services matches; the expression is Django's icontains.
SEARCHED_COLUMNS = (
    ("content_article", "code"), ("content_article", "title"), ("content_article", "digest"),
    ("content_package", "code"), ("content_package", "name"), ("content_package", "family"),
    ("content_package", "order_command"),
    ("content_business", "code"), ("content_business", "name"), ("content_business", "kind"),
    ("content_business", "order_command"),
    ("content_smstemplate", "code"), ("content_smstemplate", "commands"), ("content_smstemplate", "text"),
)


def index_name(table, column):
    return f"{table.removeprefix('content_')}_{column}_trgm"


class OnPostgres(migrations.RunSQL):
    """RunSQL that SQLite skips (it has neither GIN nor pg_trgm)."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    dependencies = [("content", "0008_revision_scheduled_index")]

    operations = [
        TrigramExtension(),
        OnPostgres(
            [
                f'CREATE INDEX IF NOT EXISTS "{index_name(t, c)}" ON "{t}" USING gin (UPPER("{c}"::text) gin_trgm_ops)'
                for t, c in SEARCHED_COLUMNS
            ],
            [f'DROP INDEX IF EXISTS "{index_name(t, c)}"' for t, c in SEARCHED_COLUMNS],
        ),
    ]
