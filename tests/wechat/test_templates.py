"""Template-message definitions mapped to each account's template ids."""

import pytest

from wechat.errors import PermanentError
from wechat.models import TemplateBinding

pytestmark = pytest.mark.integration


def test_definition_gets_a_template_id_once_per_account(wechat_client, wechat_emulator, app_id):
    # when
    first = wechat_client.ensure_template("bill_reminder", "OPENTM200654400", ["账单月份", "应缴金额"])
    second = wechat_client.ensure_template("bill_reminder", "OPENTM200654400", ["账单月份", "应缴金额"])
    # then
    assert first == second
    assert wechat_emulator.state.calls[app_id]["template/api_add_template"] == 1
    assert TemplateBinding.objects.get(app_id=app_id, code="bill_reminder").template_id == first
    assert [t["template_id"] for t in wechat_client.list_templates()] == [first]


def test_template_message_is_sent_once_when_its_answer_is_lost(wechat_client, wechat_emulator, app_id):
    # given
    template_id = wechat_client.ensure_template("bill_reminder", "OPENTM200654400")
    wechat_emulator.state.script(endpoint="message/template/send", lose_response=True)
    # when
    msgid = wechat_client.send_template_message("openid-1", template_id, {"amount": {"value": "58.00"}},
                                                url="https://m.example.cn/bill")
    # then
    assert [m["msgid"] for m in wechat_emulator.state.messages] == [int(msgid)]
    assert wechat_emulator.state.calls[app_id]["message/template/send"] == 2


def test_message_with_an_unknown_template_fails(wechat_client):
    with pytest.raises(PermanentError) as caught:
        wechat_client.send_template_message("openid-1", "no-such-template", {})
    assert caught.value.errcode == 40037


# -- the emulator's template endpoints: WeChat's shapes and refusals ----------------------------


def test_category_template_needs_its_keywords(wechat_client):
    with pytest.raises(PermanentError) as caught:
        wechat_client.add_template("47123")
    assert caught.value.errcode == 40246
    assert wechat_client.add_template("47123", ["账单月份", "应缴金额"])


def test_an_account_holds_at_most_25_templates(wechat_client, wechat_emulator, app_id):
    for n in range(25):
        wechat_client.add_template(f"OPENTM2006544{n:02d}")
    with pytest.raises(PermanentError) as caught:
        wechat_client.add_template("OPENTM200654499")
    assert caught.value.errcode == 45026
    # a deleted one frees its place
    wechat_client.delete_template(wechat_client.list_templates()[0]["template_id"])
    assert wechat_client.add_template("OPENTM200654499")


@pytest.mark.parametrize(
    "account,touser,data,errcode",
    [
        ({"followers": ["oFollower_000000000000000001"]}, "oStranger_000000000000000001", {}, 40003),
        ({"blocked_openids": ["oBlocked_0000000000000000001"]}, "oBlocked_0000000000000000001", {}, 43101),
        ({}, "oFollower_000000000000000001", {"thing1": {"value": "五月账单" * 6}}, 47003),
        ({}, "oFollower_000000000000000001", {"amount2": {"value": "五十八元"}}, 47003),
        ({}, "oFollower_000000000000000001", {"thing1": "2025年5月"}, 47001),
    ],
)
def test_template_send_refusals_carry_wechats_codes(wechat_client, wechat_emulator, app_id, account, touser, data,
                                                    errcode):
    # given
    template_id = wechat_client.add_template("OPENTM200654400")
    wechat_emulator.state.register(app_id, **account)
    # when
    with pytest.raises(PermanentError) as caught:
        wechat_client.send_template_message(touser, template_id, data)
    # then
    assert caught.value.errcode == errcode
    assert wechat_emulator.state.messages == []


def test_template_sends_over_the_daily_quota_are_refused_with_45009(wechat_client, wechat_emulator, app_id):
    from wechat.errors import DailyQuotaExceeded

    template_id = wechat_client.add_template("OPENTM200654400")
    wechat_emulator.state.configure(daily_quota={"message/template/send": 1})
    wechat_client.send_template_message("oFollower_000000000000000001", template_id, {})
    with pytest.raises(DailyQuotaExceeded):
        wechat_client.send_template_message("oFollower_000000000000000002", template_id, {})
    assert len(wechat_emulator.state.messages) == 1
