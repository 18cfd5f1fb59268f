"""Bundles: an account's whole published configuration with its version, and the
delta since a version, built in a fixed number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from publishing.changes.services import build_bundle, bundle_delta, current_version
from tests.support.content import publish, unpublish
from tests.support.factories import (
    ArticleFactory,
    AutoReplyFactory,
    PackageFactory,
    SmsTemplateFactory,
    TemplateMessageFactory,
)

pytestmark = pytest.mark.django_db


def test_bundle_holds_the_published_configuration_of_the_sms_account(matrix, sms_accounts):
    # given published templates of SX-01 (one answering a command for mzone: publishing
    # binds it), a draft, and SX-02's template
    SmsTemplateFactory(code="TPL001", organisation=matrix["branch1"], commands=["CXLL"], brands=["mzone"],
                                  text="您本月已用流量{used}。",
                                  parameters=[{"name": "used", "type": "data_volume", "max_length": 8}], published=True)
    SmsTemplateFactory(code="TPL002", organisation=matrix["outlet"], published=True)
    SmsTemplateFactory(code="TPL003", organisation=matrix["branch1"], live=False)
    SmsTemplateFactory(code="TPL004", organisation=matrix["branch2"], published=True)
    PackageFactory(code="PKG001", organisation=matrix["branch1"], published=True)
    # when
    bundle = build_bundle(sms_accounts["branch1"])
    # then
    assert bundle["format"] == "channel-bundle/2"
    assert bundle["version"] == current_version(sms_accounts["branch1"]) > 0
    assert [t["code"] for t in bundle["smsTemplates"]] == ["TPL001", "TPL002"]
    assert bundle["smsTemplates"][0]["brands"] == ["mzone"]
    assert bundle["smsTemplates"][0]["parameters"] == [{"name": "used", "type": "data_volume", "max_length": 8}]
    # TPL001 is for mzone customers only: CXLL has no default reply on the account
    assert bundle["smsCommands"] == {"CXLL": {"default": None, "brands": {"mzone": "TPL001"}}}
    assert [p["code"] for p in bundle["packages"]] == ["PKG001"]
    assert bundle["articles"] == [] and bundle["autoReplies"] == []
    assert bundle["account"]["code"] == "sms-sx-01"


def test_bundle_never_carries_secrets(matrix, sms_accounts):
    from content.services.accounts import set_secret

    # given an account with a webhook key
    account = sms_accounts["branch1"]
    set_secret(account, "webhook_key", "very-secret-value")
    account.save()
    # when
    bundle = build_bundle(account)
    # then
    assert "very-secret-value" not in repr(bundle)
    assert not {"app_secret", "webhook_key", "appSecret", "webhookKey"} & set(bundle["account"])


def test_bundle_of_an_official_account_holds_replies_articles_and_template_messages(matrix):
    # given
    account = matrix["account_branch1"]
    AutoReplyFactory(account=account, keyword="流量", published=True)
    AutoReplyFactory(account=matrix["account_branch2"], keyword="话费", published=True)
    ArticleFactory(code="ART001", organisation=matrix["branch1"], channels=["wechat_official_account"], published=True)
    ArticleFactory(code="ART002", organisation=matrix["branch1"], channels=["sms"], published=True)
    TemplateMessageFactory(code="BILL", organisation=matrix["province"], accounts=[account], published=True)
    # when
    bundle = build_bundle(account)
    # then
    assert [r["keyword"] for r in bundle["autoReplies"]] == ["流量"]
    assert [a["code"] for a in bundle["articles"]] == ["ART001"]
    assert bundle["templateMessages"][0]["wechatTemplateId"] == f"TPL-BILL-{account.pk}"


def test_bundle_builds_in_a_fixed_number_of_queries(matrix, sms_accounts):
    # given
    for i in range(3):
        SmsTemplateFactory(code=f"TPL1{i:02d}", organisation=matrix["branch1"], brands=["gotone"], published=True)
    with CaptureQueriesContext(connection) as small:
        build_bundle(sms_accounts["branch1"])
    for i in range(30):
        SmsTemplateFactory(code=f"TPL2{i:02d}", organisation=matrix["branch1"], brands=["gotone", "mzone"],
                           published=True)
    # when
    with CaptureQueriesContext(connection) as large:
        bundle = build_bundle(sms_accounts["branch1"])
    # then
    assert len(bundle["smsTemplates"]) == 33
    assert len(large.captured_queries) == len(small.captured_queries)


def test_bundle_delta_gives_what_changed_since_a_version(matrix, sms_accounts):
    # given a bundle at version V
    account = sms_accounts["branch1"]
    used = [{"name": "used", "type": "data_volume", "max_length": 8}]
    kept = SmsTemplateFactory(code="TPL001", organisation=matrix["branch1"], text="您本月已用流量{used}。", parameters=used,
                              published=True)
    gone = SmsTemplateFactory(code="TPL002", organisation=matrix["branch1"], published=True)
    since = build_bundle(account)["version"]
    # when one template is edited, one withdrawn, one added
    kept.text = "新的文本{used}"
    publish(kept)
    unpublish(gone)
    SmsTemplateFactory(code="TPL003", organisation=matrix["branch1"], published=True)
    delta = bundle_delta(account, since)
    # then
    assert delta["since"] == since and delta["version"] == current_version(account)
    assert [t["code"] for t in delta["upserts"]["smsTemplates"]] == ["TPL001", "TPL003"]
    assert delta["upserts"]["smsTemplates"][0]["text"] == "新的文本{used}"
    assert delta["removed"] == {"smsTemplates": ["TPL002"]}
    # and nothing changed after the new version
    assert bundle_delta(account, delta["version"])["upserts"] == {}
