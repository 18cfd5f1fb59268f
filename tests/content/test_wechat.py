"""WeChat passive replies and template-message definitions: one test per rule."""

import pytest

from content.models import AutoReply, TemplateMessage, TemplateMessageMapping
from content.services.library import share_down
from content.services.wechat import validate_auto_reply, validate_template_mapping, validate_template_message
from tests.support.factories import ArticleFactory, AutoReplyFactory, SmsAccountFactory, TemplateMessageFactory
from tests.support.images import make_image
from tests.support.validation import errors_of

pytestmark = pytest.mark.django_db


def reply(account, **kwargs):
    kwargs.setdefault("kind", AutoReply.Kind.KEYWORD)
    kwargs.setdefault("keyword", "话费")
    kwargs.setdefault("reply_type", AutoReply.ReplyType.TEXT)
    kwargs.setdefault("reply_text", "请回复1查询话费")
    return AutoReply(account=account, **kwargs)


def test_valid_keyword_reply_passes(matrix):
    validate_auto_reply(reply(matrix["account_branch1"]))


def test_reply_on_a_non_wechat_account_is_refused(matrix):
    sms = SmsAccountFactory(code="sms-x", organisation=matrix["branch1"])
    assert "account" in errors_of(validate_auto_reply, reply(sms))


def test_keyword_reply_needs_a_keyword(matrix):
    assert "keyword" in errors_of(validate_auto_reply, reply(matrix["account_branch1"], keyword=" "))


def test_same_keyword_and_match_twice_on_an_account_is_refused(matrix):
    AutoReplyFactory(account=matrix["account_branch1"], keyword="话费", match="exact")
    errors = errors_of(validate_auto_reply, reply(matrix["account_branch1"], keyword="话费"))
    assert "wx-sx-01" in errors["keyword"][0]
    # a contains rule for the same word, or another account, is fine
    validate_auto_reply(reply(matrix["account_branch1"], keyword="话费", match="contains"))
    validate_auto_reply(reply(matrix["account_branch2"], keyword="话费"))


def test_click_reply_needs_an_event_key_unique_per_account(matrix):
    assert "event_key" in errors_of(validate_auto_reply, reply(matrix["account_branch1"], kind="click", keyword=""))
    AutoReplyFactory(account=matrix["account_branch1"], kind="click", keyword="", event_key="MENU_BILL")
    errors = errors_of(validate_auto_reply, reply(matrix["account_branch1"], kind="click", keyword="", event_key="MENU_BILL"))
    assert "MENU_BILL" in errors["event_key"][0]


def test_event_key_over_128_bytes_is_refused(matrix):
    r = reply(matrix["account_branch1"], kind="click", keyword="", event_key="键" * 43)
    assert "event_key" in errors_of(validate_auto_reply, r)


def test_one_subscribe_welcome_per_account(matrix):
    AutoReplyFactory(account=matrix["account_branch1"], kind="subscribe", keyword="")
    assert "kind" in errors_of(validate_auto_reply, reply(matrix["account_branch1"], kind="subscribe", keyword=""))


def test_keyword_on_a_subscribe_reply_is_refused(matrix):
    assert "keyword" in errors_of(validate_auto_reply, reply(matrix["account_branch1"], kind="subscribe"))


def test_text_reply_needs_text_within_wechats_limit(matrix):
    assert "reply_text" in errors_of(validate_auto_reply, reply(matrix["account_branch1"], reply_text=""))
    assert "reply_text" in errors_of(validate_auto_reply, reply(matrix["account_branch1"], reply_text="字" * 683))


def test_article_reply_needs_an_article_the_account_can_read(matrix):
    assert "reply_article" in errors_of(validate_auto_reply, reply(matrix["account_branch1"], reply_type="article"))
    sibling_article = ArticleFactory(code="ART-BJ", organisation=matrix["branch2"])
    errors = errors_of(validate_auto_reply, reply(matrix["account_branch1"], reply_type="article", reply_article=sibling_article))
    assert "ART-BJ" in errors["reply_article"][0]
    province_article = ArticleFactory(code="ART-SX", organisation=matrix["province"])
    share_down(province_article, [matrix["branch1"]])
    validate_auto_reply(reply(matrix["account_branch1"], reply_type="article", reply_article=province_article))


def test_image_reply_needs_an_image_of_the_account_or_above(matrix):
    assert "reply_image" in errors_of(validate_auto_reply, reply(matrix["account_branch1"], reply_type="image"))
    sibling_image = make_image(matrix["branch2"], code="IMG-BJ")
    errors = errors_of(validate_auto_reply, reply(matrix["account_branch1"], reply_type="image", reply_image=sibling_image))
    assert "IMG-BJ" in errors["reply_image"][0]
    validate_auto_reply(reply(matrix["account_branch1"], reply_type="image", reply_image=make_image(matrix["province"])))


# --- template messages ------------------------------------------------------------------


def definition(org, fields):
    return TemplateMessage(code="bill", title="账单提醒", organisation=org, fields=fields)


def test_valid_definition_passes(matrix):
    validate_template_message(definition(matrix["province"], [{"key": "thing1", "label": "账单月份", "type": "thing"}]))


@pytest.mark.parametrize(
    "fields,needle",
    [
        ([], "至少"),
        ([{"key": "Thing 1", "label": "月份", "type": "thing"}], "Thing 1"),
        ([{"key": "thing1", "label": "a", "type": "thing"}, {"key": "thing1", "label": "b", "type": "thing"}], "重复"),
        ([{"key": "thing1", "label": "", "type": "thing"}], "名称"),
        ([{"key": "thing1", "label": "月份", "type": "money"}], "money"),
        ("thing1", "列表"),
    ],
)
def test_bad_definition_fields_are_refused_naming_the_field(matrix, fields, needle):
    errors = errors_of(validate_template_message, definition(matrix["province"], fields))
    assert any(needle in m for m in errors["fields"])


def test_mapping_needs_an_official_account_the_definition_reaches(matrix):
    branch_definition = TemplateMessageFactory(code="tm_xa", organisation=matrix["branch1"])
    ok = TemplateMessageMapping(definition=branch_definition, account=matrix["account_branch1"], wechat_template_id="Ab-12_x")
    validate_template_mapping(ok)
    sibling = TemplateMessageMapping(definition=branch_definition, account=matrix["account_branch2"], wechat_template_id="Ab12")
    assert "wx-sx-02" in errors_of(validate_template_mapping, sibling)["account"][0]


def test_mapping_with_a_malformed_template_id_is_refused(matrix):
    d = TemplateMessageFactory(code="tm_sx", organisation=matrix["province"])
    bad = TemplateMessageMapping(definition=d, account=matrix["account_branch1"], wechat_template_id="模板 1")
    assert "wechat_template_id" in errors_of(validate_template_mapping, bad)


def test_one_mapping_per_account(matrix):
    d = TemplateMessageFactory(code="tm_sx", organisation=matrix["province"])
    TemplateMessageMapping.objects.create(definition=d, account=matrix["account_branch1"], wechat_template_id="A1")
    again = TemplateMessageMapping(definition=d, account=matrix["account_branch1"], wechat_template_id="A2")
    assert "account" in errors_of(validate_template_mapping, again)
