"""A published news group (图文组合) reaches its organisation's official account in
the change feed and the bundle, naming its articles in message order; a sibling
branch's account never sees it."""

import pytest

from content.models import NewsGroup, NewsGroupEntry
from publishing.changes.models import Change
from publishing.changes.services import build_bundle
from tests.support.content import publish
from tests.support.factories import ArticleFactory

pytestmark = pytest.mark.django_db

CHANGES = """{ changes(account: "%s", since: 0) { edges { node { kind code action
  item { ... on NewsGroup { code title articles } } } } } }"""


def published_group(matrix):
    first = ArticleFactory(code="ART-XA-1", organisation=matrix["branch1"])
    second = ArticleFactory(code="ART-XA-2", organisation=matrix["branch1"])
    group = NewsGroup.objects.create(code="GRP-XA", title="五一专题", organisation=matrix["branch1"])
    NewsGroupEntry.objects.create(group=group, article=second, sort_order=0)
    NewsGroupEntry.objects.create(group=group, article=first, sort_order=1)
    return publish(group)


def test_the_change_feed_carries_the_group_with_its_articles_in_order(matrix, branch1_api, branch2_api):
    published_group(matrix)
    assert sorted(Change.objects.filter(kind="news_group").values_list("account__code", "action")) == [
        ("wx-sx-01", "upsert")
    ]
    edges = branch1_api.data(CHANGES % "wx-sx-01")["changes"]["edges"]
    [node] = [e["node"] for e in edges if e["node"]["kind"] == "NEWS_GROUP"]
    assert node["item"] == {"code": "GRP-XA", "title": "五一专题", "articles": ["ART-XA-2", "ART-XA-1"]}
    edges = branch2_api.data(CHANGES % "wx-sx-02")["changes"]["edges"]
    assert [e for e in edges if e["node"]["kind"] == "NEWS_GROUP"] == []


def test_the_bundle_of_the_official_account_carries_the_group(matrix):
    published_group(matrix)
    assert build_bundle(matrix["account_branch1"])["newsGroups"] == [
        {"code": "GRP-XA", "title": "五一专题", "articles": ["ART-XA-2", "ART-XA-1"]}
    ]
    assert build_bundle(matrix["account_branch2"])["newsGroups"] == []
