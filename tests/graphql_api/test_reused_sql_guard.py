"""api/reused_sql.py leans on Django's private query compiler: its tests fail on a
Django it was not checked against, and the setting that turns it off gives the same
answers through the ORM."""

import django
import pytest

from api import reused_sql
from tests.support.factories import ArticleFactory, PackageFactory

QUERY = "query($c: String!) { article(code: $c) { code title relatedPackages { code name } } }"


@pytest.fixture(autouse=True)
def fresh_entries():
    reused_sql.clear()
    yield
    reused_sql.clear()


def test_reused_sql_was_checked_against_this_django_version():
    assert django.VERSION[:2] == reused_sql.WRITTEN_FOR == (5, 2), (
        f"Django {django.get_version()} is not the {'.'.join(map(str, reused_sql.WRITTEN_FOR))}.x that "
        "api/reused_sql.py was written against: re-check it (Query compiler select/klass_info, "
        "get_related_populators, converters, Model.from_db) with GRAPHQL_REUSE_SQL on and off, then "
        "update WRITTEN_FOR"
    )


def test_reuse_is_on_by_default_on_postgresql(settings):
    from django.db import connection

    assert settings.GRAPHQL_REUSE_SQL == (connection.vendor == "postgresql")


@pytest.mark.django_db
def test_with_reuse_off_the_same_answers_come_through_the_orm(matrix, branch1_api, branch2_api, settings):
    # given two articles of SX-01 with related packages
    p1 = PackageFactory(code="PKG-A", organisation=matrix["branch1"], published=True)
    p2 = PackageFactory(code="PKG-B", organisation=matrix["branch1"], published=True)
    ArticleFactory(code="ART-A", organisation=matrix["branch1"], channels=[], related_packages=[p1, p2], published=True)
    ArticleFactory(code="ART-B", organisation=matrix["branch1"], channels=[], related_packages=[p2], published=True)
    reads = [(api, code) for api in (branch1_api, branch2_api) for code in ("ART-A", "ART-B", "ART-A", "NONE")]
    settings.GRAPHQL_REUSE_SQL = True
    reused = [api.data(QUERY, {"c": code}) for api, code in reads]
    assert reused_sql._entries, "the reuse path was not taken: the comparison below would prove nothing"
    reused_sql.clear()
    # when the operator turns reuse off
    settings.GRAPHQL_REUSE_SQL = False
    plain = [api.data(QUERY, {"c": code}) for api, code in reads]
    # then the answers are the same and nothing was compiled
    assert plain == reused
    assert plain[0]["article"]["relatedPackages"] and plain[4]["article"] is None
    assert not reused_sql._entries
