"""Reused SQL as server-side prepared statements (api.prepared): prepared on its
second run on a connection and run by name after, the same rows, counted as any
query, and no other statement of the connection prepared."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from api import reused_sql
from content.models import Article
from tests.support.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def _prepared():
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


def _articles(code):
    return Article.objects.filter(code=code).values_list("code", flat=True)


def _codes(value):
    return reused_sql.fetch(("test_prepared",), _articles, [value], Article)


@pytest.fixture
def prepared_on(settings):
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    settings.GRAPHQL_REUSE_SQL = settings.GRAPHQL_PREPARE_SQL = True
    reused_sql.clear()
    yield
    reused_sql.clear()


def test_reused_sql_is_prepared_on_its_second_run_and_gives_each_values_rows(prepared_on, matrix):
    # given three articles
    for code in ("ART-A", "ART-B", "ART-C"):
        ArticleFactory(code=code, organisation=matrix["branch1"], channels=[])
    before = len(_prepared())
    # when the same reused read runs with one code, then another and a third (each counted as one query)
    first = _codes("ART-A")
    after_first = _prepared()[before:]
    with CaptureQueriesContext(connection) as queries:
        second, third = _codes("ART-B"), _codes("ART-C")
    # then each gives its own rows, the statement prepared on its second run and reused on its third
    assert (first, second, third) == (["ART-A"], ["ART-B"], ["ART-C"])
    assert len(queries) == 2
    assert after_first == []
    added = _prepared()[before:]
    assert len(added) == 1 and '"content_article"."code"' in added[0]


def test_other_queries_of_the_connection_are_not_prepared(prepared_on, matrix):
    # given a prepared reused read on the connection
    _codes("ART-A"), _codes("ART-A")
    before = _prepared()
    # when the ORM runs queries many times over
    for _ in range(8):
        list(_articles("ART-A"))
    # then none of them is prepared (Django's own cursors bind on the client)
    assert _prepared() == before


def test_off_sends_reused_sql_unprepared(prepared_on, settings, matrix):
    settings.GRAPHQL_PREPARE_SQL = False
    before = _prepared()
    assert _codes("ART-A") == _codes("ART-A") == [] and _prepared() == before
