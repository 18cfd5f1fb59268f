"""Drop the article trigram indexes of 0009: no query uses them.

The admin's article search (content.views.library, ``search_backend_name = None``)
ORs ``icontains`` over title, code, digest and author; author has no index, so
PostgreSQL cannot combine the others (BitmapOr) and scans the table. The API search
narrows articles by the bigram index of 0014 first (EXPLAIN: Bitmap Index Scan on
article_search_bigrams, the ``icontains`` as a filter). Every article write still
paid for the three indexes. The SMS template trigram indexes stay: the admin's
template search (code, text) and the suggestions' command prefix use them."""

from importlib import import_module

from django.db import migrations

trigram = import_module("content.migrations.0009_search_trigram_indexes")

ARTICLE_COLUMNS = [(t, c) for t, c in trigram.SEARCHED_COLUMNS if t == "content_article"]


class Migration(migrations.Migration):
    dependencies = [("content", "0014_search_bigram_indexes")]

    operations = [
        trigram.OnPostgres(
            [f'DROP INDEX IF EXISTS "{trigram.index_name(t, c)}"' for t, c in ARTICLE_COLUMNS],
            [
                f'CREATE INDEX IF NOT EXISTS "{trigram.index_name(t, c)}" ON "{t}" USING gin (UPPER("{c}"::text) gin_trgm_ops)'
                for t, c in ARTICLE_COLUMNS
            ],
        ),
    ]
