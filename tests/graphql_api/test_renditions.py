"""Renditions through GraphQL: an article with its mini-program rendition (the hot
read of the mini-program), SMS template renditions, in a fixed number of queries."""

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from api import persisted
from renditions.images import prepare_renditions
from tests.support.api import Api, error_codes, make_api_client
from tests.support.content import publish
from tests.support.factories import (
    ArticleFactory,
    ChannelAccountFactory,
    PackageFactory,
    SmsAccountFactory,
    SmsTemplateFactory,
)
from tests.support.images import make_image

pytestmark = pytest.mark.django_db


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def miniprogram_api(matrix, sms_accounts):
    mp = ChannelAccountFactory(code="mp-sx", type="wechat_miniprogram", organisation=matrix["province"])
    _, token = make_api_client("掌厅", matrix["province"], [mp, sms_accounts["province"]])
    return Api(token)


def body_with_images(images):
    return "<p>正文</p>" + "".join(f'<p><img data-image="{i.code}" alt="图{i.code}"></p>' for i in images)


def run(api, code):
    query = persisted.by_name("miniprogram_article")
    api.post(query.text, {"code": code})  # image renditions are made on the first read
    with CaptureQueriesContext(connection) as captured:
        status, payload = api.post(query.text, {"code": code})
    assert status == 200 and "errors" not in payload, payload
    return len(captured.captured_queries), payload["data"]["article"]


def test_article_with_its_miniprogram_rendition(matrix, miniprogram_api, media_root):
    # given a published article for the mini-program with a cover and an inline image
    cover, inline = make_image(code="IMG1"), make_image(code="IMG2")
    ArticleFactory(code="ART-1", organisation=matrix["province"], channels=["wechat_miniprogram"], cover_image=cover,
                   body=body_with_images([inline]), published=True)
    # when the mini-program reads it
    _, article = run(miniprogram_api, "ART-1")
    # then the rendition holds rich-text nodes with the image, for the bound account
    rendition = article["rendition"]
    assert rendition["account"] == "mp-sx" and rendition["blocking"] is False
    names = []

    def walk(nodes):
        for node in nodes:
            names.append(node.get("name"))
            walk(node.get("children", []))

    walk(rendition["nodes"])
    assert "p" in names and "img" in names
    assert article["coverImage"]["url"].endswith(".png") and rendition["cover"]


def test_article_rendition_costs_the_same_queries_whatever_the_article_holds(matrix, miniprogram_api, media_root):
    few = [make_image(code="IMG1")]
    many = [make_image(code=f"IMG{i}") for i in range(2, 8)]
    packages = [PackageFactory(code=f"PKG-{i}", organisation=matrix["province"], sale_orgs=[matrix["province"]],
                               published=True) for i in range(5)]
    ArticleFactory(code="ART-FEW", organisation=matrix["province"], channels=["wechat_miniprogram"],
                   body=body_with_images(few), cover_image=few[0], related_packages=packages[:1], published=True)
    ArticleFactory(code="ART-MANY", organisation=matrix["province"], channels=["wechat_miniprogram"],
                   body=body_with_images(many), cover_image=many[0], related_packages=packages, published=True)
    small, _ = run(miniprogram_api, "ART-FEW")
    large, article = run(miniprogram_api, "ART-MANY")
    assert len(article["relatedPackages"]) == 5
    assert small == large


def test_sms_template_rendition_for_the_sms_hall(matrix, miniprogram_api):
    SmsTemplateFactory(code="TPL-1", organisation=matrix["province"], text="您的余额为{balance}元。",
                       parameters=[{"name": "balance", "type": "amount", "max_length": 8}], published=True)
    data = miniprogram_api.data(
        '{ smsTemplate(account: "sms-sx", code: "TPL-1") { rendition(channel: SMS) { account text segments blocking } } }'
    )
    rendition = data["smsTemplate"]["rendition"]
    assert rendition["account"] == "sms-sx" and rendition["segments"] >= 1 and "余额" in rendition["text"]


def test_a_rendition_needs_an_account_of_its_channel(matrix, miniprogram_api):
    ArticleFactory(code="ART-1", organisation=matrix["province"], channels=[], published=True)
    status, payload = miniprogram_api.post('{ article(code: "ART-1") { rendition(channel: WEB) { html } } }')
    assert status == 403 and error_codes(payload) == ["FORBIDDEN"]


