"""Renditions through GraphQL: an article with its mini-program rendition (the hot
read of the mini-program), SMS template renditions, in a fixed number of queries."""

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from api import persisted
from tests.support.api import Api, error_codes, make_api_client
from tests.support.content import publish
from tests.support.factories import (
    ArticleFactory,
    ChannelAccountFactory,
    PackageFactory,
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
