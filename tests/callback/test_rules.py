"""Which published rule answers: exact before contains, then priority; the default;
only published (live) rules; each account its own rules."""

import xmltodict
from django.core.management import call_command

from tests.support.content import committed
from tests.support.images import make_image

from .conftest import WeChatSender, text_xml


def _content(wechat, text):
    body = wechat.reply(wechat.post(text_xml(text)))
    return body if body == "success" else xmltodict.parse(body)["xml"]["Content"]


def test_exact_keyword_wins_over_a_higher_priority_contains_keyword(account, wechat, rule):
    # given
    rule(keyword="套餐", match="contains", priority=100, reply_text="contains")
    rule(keyword="套餐", match="exact", priority=0, reply_text="exact")
    # when / then
    assert _content(wechat, "套餐") == "exact"
    assert _content(wechat, "我想办套餐") == "contains"


def test_among_contains_keywords_the_higher_priority_answers(account, wechat, rule):
    # given
    rule(keyword="流量", match="contains", priority=1, reply_text="low")
    rule(keyword="包", match="contains", priority=5, reply_text="high")
    # when / then
    assert _content(wechat, "流量包") == "high"
    assert _content(wechat, "流量") == "low"


def test_equal_priority_goes_to_the_older_rule(account, wechat, rule):
    # given
    rule(keyword="话费", match="contains", reply_text="first")
    rule(keyword="费", match="contains", reply_text="second")
    # when / then
    assert _content(wechat, "查话费") == "first"


def test_among_imported_exact_duplicates_the_higher_priority_answers(account, wechat, imported_rule):
    # given: duplicates the admin refuses, written by a bulk import
    imported_rule(keyword="bill", match="exact", priority=1, reply_text="low")
    imported_rule(keyword="BILL", match="exact", priority=9, reply_text="high")
    call_command("rebuild_reply_tables")
    # when / then
    assert _content(wechat, "Bill") == "high"


def test_keywords_match_ignoring_case_width_and_outer_spaces(account, wechat, rule):
    rule(keyword="5G", reply_text="five")
    assert _content(wechat, "  ５ｇ ") == "five"


def test_unmatched_text_gets_the_default_reply_else_success(account, wechat, rule):
    # given
    rule(keyword="a", reply_text="a")
    # when / then
    assert _content(wechat, "zzz") == "success"
    rule(kind="default", reply_text="default")
    assert _content(wechat, "zzz") == "default"


def test_among_imported_defaults_the_higher_priority_wins(account, wechat, imported_rule):
    imported_rule(kind="default", priority=1, reply_text="one")
    imported_rule(kind="default", priority=3, reply_text="three")
    call_command("rebuild_reply_tables")
    assert _content(wechat, "zzz") == "three"


def test_draft_rule_is_not_served(account, wechat, rule):
    rule(keyword="草稿", reply_text="draft", publish_it=False)
    assert _content(wechat, "草稿") == "success"


def test_image_rule_is_skipped_in_favour_of_the_next_match(account, wechat, rule, matrix):
    # given: an image reply whose image is not uploaded to the account (no AppSecret: its push job fails)
    rule(keyword="图片", match="contains", priority=9, reply_type="image", reply_text="",
         reply_image=make_image(matrix["branch1"], "IMG-COVER", title="封面"))
    rule(keyword="图", match="contains", priority=1, reply_text="text instead")
    # when / then
    assert _content(wechat, "发图片") == "text instead"


def test_rules_of_another_account_never_answer(client, matrix, account, wechat, rule):
    # given
    from content.services.accounts import set_secret

    other = matrix["account_branch2"]
    with committed():
        set_secret(other, "callback_token", "other-token")
    rule(account=other, keyword="流量", reply_text="other account")
    rule(keyword="流量", reply_text="own account")
    # when / then
    assert _content(wechat, "流量") == "own account"
    assert _content(WeChatSender(client, other, token="other-token"), "流量") == "other account"
