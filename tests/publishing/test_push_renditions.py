"""Renditions in pushes: the web hall's and the mini-program's webhook bundles and
deltas carry each item rendered for their channel, the SMS gateway's the final SMS
text of each template and the account's SMS rules, so a receiver serves from the
push alone; deltas carry only what changed, in a number of queries that does not
grow with the items."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from content.models import ChannelAccount, Package, SmsTemplate
from content.secrets import Secret
from publishing.changes.services import build_bundle, bundle_delta, current_version
from publishing.models import WebhookEndpoint
from tests.support.content import publish
from tests.support.factories import (
    ArticleFactory,
    BusinessFactory,
    ChannelAccountFactory,
    PackageFactory,
    SmsTemplateFactory,
)
from tests.support.images import make_image

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

WEB_CHANNELS = ["web", "wechat_miniprogram"]


@pytest.fixture
def web_account(matrix):
    return ChannelAccountFactory(
        code="web-sx-01",
        organisation=matrix["branch1"],
        type=ChannelAccount.Type.WEB,
        app_id="",
        base_url="https://hall.sx.example.cn/",
    )


@pytest.fixture
def miniprogram_account(matrix):
    return ChannelAccountFactory(
        code="mp-sx-01",
        organisation=matrix["branch1"],
        type=ChannelAccount.Type.WECHAT_MINIPROGRAM,
        app_id="wxmpsx01app",
    )


@pytest.fixture
def sms_account(matrix):
    return ChannelAccountFactory(
        code="sms-sx-01",
        organisation=matrix["branch1"],
        type=ChannelAccount.Type.SMS,
        app_id="",
        service_number="10086",
        signature="【中国移动】",
        opt_out_text="回复TD退订",
        max_segments=2,
    )


def endpoint_for(account, receiver):
    return WebhookEndpoint.objects.create(
        account=account,
        name=f"{account.code} 后端",
        url=receiver.url,
        secret=Secret(receiver.secret),
    )


def article_with_images(organisation, code, package=None):
    image = make_image(
        organisation, title=f"{code}-body", color=(200, 20, 20), format="JPEG"
    )
    cover = make_image(
        organisation, title=f"{code}-cover", color=(20, 20, 200), format="JPEG"
    )
    return ArticleFactory(
        code=code,
        title=f"{code} 五一流量包",
        organisation=organisation,
        channels=WEB_CHANNELS,
        cover_image=cover,
        body=f'<p>畅享5G<script>alert(1)</script></p><embed embedtype="image" id="{image.pk}" format="fullwidth" alt="配图"/>',
        related_packages=[package] if package else [],
        published=True,
    )


def by_code(documents):
    return {doc["code"]: doc for doc in documents}


def served(receiver):
    """What a receiver holds after applying its pushes in order: the bundle, then each delta."""
    held = {}
    for push in receiver.documents():
        data = push["data"]
        if push["type"] == "bundle":
            held = {
                key: by_code(value)
                for key, value in data.items()
                if isinstance(value, list)
            }
            continue
        for key, docs in data["upserts"].items():
            if isinstance(docs, list):
                held.setdefault(key, {}).update(by_code(docs))
        for key, codes in data["removed"].items():
            for code in codes:
                held.get(key, {}).pop(code, None)
    return held


def test_the_web_halls_first_push_carries_every_item_rendered_as_sanitized_html_with_images_and_cards(
    matrix, web_account, webhook_receiver, django_capture_on_commit_callbacks
):
    # given a web hall back end with an endpoint
    endpoint_for(web_account, webhook_receiver)
    # when a package, a business and an article showing the package are published
    with django_capture_on_commit_callbacks(execute=True):
        package = PackageFactory(
            code="PKG58",
            name="5G畅享58元",
            organisation=matrix["branch1"],
            published=True,
        )
        BusinessFactory(
            code="BIZ10",
            name="10元流量包",
            organisation=matrix["branch1"],
            published=True,
        )
        article_with_images(matrix["branch1"], "ART01", package)
    # then the pushes (a bundle, then deltas) carry each item with its web rendition
    assert webhook_receiver.documents()[0]["type"] == "bundle"
    held = served(webhook_receiver)
    article = held["articles"]["ART01"]["rendition"]
    assert (
        article["channel"] == "web"
        and article["url"] == "https://hall.sx.example.cn/articles/ART01"
    )
    assert (
        "<h1>ART01 五一流量包</h1>" in article["html"] and "畅享5G" in article["html"]
    )
    assert "<script" not in article["html"] and "alert(1)" not in article["html"]
    assert 'srcset="' in article["html"] and set(article["cover"]) == {
        "width-480",
        "width-800",
        "width-1200",
    }
    assert all(
        url.startswith("http") and url in article["html"]
        for url in article["cover"].values()
    )
    assert [card["code"] for card in article["cards"]] == [
        "PKG58"
    ] and "5G畅享58元" in article["html"]
    package_rendition = held["packages"]["PKG58"]["rendition"]
    assert (
        package_rendition["cards"][0]["fee_text"] == "58元/月"
        and "58元/月" in package_rendition["html"]
    )
    assert (
        package_rendition["url"]
        == f"https://hall.sx.example.cn/packages/{package.code}"
    )
    assert "10元流量包" in held["businesses"]["BIZ10"]["rendition"]["html"]
    assert not article["blocking"] and article["warnings"] == []


def test_a_changed_package_is_pushed_alone_with_the_articles_showing_its_card(
    matrix, web_account, webhook_receiver, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    endpoint_for(web_account, webhook_receiver)
    with capture(execute=True):
        package = PackageFactory(
            code="PKG58", organisation=matrix["branch1"], published=True
        )
        PackageFactory(code="PKG88", organisation=matrix["branch1"], published=True)
        article_with_images(matrix["branch1"], "ART01", package)
        article_with_images(matrix["branch1"], "ART02")
    # when the package's fee changes and is published again
    with capture(execute=True):
        package = Package.objects.get(code="PKG58")
        package.monthly_fee = 68
        publish(package)
    # then the last delta carries that package and the one article showing it, rendered anew
    delta = webhook_receiver.documents()[-1]
    assert delta["type"] == "delta"
    upserts = delta["data"]["upserts"]
    assert [p["code"] for p in upserts["packages"]] == ["PKG58"]
    assert [a["code"] for a in upserts["articles"]] == ["ART01"]
    assert "68元/月" in upserts["packages"][0]["rendition"]["html"]
    assert "68元/月" in upserts["articles"][0]["rendition"]["html"]
    assert set(upserts) == {"packages", "articles"} and delta["data"]["removed"] == {}


def test_the_mini_programs_push_carries_rich_text_nodes_and_package_cards(
    matrix, miniprogram_account, webhook_receiver, django_capture_on_commit_callbacks
):
    endpoint_for(miniprogram_account, webhook_receiver)
    with django_capture_on_commit_callbacks(execute=True):
        package = PackageFactory(
            code="PKG58", organisation=matrix["branch1"], published=True
        )
        article_with_images(matrix["branch1"], "ART01", package)
    rendition = served(webhook_receiver)["articles"]["ART01"]["rendition"]
    assert rendition["channel"] == "wechat_miniprogram" and "html" not in rendition
    images = [node for node in _walk(rendition["nodes"]) if node.get("name") == "img"]
    assert images and all(node["attrs"]["src"].startswith("http") for node in images)
    assert list(rendition["cover"]) == ["width-750"]
    assert [card["code"] for card in rendition["cards"]] == ["PKG58"]
    assert not any(node.get("name") == "script" for node in _walk(rendition["nodes"]))


def _walk(nodes):
    for node in nodes:
        yield node
        yield from _walk(node.get("children", []))


def test_the_sms_gateways_push_carries_each_templates_final_text_and_the_sms_rules(
    matrix, sms_account, webhook_receiver, django_capture_on_commit_callbacks
):
    endpoint_for(sms_account, webhook_receiver)
    with django_capture_on_commit_callbacks(execute=True):
        SmsTemplateFactory(
            code="CXYE",
            organisation=matrix["branch1"],
            text="您的余额为{balance}元",
            parameters=[{"name": "balance", "type": "amount", "max_length": 10}],
            published=True,
        )
    with django_capture_on_commit_callbacks(execute=True):
        SmsTemplateFactory(
            code="YX01",
            organisation=matrix["branch1"],
            category=SmsTemplate.Category.MARKETING,
            text="5G套餐限时优惠,回复TD退订",
            parameters=[],
            published=True,
        )
    documents = webhook_receiver.documents()
    bundle, delta = documents[0]["data"], documents[-1]["data"]
    assert documents[0]["type"] == "bundle" and documents[-1]["type"] == "delta"
    assert bundle["smsRules"] == {
        "signature": "【中国移动】",
        "optOutText": "回复TD退订",
        "maxSegments": 2,
    }
    reply = served(webhook_receiver)["smsTemplates"]["CXYE"]["rendition"]
    assert (
        reply["text"] == "【中国移动】您的余额为{balance}元" and reply["segments"] == 1
    )
    assert reply["encoding"] == "UCS-2" and not reply["blocking"]
    marketing = by_code(delta["upserts"]["smsTemplates"])["YX01"]["rendition"]
    assert marketing["text"].startswith("【中国移动】") and marketing["text"].endswith(
        "回复TD退订"
    )
    assert delta["smsRules"]["maxSegments"] == 2 and "articles" not in delta["upserts"]


def test_a_template_too_long_for_a_lowered_segment_limit_says_so_in_the_push(
    matrix, sms_account
):
    # given a two-segment template, then the account's limit lowered to one segment
    long_text = "尊敬的客户" * 16 + "{balance}"
    SmsTemplateFactory(
        code="LONG",
        organisation=matrix["branch1"],
        text=long_text,
        parameters=[{"name": "balance", "type": "amount", "max_length": 10}],
        published=True,
    )
    ChannelAccount.objects.filter(pk=sms_account.pk).update(max_segments=1)
    rendition = build_bundle(sms_account, with_renditions=True)["smsTemplates"][0][
        "rendition"
    ]
    assert rendition["segments"] == 2 and rendition["blocking"]
    assert [w["code"] for w in rendition["warnings"]] == ["sms_too_long"]


def test_the_graphql_bundle_stays_raw_only_pushes_carry_renditions(matrix, web_account):
    PackageFactory(code="PKG58", organisation=matrix["branch1"], published=True)
    assert "rendition" not in build_bundle(web_account)["packages"][0]
    assert "rendition" in build_bundle(web_account, with_renditions=True)["packages"][0]


def _publish_articles(matrix, codes, package):
    for code in codes:
        article_with_images(matrix["branch1"], code, package)


@pytest.mark.parametrize("account_fixture", ["web_account", "miniprogram_account"])
def test_pushed_bundles_and_deltas_build_in_a_number_of_queries_that_does_not_grow_with_the_items(
    matrix, request, account_fixture
):
    account = request.getfixturevalue(account_fixture)
    package = PackageFactory(
        code="PKG58", organisation=matrix["branch1"], published=True
    )
    BusinessFactory(code="BIZ10", organisation=matrix["branch1"], published=True)
    _publish_articles(matrix, ["ART01", "ART02"], package)
    since = current_version(account)
    build_bundle(account, with_renditions=True)  # the images' renditions are made once
    with CaptureQueriesContext(connection) as few_bundle:
        few = build_bundle(account, with_renditions=True)
    with CaptureQueriesContext(connection) as few_delta:
        bundle_delta(account, 0, with_renditions=True)
    # when four more articles with images, showing the package, are published
    _publish_articles(matrix, ["ART03", "ART04", "ART05", "ART06"], package)
    build_bundle(account, with_renditions=True)
    with CaptureQueriesContext(connection) as many_bundle:
        many = build_bundle(account, with_renditions=True)
    with CaptureQueriesContext(connection) as many_delta:
        delta = bundle_delta(account, 0, with_renditions=True)
    # then the same number of queries for three times the articles
    assert len(few["articles"]) == 2 and len(many["articles"]) == 6
    assert all(doc["rendition"]["cover"] for doc in many["articles"])
    assert len(many_bundle.captured_queries) == len(few_bundle.captured_queries)
    assert len(many_delta.captured_queries) == len(few_delta.captured_queries)
    # and the delta since the first articles carries only the new ones
    newer = bundle_delta(account, since, with_renditions=True)["upserts"]
    assert sorted(a["code"] for a in newer["articles"]) == [
        "ART03",
        "ART04",
        "ART05",
        "ART06",
    ]
    assert len(delta["upserts"]["articles"]) == 6


def test_a_delta_of_one_change_is_a_small_part_of_the_bundle(matrix, web_account):
    packages = [
        PackageFactory(
            code=f"PKG{i:02d}", organisation=matrix["branch1"], published=True
        )
        for i in range(8)
    ]
    _publish_articles(matrix, [f"ART{i:02d}" for i in range(8)], None)
    since = current_version(web_account)
    packages[0].monthly_fee = 18
    publish(packages[0])
    bundle = json.dumps(
        build_bundle(web_account, with_renditions=True), ensure_ascii=False
    ).encode()
    delta = json.dumps(
        bundle_delta(web_account, since, with_renditions=True), ensure_ascii=False
    ).encode()
    assert len(delta) * 10 < len(bundle)
