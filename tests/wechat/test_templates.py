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
