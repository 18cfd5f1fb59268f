"""The sender API: a business system sends a template message by definition code,
account, openid, values and its own message id; bad input gets a clear error naming
the field and nothing is sent; a replayed id returns the original send."""

import pytest

from callback.models import Follower
from content.models import TemplateMessageMapping
from notices.models import Send

from .conftest import VALUES, make_definition, post_send

pytestmark = pytest.mark.integration


def messages(wechat_emulator):
    return wechat_emulator.state.messages


def test_a_template_message_is_sent_and_recorded(client, bill, billing, accounts, wechat_emulator):
    # when
    response = post_send(client, billing, url="https://m.example.cn/bill")
    # then: accepted, sent once with the account's own template id
    assert response.status_code == 202, response.content
    answer = response.json()
    assert answer["replayed"] is False
    send = Send.objects.get()
    assert answer["send"]["id"] == send.pk
    (message,) = messages(wechat_emulator)
    mapping = TemplateMessageMapping.objects.get(definition=bill, account=accounts["wx-sx-01"])
    assert message["appid"] == accounts["wx-sx-01"].app_id and message["template_id"] == mapping.wechat_template_id
    assert message["data"] == {key: {"value": value} for key, value in VALUES.items()}
    assert message["url"] == "https://m.example.cn/bill"
    assert send.state == Send.State.SENT and send.msgid == str(message["msgid"])
    assert send.caller == "client:billing-sx01"
    # and the caller reads the outcome back
    outcome = client.get("/api/notices/sends/wx-sx-01/BILL-202505-0001/", HTTP_AUTHORIZATION=f"Bearer {billing}")
    assert outcome.json()["send"]["state"] == "sent" and outcome.json()["send"]["msgid"] == send.msgid


def test_a_replayed_client_message_id_returns_the_original_send(client, bill, billing, wechat_emulator):
    # given
    first = post_send(client, billing).json()["send"]
    # when
    again = post_send(client, billing)
    # then
    assert again.status_code == 200
    assert again.json() == {
        "send": first
        | {"state": "sent", "msgid": again.json()["send"]["msgid"], "sent_at": again.json()["send"]["sent_at"]},
        "replayed": True,
    }
    assert Send.objects.count() == 1 and len(messages(wechat_emulator)) == 1


def test_a_client_message_id_reused_for_another_message_is_refused(client, bill, billing, wechat_emulator):
    # given
    post_send(client, billing)
    # when
    response = post_send(client, billing, values=VALUES | {"amount2": "99.00元"})
    # then
    assert response.status_code == 409
    assert response.json()["errors"][0]["code"] == "CLIENT_MSG_ID_REUSED"
    assert "BILL-202505-0001" in response.json()["errors"][0]["message"]
    assert Send.objects.count() == 1 and len(messages(wechat_emulator)) == 1


@pytest.mark.parametrize(
    "body,field,code,needle",
    [
        ({"definition": "no_such_notice"}, "definition", "UNKNOWN_DEFINITION", "no_such_notice"),
        ({"values": VALUES | {"thing1": "五月账单" * 6}}, "values.thing1", "TOO_LONG", "20个字符"),
        ({"values": VALUES | {"amount2": 58}}, "values.amount2", "WRONG_TYPE", "必须是文本"),
        ({"values": VALUES | {"amount2": "五十八元"}}, "values.amount2", "INVALID_VALUE", "币种符号"),
        ({"values": {"thing1": "2025年5月账单", "amount2": "58.00元"}}, "values.time3", "REQUIRED", "time3"),
        ({"values": VALUES | {"remark": "谢谢"}}, "values.remark", "UNKNOWN_FIELD", "remark"),
        ({"openid": "not an openid!"}, "openid", "INVALID_VALUE", "openid"),
        ({"client_msg_id": ""}, "client_msg_id", "REQUIRED", "调用方消息ID"),
        ({"url": "javascript:alert(1)"}, "url", "INVALID_VALUE", "http"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_nothing_is_sent(
    client, bill, billing, wechat_emulator, body, field, code, needle
):
    # when
    response = post_send(client, billing, **body)
    # then
    assert response.status_code == 400, response.content
    errors = response.json()["errors"]
    assert any(e["field"] == field and e["code"] == code and needle in e["message"] for e in errors), errors
    assert not Send.objects.exists() and messages(wechat_emulator) == []


def test_an_openid_of_another_account_is_refused(client, bill, billing, accounts, wechat_emulator):
    # given: the callback heard this openid at the province's account, never at SX-01's
    Follower.objects.create(account=accounts["wx-sx"], openid="oProvince_000000000000000001")
    # when
    response = post_send(client, billing, openid="oProvince_000000000000000001")
    # then: refused without naming the other account
    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert error["code"] == "FOREIGN_OPENID" and "wx-sx-01" in error["message"] and "wx-sx " not in error["message"]
    assert messages(wechat_emulator) == []


def test_an_openid_that_unsubscribed_is_refused(client, bill, billing, accounts, wechat_emulator):
    Follower.objects.create(account=accounts["wx-sx-01"], openid="oGone_0000000000000000000001", subscribed=False)
    response = post_send(client, billing, openid="oGone_0000000000000000000001")
    assert response.json()["errors"][0]["code"] == "UNSUBSCRIBED"
    assert messages(wechat_emulator) == []


def test_a_follower_of_the_account_is_sent_to(client, bill, billing, accounts, wechat_emulator):
    # given: known at SX-01 (and at the province: the same person has no same openid, but a
    # recycled test id may; the account's own record decides)
    Follower.objects.create(account=accounts["wx-sx-01"], openid="oBill_0000000000000000000001")
    Follower.objects.create(account=accounts["wx-sx"], openid="oBill_0000000000000000000001")
    assert post_send(client, billing).status_code == 202
    assert len(messages(wechat_emulator)) == 1


def test_an_account_the_caller_is_not_bound_to_is_forbidden(client, bill, billing, wechat_emulator):
    response = post_send(client, billing, account="wx-sx")
    assert response.status_code == 403
    assert response.json()["errors"][0] == {
        "field": "account",
        "code": "ACCOUNT_NOT_ALLOWED",
        "message": "公众号 wx-sx 不存在或不在本调用方的授权范围内",
    }
    assert messages(wechat_emulator) == []


def test_without_a_token_nothing_is_sent(client, bill, wechat_emulator):
    response = post_send(client, None)
    assert response.status_code == 401
    assert response.json()["errors"][0]["code"] == "UNAUTHENTICATED"
    assert not Send.objects.exists()


def test_a_definition_not_yet_bound_on_the_account_is_refused(client, matrix, accounts, billing, wechat_emulator):
    # given: published, but WeChat refused the keywords, so SX-01 has no template id
    wechat_emulator.state.script(endpoint="template/api_add_template", errcode=40246)
    make_definition(matrix["branch1"], [accounts["wx-sx-01"]], short="47123")
    response = post_send(client, billing)
    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert error["code"] == "NOT_BOUND" and "wx-sx-01" in error["message"] and "40246" in error["message"]


def test_an_unpublished_definition_is_unknown(client, matrix, accounts, billing, wechat_emulator):
    make_definition(matrix["branch1"], [accounts["wx-sx-01"]], live=False)
    response = post_send(client, billing)
    assert response.json()["errors"][0]["code"] == "UNKNOWN_DEFINITION"