@pytest.mark.integration
def test_renditions_are_rendered_once_per_publish_with_the_shared_cache(matrix, miniprogram_api, media_root):
    from tests.graphql_api.test_http_cache import redis_settings

    with override_settings(**redis_settings()):
        # given an article read once with its rendition
        article = ArticleFactory(code="ART-1", organisation=matrix["province"], channels=["wechat_miniprogram"],
                                 body="<p>第一版</p>", published=True)
        uncached, first = read(miniprogram_api, "ART-1")
        # when it is read again, then the rendition comes from the cache: no queries of its own
        cached, again = read(miniprogram_api, "ART-1")
        assert again == first and cached < uncached
        # when the article is published with a new body, then the next read renders it anew
        article.body = "<p>第二版</p>"
        publish(article)
        _, after = read(miniprogram_api, "ART-1")
        assert "第二版" in str(after["rendition"]["nodes"]) and "第一版" not in str(after["rendition"]["nodes"])


def read(api, code):
    with CaptureQueriesContext(connection) as captured:
        status, payload = api.post(persisted.by_name("miniprogram_article").text, {"code": code})
    assert status == 200 and "errors" not in payload, payload
    return len(captured.captured_queries), payload["data"]["article"]


PAGE_OF_RENDITIONS = """{ articles(first: 20, channel: %s) { edges { node { code
  rendition(channel: %s) { html nodes text cover blocking warnings { code } } } } } }"""


@pytest.mark.parametrize("channel", ["WECHAT_OFFICIAL_ACCOUNT", "WECHAT_MINIPROGRAM", "WEB", "SMS"])
def test_renditions_of_a_page_cost_the_same_queries_whatever_its_size(matrix, media_root, settings, channel):
    settings.GRAPHQL_TIME_BUDGET_MS = 60_000  # a loaded test machine: the queries are counted, not timed
    # given: a client bound to accounts of a three-deep outlet and to the province's web
    # site (the articles' web address), and packages sold at the province
    outlet, province = matrix["outlet"], matrix["province"]
    accounts = [ChannelAccountFactory(code="wx-outlet", organisation=outlet),
                ChannelAccountFactory(code="mp-outlet", type="wechat_miniprogram", organisation=outlet),
                SmsAccountFactory(code="sms-outlet", organisation=outlet),
                ChannelAccountFactory(code="web-sx", type="web", organisation=province,
                                      base_url="https://www.example.cn/")]
    _, token = make_api_client("营业厅", province, accounts)
    api = Api(token)
    packages = [PackageFactory(code=f"PKG-{i}", organisation=province, sale_orgs=[province], published=True)
                for i in range(3)]

    def add_articles(start, stop):
        for i in range(start, stop):
            cover, inline = make_image(code=f"COV{i}"), make_image(code=f"IMG{i}")
            prepare_renditions([cover, inline])
            body = (body_with_images([inline]) + f'<p><a href="https://mp.weixin.qq.com/s/{i}">原文</a> '
                    f'<a href="https://example.com/{i}">外链</a></p>')
            # the outlet's own articles and the province's shared down to it
            own = i % 2 == 0
            ArticleFactory(code=f"ART-{i:02d}", organisation=outlet if own else province, cover_image=cover, body=body,
                           channels=[], shared_to=[] if own else [outlet], related_packages=packages[: i % 4],
                           published=True)

    def count():
        query = PAGE_OF_RENDITIONS % (channel, channel)
        api.post(query)  # the token's last use is recorded once a minute, not per request
        with CaptureQueriesContext(connection) as captured:
            status, payload = api.post(query)
        assert status == 200 and "errors" not in payload, payload
        return len(captured.captured_queries), payload["data"]["articles"]["edges"]

    # when: a page of 2 articles and a page of 10 read their renditions
    add_articles(0, 2)
    few, edges_few = count()
    add_articles(2, 10)
    many, edges_many = count()
    # then: the same SQL, and renditions with what the articles hold
    assert (len(edges_few), len(edges_many)) == (2, 10)
    assert few == many
    rendition = edges_many[0]["node"]["rendition"]
    assert not rendition["blocking"], rendition["warnings"]
    if channel in ("WECHAT_OFFICIAL_ACCOUNT", "WEB"):
        assert "<img" in rendition["html"]
