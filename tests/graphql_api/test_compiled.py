"""Reads through SQL compiled once per reach and shape (api.reused_sql): the
same answers as a fresh queryset, values put in their place, reach kept apart."""

import pytest

from api import reused_sql as compiled
from content.models import Article
from tests.support.api import Api, make_api_client
from tests.support.factories import ArticleFactory, PackageFactory, SmsTemplateFactory

pytestmark = pytest.mark.django_db

QUERY = "query($c: String!) { article(code: $c) { code relatedPackages { code } } }"


@pytest.fixture(autouse=True)
def fresh_entries():
    compiled.clear()
    yield
    compiled.clear()


def test_article_by_code_reuses_its_sql_with_each_code(matrix, branch1_api):
    # given two articles of SX-01 with different related packages
    p1, p2 = PackageFactory(code="PKG-A", organisation=matrix["branch1"], published=True), PackageFactory(code="PKG-B", organisation=matrix["branch1"], published=True)
    ArticleFactory(code="ART-A", organisation=matrix["branch1"], channels=[], related_packages=[p1], published=True)
    ArticleFactory(code="ART-B", organisation=matrix["branch1"], channels=[], related_packages=[p2], published=True)
    # when the front end reads one, then the other (the second from the compiled SQL)
    first = branch1_api.data(QUERY, {"c": "ART-A"})["article"]
    second = branch1_api.data(QUERY, {"c": "ART-B"})["article"]
    # then each answer is its own article's
    assert first == {"code": "ART-A", "relatedPackages": [{"code": "PKG-A"}]}
    assert second == {"code": "ART-B", "relatedPackages": [{"code": "PKG-B"}]}
    assert len(compiled._entries) == 2


def test_compiled_article_of_one_branch_stays_hidden_from_its_sibling(matrix, branch1_api, branch2_api):
    # given an article of SX-01 that SX-01's front end has read (its SQL compiled)
    package = PackageFactory(code="PKG-A", organisation=matrix["branch1"], published=True)
    ArticleFactory(code="ART-A", organisation=matrix["branch1"], channels=[], related_packages=[package],
                   published=True)
    assert branch1_api.data(QUERY, {"c": "ART-A"})["article"]["code"] == "ART-A"
    # when SX-02's front end asks for it
    data = branch2_api.data(QUERY, {"c": "ART-A"})
    # then it gets nothing: its reach compiles SQL of its own
    assert data["article"] is None


def test_unpublished_related_package_leaves_the_compiled_list(matrix, branch1_api):
    # given an article with two related packages, read once
    p1, p2 = PackageFactory(code="PKG-A", organisation=matrix["branch1"], published=True), PackageFactory(code="PKG-B", organisation=matrix["branch1"], published=True)
    ArticleFactory(code="ART-A", organisation=matrix["branch1"], channels=[], related_packages=[p1, p2], published=True)
    assert len(branch1_api.data(QUERY, {"c": "ART-A"})["article"]["relatedPackages"]) == 2
    # when one package is unpublished
    p2.unpublish()
    # then the next read lists only the other
    assert branch1_api.data(QUERY, {"c": "ART-A"})["article"]["relatedPackages"] == [{"code": "PKG-A"}]


def test_query_whose_markers_cannot_be_placed_runs_uncompiled(matrix):
    # given a queryset that ignores the value it is built with
    article = ArticleFactory(code="ART-A", organisation=matrix["branch1"], channels=[], published=True)

    def build(code):
        return Article.objects.filter(code="ART-A")

    # when it is fetched through the compiled path
    rows = compiled.fetch(("test", "ignores-value"), build, ["ART-B"], Article)
    # then it ran as a plain queryset and nothing was kept
    assert [a.pk for a in rows] == [article.pk]
    assert not compiled._entries


PACKAGES = """query($b: String, $o: String, $n: Int, $a: String) {
  packages(brand: $b, organisation: $o, first: $n, after: $a) {
    edges { node { code brands { code } } } pageInfo { hasNextPage endCursor } totalCount } }"""
CHANGES = """query($acc: String!, $since: BigInt!, $a: String) { changes(account: $acc, since: $since, first: 4, after: $a) {
  currentVersion edges { node { code item { ... on SmsTemplate { code brands { code } } } } } pageInfo { endCursor } } }"""


def test_pages_and_the_change_feed_read_through_compiled_sql_answer_as_the_orm(matrix, sms_accounts, settings):
    # given packages of two branches and brands, and SMS templates in the feed of the province's SMS hall
    for code, org, brands in [("PKG-A", "branch1", ["gotone"]), ("PKG-B", "branch1", ["mzone"]),
                              ("PKG-C", "branch2", ["gotone"]), ("PKG-D", "province", []),
                              ("PKG-E", "branch1", ["gotone", "mzone"])]:
        PackageFactory(code=code, organisation=matrix[org], brands=brands, published=True)
    for code in ("TPL-1", "TPL-2", "TPL-3"):
        SmsTemplateFactory(code=code, organisation=matrix["branch1"], brands=["gotone"], published=True)
    _, token = make_api_client("省短厅", matrix["province"], [sms_accounts["province"], matrix["account_branch1"]])
    api = Api(token)

    def reads():
        out = []
        for variables in ({"b": "gotone", "o": "SX-01", "n": 1}, {"b": "mzone", "o": "SX-01-01", "n": 5},
                          {"o": "SX-02", "n": 5}, {"b": "nobrand", "n": 5}, {"n": 2}):
            page = api.data(PACKAGES, variables)["packages"]
            out.append(page)
            if page["pageInfo"]["hasNextPage"]:
                out.append(api.data(PACKAGES, {**variables, "a": page["pageInfo"]["endCursor"]})["packages"])
        feed = api.data(CHANGES, {"acc": "sms-sx", "since": 0})["changes"]
        out += [feed, api.data(CHANGES, {"acc": "sms-sx", "since": 0, "a": feed["pageInfo"]["endCursor"]})["changes"]]
        return out

    # when the same reads go through compiled SQL, then through the ORM
    settings.GRAPHQL_REUSE_SQL = True
    compiled.clear()
    reused = reads()
    assert compiled._entries, "the reuse path was not taken"
    settings.GRAPHQL_REUSE_SQL = False
    plain = reads()
    # then the answers are the same, and they are the expected ones
    assert reused == plain
    assert [e["node"]["code"] for e in plain[0]["edges"] + plain[1]["edges"]] == ["PKG-A", "PKG-D"]
    templates = [e["node"]["item"] for page in plain[-2:] for e in page["edges"] if e["node"]["code"].startswith("TPL")]
    assert templates and all(item["brands"] == [{"code": "gotone"}] for item in templates)
