"""SMS renditions: signature, segment limit, opt-out on marketing texts, a short
link when the text is cut, the segment count from the one counter."""

import pytest

from content.models import SmsTemplate
from content.services.sms_segments import count_segments
from renditions.services import render, render_all
from renditions.links import parse_token, short_token


def test_template_rendition_counts_segments_with_the_one_counter(sample):
    # given: a reply whose sample message takes two UCS-2 parts (it ends in an emoji)
    template = sample.template("SMS000001")
    account = sample.account("sms-10086")
    # when
    rendition = render(template, account)
    # then
    assert rendition.text.startswith("【中国移动】您本月已使用流量{used}MB")
    sample_count = count_segments(rendition.meta["sample_text"])
    assert rendition.meta["sample_parts"] == list(sample_count.parts)
    assert rendition.meta["sample_segments"] == sample_count.segments == 2
    worst = rendition.text.replace("{used}", "9" * 8).replace("{left}", "9" * 8)
    assert rendition.segments == count_segments(worst).segments
    assert "".join(rendition.meta["sample_parts"]) == rendition.meta["sample_text"]
    assert not rendition.blocking


def test_marketing_template_without_opt_out_gets_the_accounts_opt_out(sample):
    # given: the dirty export's marketing text without an opt-out
    template = sample.template("SMSBAD2")
    # when
    rendition = render(template, sample.account("sms-10086"))
    # then
    assert rendition.text == "【中国移动】新品上市,快来办理!拒收请回复R"
    assert not rendition.blocking


def test_marketing_template_with_an_opt_out_is_not_given_a_second_one(sample):
    rendition = render(sample.template("SMS000003"), sample.account("sms-10086"))
    assert rendition.text.count("拒收请回复R") == 1


def test_template_with_an_undeclared_parameter_blocks_sms(sample):
    rendition = render(sample.template("SMSBAD1"), sample.account("sms-10086"))
    assert [w.code for w in rendition.warnings if w.blocking] == ["undeclared_parameter"]
    assert "undeclared" in rendition.warnings[0].message


def test_template_that_cannot_fit_the_segment_limit_blocks_with_the_counts(sample):
    # given: 70 UCS-2 units per part alone, 67 per part of a long text; limit 3 parts
    account = sample.account("sms-10086")
    template = SmsTemplate.objects.create(
        code="SMSLONG", category="reply", organisation=sample.org("SX"), text="您" * 190 + "{code}",
        parameters=[{"name": "code", "type": "code", "max_length": 6}],
    )
    # when
    rendition = render(template, account)
    # then: 6 (signature) + 190 + 6 = 202 units > 3 x 67
    assert rendition.segments == 4
    warning = next(w for w in rendition.warnings if w.blocking)
    assert warning.code == "sms_too_long" and "202" in warning.message and "3" in warning.message
    assert rendition.text.endswith("{code}")  # a template is never cut


def test_template_that_fits_exactly_at_the_limit_passes(sample):
    account = sample.account("sms-10086")
    template = SmsTemplate.objects.create(
        code="SMSEXACT", category="reply", organisation=sample.org("SX"), text="您" * (201 - 6), parameters=[]
    )
    rendition = render(template, account)
    assert rendition.segments == 3 and not rendition.blocking


def test_sms_account_without_signature_blocks(sample):
    account = sample.account("sms-10086")
    account.signature = ""
    rendition = render(sample.template("SMS000002"), account)
    assert "no_signature" in [w.code for w in rendition.warnings if w.blocking]


def test_long_article_is_cut_with_a_short_link_to_its_web_rendition(sample, client):
    # given
    article = sample.article("ART00002")
    article.digest = "这是一段很长的摘要," * 25
    article.save()
    accounts = [sample.account("sms-10086"), sample.account("web-sx")]
    # when
    sms, web = render_all(article, accounts)
    # then
    link = sms.meta["short_link"]
    assert sms.meta["cut"] and link in sms.text and "…详情" in sms.text
    assert sms.text.startswith("【中国移动】") and sms.text.endswith("拒收请回复R")
    assert sms.segments == count_segments(sms.text).segments <= 3
    assert sms.meta["link_target"] == web.meta["url"]
    # and the short link leads to the web rendition
    response = client.get("/s/" + link.rsplit("/", 1)[1])
    assert response.status_code == 302 and response["Location"] == web.meta["url"]


def test_cut_uses_as_much_text_as_the_limit_allows(sample):
    article = sample.article("ART00002")
    article.digest = "很" * 250
    sms, _ = render_all(article, [sample.account("sms-10086"), sample.account("web-sx")])
    assert sms.meta["cut"] and sms.segments == 3
    longer = sms.text.replace("…详情", "很…详情", 1)
    assert count_segments(longer).segments > 3


def test_short_link_of_an_unpublished_item_leads_nowhere(sample, client):
    article = sample.article("ART00002")
    article.live = False
    article.save()
    token = short_token("article", article.pk)
    assert parse_token(token) == (type(article), article.pk)
    assert client.get(f"/s/{token}").status_code == 404


def test_package_sms_has_fee_allowances_order_command_and_opt_out(sample):
    rendition = render(sample.package("PKG0001"), sample.account("sms-10086"))
    assert rendition.text == (
        "【中国移动】5G智享套餐128元:128元/月,流量31GB,短信300条。宽带免费提速、全国通用流量、副卡共享。"
        "回复KTTC0001办理,回复QXTC0001退订。拒收请回复R"
    )
    assert rendition.segments == count_segments(rendition.text).segments == 2
    assert not rendition.meta["cut"]


def test_package_without_order_command_blocks_sms(sample):
    package = sample.package("PKG0001")
    package.order_command = ""
    rendition = render(package, sample.account("sms-10086"))
    assert "no_order_command" in [w.code for w in rendition.warnings if w.blocking]


def test_business_sms_keeps_order_command_when_description_is_cut(sample):
    # given
    business = sample.business("BIZ0001")
    business.description = "<p>" + "这是一段很长的业务说明" * 20 + "</p>"
    account = sample.account("sms-10086")
    account.max_segments = 1
    # when
    rendition = render(business, account)
    # then
    assert rendition.meta["cut"] and rendition.segments == 1
    assert rendition.text.startswith("【中国移动】流量加油包1GB:15元/月。这是一段")
    assert rendition.text.endswith("…回复KTYW0001办理,回复QXYW0001退订。拒收请回复R")


@pytest.mark.parametrize("channel", ["wechat_official_account", "web", "wechat_miniprogram"])
def test_sms_template_renders_for_sms_only(sample, channel):
    account = sample.account({"wechat_official_account": "wx-sx", "web": "web-sx", "wechat_miniprogram": "mp-sx"}[channel])
    rendition = render(sample.template("SMS000002"), account)
    assert [w.code for w in rendition.warnings] == ["unsupported_channel"] and rendition.blocking
