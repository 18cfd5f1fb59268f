"""SMS renditions: signature, segment limit, opt-out on marketing texts, a short
link when the text is cut, the segment count from the one counter."""

import pytest

from content.models import SmsTemplate
from content.services.sms_parameters import WORST_CASE_CHAR
from content.services.sms_segments import UCS2_PART, UCS2_SINGLE, count_segments
from renditions.services import render, render_all
from renditions.links import parse_token, short_token

from .records import (
    OPT_OUT, account, allowances, every_channel_article, fee, first_copy, is_astral, province, rows, templates,
    undeclared,
)


def test_template_rendition_counts_segments_with_the_one_counter(sample):
    # given: a reply with an emoji (outside the BMP: two UTF-16 units) whose sample message
    # takes more than one UCS-2 part
    row = next(r for r in templates(sample, "reply") if any(is_astral(c) for c in r["text"]))
    template = sample.template(row["code"])
    account_ = account(sample, "sms")
    # when
    rendition = render(template, account_)
    # then
    assert rendition.text == account_.signature + row["text"]
    sample_text = rendition.meta["sample_text"]
    assert sample_text.startswith(account_.signature) and "{" not in sample_text
    units = len(sample_text) + sum(1 for c in sample_text if is_astral(c))  # the emoji counts twice
    expected = 1 if units <= UCS2_SINGLE else -(-units // UCS2_PART)
    assert expected >= 2, units  # the sample's emoji reply is a concatenated message
    sample_count = count_segments(sample_text)
    assert sample_count.units == units
    assert rendition.meta["sample_parts"] == list(sample_count.parts)
    assert rendition.meta["sample_segments"] == sample_count.segments == expected
    worst = rendition.text
    for parameter in row["parameters"]:
        worst = worst.replace("{%s}" % parameter["name"], WORST_CASE_CHAR[parameter["type"]] * parameter["max_length"])
    assert rendition.segments == count_segments(worst).segments
    assert "".join(rendition.meta["sample_parts"]) == rendition.meta["sample_text"]
    assert not rendition.blocking


def test_marketing_template_without_opt_out_gets_the_accounts_opt_out(sample):
    # given: the dirty export's marketing text without an opt-out (it ends its sentence)
    row = next(r for r in templates(sample, "marketing") if OPT_OUT not in r["text"])
    assert row["text"].endswith("。")
    account_ = account(sample, "sms")
    # when
    rendition = render(sample.template(row["code"]), account_)
    # then
    assert rendition.text == account_.signature + row["text"] + OPT_OUT
    assert not rendition.blocking


def test_marketing_template_with_an_opt_out_is_not_given_a_second_one(sample):
    row = next(r for r in templates(sample, "marketing") if OPT_OUT in r["text"])
    rendition = render(sample.template(row["code"]), account(sample, "sms"))
    assert rendition.text.count(OPT_OUT) == 1
    assert rendition.text == account(sample, "sms").signature + row["text"]


def test_template_with_an_undeclared_parameter_blocks_sms(sample):
    # given: the dirty export's template using a parameter it does not declare
    row = next(r for r in templates(sample) if undeclared(r))
    rendition = render(sample.template(row["code"]), account(sample, "sms"))
    assert [w.code for w in rendition.warnings if w.blocking] == ["undeclared_parameter"]
    assert all(name in rendition.warnings[0].message for name in undeclared(row))


def test_template_that_cannot_fit_the_segment_limit_blocks_with_the_counts(sample):
    # given: 70 UCS-2 units per part alone, 67 per part of a long text; limit 3 parts
    account_ = account(sample, "sms")
    assert len(account_.signature) == 6 and account_.max_segments == 3
    template = SmsTemplate.objects.create(
        code="SMSLONG", category="reply", organisation=sample.org(province(sample)), text="您" * 190 + "{code}",
        parameters=[{"name": "code", "type": "code", "max_length": 6}],
    )
    # when
    rendition = render(template, account_)
    # then: 6 (signature) + 190 + 6 = 202 units > 3 x 67
    assert rendition.segments == 4
    warning = next(w for w in rendition.warnings if w.blocking)
    assert warning.code == "sms_too_long" and "202" in warning.message and "3" in warning.message
    assert rendition.text.endswith("{code}")  # a template is never cut


def test_template_that_fits_exactly_at_the_limit_passes(sample):
    account_ = account(sample, "sms")
    signature = len(account_.signature)
    template = SmsTemplate.objects.create(
        code="SMSEXACT", category="reply", organisation=sample.org(province(sample)),
        text="您" * (account_.max_segments * UCS2_PART - signature), parameters=[],
    )
    rendition = render(template, account_)
    assert rendition.segments == 3 and not rendition.blocking


def test_sms_account_without_signature_blocks(sample):
    account_ = account(sample, "sms")
    account_.signature = ""
    rendition = render(sample.template(templates(sample, "reply")[0]["code"]), account_)
    assert "no_signature" in [w.code for w in rendition.warnings if w.blocking]


def test_long_article_is_cut_with_a_short_link_to_its_web_rendition(sample, client):
    # given
    article = sample.article(every_channel_article(sample)["code"])
    article.digest = "这是一段很长的摘要," * 25
    article.save()
    accounts = [account(sample, "sms"), account(sample, "web")]
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
    article = sample.article(every_channel_article(sample)["code"])
    article.digest = "很" * 250
    sms, _ = render_all(article, [account(sample, "sms"), account(sample, "web")])
    assert sms.meta["cut"] and sms.segments == 3
    longer = sms.text.replace("…详情", "很…详情", 1)
    assert count_segments(longer).segments > 3


def test_short_link_of_an_unpublished_item_leads_nowhere(sample, client):
    article = sample.article(every_channel_article(sample)["code"])
    article.live = False
    article.save()
    token = short_token("article", article.pk)
    assert parse_token(token) == (type(article), article.pk)
    assert client.get(f"/s/{token}").status_code == 404


def test_package_sms_has_fee_allowances_order_command_and_opt_out(sample):
    # given: the first package (the dirty export repeats its code: the first copy is the package)
    row = first_copy(sample, "packages", rows(sample, "packages")[0]["code"])
    account_ = account(sample, "sms")
    # when
    rendition = render(sample.package(row["code"]), account_)
    # then: name, fee and allowances; highlights; order and cancel commands; opt-out
    facts = ",".join([f"{fee(row['monthly_fee'])}元/月", *(label + value for label, value in allowances(row))])
    assert rendition.text == (
        f"{account_.signature}{row['name']}:{facts}。{'、'.join(row['highlights'])}。"
        f"回复{row['order_command']}办理,回复{row['cancel_command']}退订。{OPT_OUT}"
    )
    assert 1 < rendition.segments == count_segments(rendition.text).segments <= account_.max_segments
    assert not rendition.meta["cut"]


def test_package_without_order_command_blocks_sms(sample):
    package = sample.package(rows(sample, "packages")[0]["code"])
    package.order_command = ""
    rendition = render(package, account(sample, "sms"))
    assert "no_order_command" in [w.code for w in rendition.warnings if w.blocking]


def test_business_sms_keeps_order_command_when_description_is_cut(sample):
    # given
    row = rows(sample, "businesses")[0]
    business = sample.business(row["code"])
    business.description = "<p>" + "这是一段很长的业务说明" * 20 + "</p>"
    account_ = account(sample, "sms")
    account_.max_segments = 1
    # when
    rendition = render(business, account_)
    # then
    assert rendition.meta["cut"] and rendition.segments == 1
    assert rendition.text.startswith(f"{account_.signature}{row['name']}:{fee(row['monthly_fee'])}元/月。这是一段")
    assert rendition.text.endswith(f"…回复{row['order_command']}办理,回复{row['cancel_command']}退订。{OPT_OUT}")


@pytest.mark.parametrize("channel", ["wechat_official_account", "web", "wechat_miniprogram"])
def test_sms_template_renders_for_sms_only(sample, channel):
    template = templates(sample, "reply")[0]
    rendition = render(sample.template(template["code"]), account(sample, channel))
    assert [w.code for w in rendition.warnings] == ["unsupported_channel"] and rendition.blocking
