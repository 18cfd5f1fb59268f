"""Bigram indexes for the API's search (content/search/): pg_trgm keeps only
alphanumeric words and a two-character text has no trigram, so the trigram indexes
of 0009 serve no Chinese search of two characters and PostgreSQL read all 18,000 SMS
templates. Here ``content_search_grams`` gives the distinct two-character grams of
the upper-cased searched columns of a row, and one GIN index per searched table holds
them: a search asks for rows whose grams contain every gram of its text (``@>``), then
rechecks the exact substring on those few.

The index is on an expression, so PostgreSQL computes it on every write (save,
publish, bulk_create, COPY of the importer) and CREATE INDEX fills it for the rows
already there: no column or code to keep up to date. The columns and expressions must
stay those of content.search.services (``Searched.columns``, ``grams_of``);
tests/graphql_api/test_search.py asserts the plans use these indexes.
PostgreSQL only: SQLite, the embedded default, scans."""

from importlib import import_module

from django.db import migrations

# RunSQL that SQLite skips, as the trigram indexes do.
OnPostgres = import_module("content.migrations.0009_search_trigram_indexes").OnPostgres

# The function is IMMUTABLE (a pure function of its arguments) so it can be indexed;
# grams are never split across two columns: each text is cut on its own.
GRAMS = """
CREATE OR REPLACE FUNCTION content_search_grams(VARIADIC texts text[]) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(DISTINCT substr(t, i, 2)), '{}')
  FROM unnest(texts) AS t, generate_series(1, length(t) - 1) AS i
$$
"""

# (table, columns in content.search.services order: code, title, more, command)
DOCUMENTS = (
    ("content_article", ("code", "title", "digest")),
    ("content_package", ("code", "name", "family", "order_command")),
    ("content_business", ("code", "name", "kind", "order_command")),
    ("content_smstemplate", ("code", "text", "commands")),
)


def index_name(table):
    return f"{table.removeprefix('content_')}_search_bigrams"


def create_index(table, columns):
    expression = ", ".join(f'UPPER(("{column}")::text)' for column in columns)
    return f'CREATE INDEX IF NOT EXISTS "{index_name(table)}" ON "{table}" USING gin (content_search_grams({expression}))'


class Migration(migrations.Migration):
    dependencies = [("content", "0013_template_ids_obtained")]

    operations = [
        OnPostgres(
            [GRAMS, *(create_index(t, c) for t, c in DOCUMENTS), *(f'ANALYZE "{t}"' for t, _c in DOCUMENTS)],
            [*(f'DROP INDEX IF EXISTS "{index_name(t)}"' for t, _c in DOCUMENTS),
             "DROP FUNCTION IF EXISTS content_search_grams(VARIADIC text[])"],
        ),
    ]
