"""Hot queries run a fixed number of SQL queries whatever the size of the answer
(prefetching and per-page batch loading); the counts are pinned here."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from api import persisted
from tests.support.api import BUDGET_QUERIES, Api, make_api_client
from tests.support.content import bind_command
from tests.support.factories import ArticleFactory, AutoReplyFactory, PackageFactory, SmsTemplateFactory

pytestmark = pytest.mark.django_db

# Per request without the shared cache: token with service user and client (1), the
# client's organisation scope (1, none for the province, which sees everything), its
# accounts (1) and the organisation tree (1). With Redis the principal is cached and
# these are 0 (test_http_cache). Each also counts the time budget's statements.
AUTH = 4 + BUDGET_QUERIES
AUTH_PROVINCE = 3 + BUDGET_QUERIES


def count(api, name, variables):
    query = persisted.by_name(name)
    api.post(query.text, variables)  # the token's last use is recorded once a minute, not per request
    with CaptureQueriesContext(connection) as captured:
        status, payload = api.post(query.text, variables)
    assert status == 200 and "errors" not in payload, payload
    return len(captured.captured_queries), payload["data"]


def counts_for(api, name, variables, grow, small=3, large=30):
    grow(0, small)
    few, data_few = count(api, name, variables)
    grow(small, large)
    many, data_many = count(api, name, variables)
    return few, many, data_few, data_many


def test_package_list_for_a_brand_in_a_branch(matrix, province_api):
    def grow(start, stop):
        for i in range(start, stop):
            PackageFactory(code=f"PKG-{i:03d}", organisation=matrix["branch1"], brands=["gotone", "mzone"],
                           published=True)

    few, many, _, data = counts_for(province_api, "web_packages", {"brand": "gotone", "organisation": "SX-01", "first": 50}, grow)
    assert len(data["packages"]["edges"]) == 30
    # packages (scope, reach, brand and branch with its ancestors are subqueries), then
    # the brand pairs and the brands (sale organisations are not asked for, so not loaded)
    assert few == many == AUTH_PROVINCE + 3


def test_changes_page_with_items(matrix, sms_accounts):
    _, token = make_api_client("短厅", matrix["branch1"], [sms_accounts["branch1"]])
    api = Api(token)

    def grow(start, stop):
        for i in range(start, stop):
            template = SmsTemplateFactory(code=f"TPL-{i:03d}", organisation=matrix["branch1"], brands=["gotone"],
                                          published=True)
            if i % 3 == 0:
                bind_command(sms_accounts["branch1"], f"C{i:03d}", template)
            if i % 5 == 0:
                PackageFactory(code=f"PKG-{i:03d}", organisation=matrix["branch1"], published=True)

    few, many, _, data = counts_for(api, "sms_changes", {"account": "sms-sx-01", "since": 0, "first": 500}, grow)
    assert len(data["changes"]["edges"]) == 30 + 10 + 6
    # the shared release lock (a page never holds half a release), changes page, current
    # version, and per kind on the page: templates (+2 for their brands), commands,
    # packages (+2 for brands: the query asks brands of templates)
    assert few == many == AUTH + 10


def test_sms_template_page(matrix, sms_accounts):
    _, token = make_api_client("短厅", matrix["branch1"], [sms_accounts["branch1"]])
    api = Api(token)

    def grow(start, stop):
        for i in range(start, stop):
            SmsTemplateFactory(code=f"TPL-{i:03d}", organisation=matrix["branch1"], brands=["gotone"],
                               commands=[f"C{i}"], published=True)

    few, many, _, data = counts_for(api, "sms_templates", {"account": "sms-sx-01", "first": 100}, grow)
    assert len(data["smsTemplates"]["edges"]) == 30
    assert few == many == AUTH + 3  # templates, brand pairs, brands


def test_article_with_cover_and_related_packages(matrix, province_api):
    packages = [PackageFactory(code=f"PKG-{i:03d}", organisation=matrix["province"], sale_orgs=[matrix["province"]],
                               published=True) for i in range(20)]
    ArticleFactory(code="ART-FEW", organisation=matrix["province"], channels=[], related_packages=packages[:2],
                   published=True)
    ArticleFactory(code="ART-MANY", organisation=matrix["province"], channels=[], related_packages=packages,
                   published=True)
    query = ('query($c: String!) { article(code: $c) { code title coverImage { url } relatedPackages { code brands { code } } } }')

    def run(code):
        with CaptureQueriesContext(connection) as captured:
            data = province_api.data(query, {"c": code})
        return len(captured.captured_queries), data

    run("ART-FEW")
    few, _ = run("ART-FEW")
    many, data = run("ART-MANY")
    assert len(data["article"]["relatedPackages"]) == 20
    # article (cover and organisation joined), its related packages (one query), then
    # pairs and rows of their brands
    assert few == many == AUTH_PROVINCE + 4


def test_keyword_replies_page(matrix, branch1_api):
    def grow(start, stop):
        article = ArticleFactory(code=f"ART-R{start}", organisation=matrix["branch1"], channels=[], published=True)
        for i in range(start, stop):
            AutoReplyFactory(account=matrix["account_branch1"], keyword=f"关键词{i}", reply_type="article",
                             reply_article=article, published=True)

    few, many, _, data = counts_for(branch1_api, "wechat_keyword_replies", {"account": "wx-sx-01", "first": 100}, grow)
    assert len(data["keywordReplies"]["edges"]) == 30
    # the shared rules in force (account, organisation tree, rules: three queries), then
    # the page of replies with account, article and image joined
    assert few == many == AUTH + 4
