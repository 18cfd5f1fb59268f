"""The SMS simulator answers a customer of a brand as the hall would: the template
bound for the brand, else the default, else the menu's own; and only from LIVE
templates, also when one was withdrawn after the menu was published."""

import pytest

from menus.services import publish
from menus.simulator import simulate
from tests.support.content import unpublish
from tests.support.factories import SmsTemplateFactory
from tests.support.menus import make_menu

pytestmark = pytest.mark.django_db


@pytest.fixture
def hall(sms_account, templates, sms_nodes):
    """The small tree published (1.2 套餐 answers CXTC with TPL-PACKAGE), and a
    published 全球通 reply to CXTC bound on the hall."""
    publish(make_menu(sms_account, sms_nodes))
    gotone = SmsTemplateFactory(
        code="TPL-TC-GOTONE",
        category="reply",
        organisation=sms_account.organisation,
        commands=["CXTC"],
        brands=["gotone"],
        text="尊敬的全球通客户,您的套餐为全球通畅享。",
        parameters=[],
        published=True,
    )
    return sms_account, gotone


def test_a_brand_customer_gets_the_brands_reply_by_digits_and_by_command(hall):
    account, _gotone = hall
    # when a 全球通 customer walks to 1.2, then sends the command
    result = simulate(account, "gotone", ["1", "2", "CXTC"])
    # then both answers are the 全球通 template, signed
    assert [s.template for s in result.steps] == ["", "TPL-TC-GOTONE", "TPL-TC-GOTONE"]
    assert result.reply_text == "【中国移动】尊敬的全球通客户,您的套餐为全球通畅享。"


def test_other_brands_and_unknown_callers_get_the_menus_reply(hall):
    account, _ = hall
    for brand in ("mzone", None):
        result = simulate(account, brand, ["CXTC"])
        assert result.steps[0].template == "TPL-PACKAGE", brand
        assert "全球通" not in result.reply_text


def test_a_default_binding_answers_brands_without_their_own(hall, sms_account):
    # given a published default reply to C21 besides the menu's
    SmsTemplateFactory(
        code="TPL-C21",
        category="reply",
        organisation=sms_account.organisation,
        commands=["C21"],
        text="短信营业厅使用说明:回复序号进入菜单。",
        parameters=[],
        published=True,
    )
    # when an mzone customer sends it
    result = simulate(sms_account, "mzone", ["C21"])
    # then
    assert result.steps[0].template == "TPL-C21"


def test_a_template_withdrawn_after_the_menu_was_published_no_longer_answers(
    hall, templates
):
    account, _ = hall
    # given 1.1 余额 answers with TPL-BALANCE, which is then unpublished
    unpublish(templates["balance"])
    # when
    step = simulate(account, None, ["1", "1"]).steps[-1]
    # then the hall does not answer with the withdrawn text
    assert step.kind == "unknown" and step.template == ""
    assert "TPL-BALANCE" in step.reply_text and "未发布" in step.reply_text
    assert "话费余额" not in step.reply_text


def test_a_withdrawn_brand_reply_leaves_the_brand_the_menus_reply(hall):
    account, gotone = hall
    unpublish(gotone)
    result = simulate(account, "gotone", ["CXTC"])
    assert result.steps[0].template == "TPL-PACKAGE"
    assert "全球通畅享" not in result.reply_text
