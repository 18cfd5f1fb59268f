"""The admin: the sends list under organisation isolation, and the test-send's checks."""

import pytest
from django.urls import reverse

from notices.models import Send
from tests.support.content import committed

from .conftest import VALUES, make_definition

pytestmark = pytest.mark.integration

SENDS_URL = "/admin/snippets/notices/send/"


def make_send(account, openid, **fields):
    return Send.objects.create(
        account=account,
        code="bill_reminder",
        openid=openid,
        values=VALUES,
        template_id="tpl-1",
        client_msg_id=f"c-{openid}",
        caller="client:billing",
        **fields,
    )


def test_a_branch_editor_lists_only_the_sends_of_its_accounts(client, matrix, branch_editor):
    # given
    own = make_send(matrix["account_branch1"], "oOwn_000000000000000000000001", state=Send.State.DELIVERED)
    sibling = make_send(matrix["account_branch2"], "oSibling_00000000000000000001")
    province = make_send(matrix["account_province"], "oProvince_000000000000000001")
    client.force_login(branch_editor)
    # when
    response = client.get(SENDS_URL)
    # then
    assert response.status_code == 200
    text = response.content.decode()
    assert own.openid in text and sibling.openid not in text and province.openid not in text
    assert client.get(f"{SENDS_URL}inspect/{own.pk}/").status_code == 200
    assert client.get(f"{SENDS_URL}inspect/{sibling.pk}/").status_code == 404
    # read-only: nobody adds or edits a send
    assert client.get(f"{SENDS_URL}add/").status_code in (302, 403)


def test_test_send_of_another_branchs_definition_is_not_found(
    client, matrix, accounts, sibling_editor, branch_editor, bill
):
    # given: a definition of SX-01
    own = make_definition(matrix["branch1"], [accounts["wx-sx-01"]], code="arrears")
    # then: a sibling branch's editor does not find it
    client.force_login(sibling_editor)
    assert client.get(reverse("notices_test_send", args=[own.pk])).status_code == 404
    # nor a branch editor the province's
    client.force_login(branch_editor)
    assert client.get(reverse("notices_test_send", args=[bill.pk])).status_code == 404
    # its own editor does
    assert client.get(reverse("notices_test_send", args=[own.pk])).status_code == 200


def test_test_send_shows_what_is_wrong_and_sends_nothing(
    client, matrix, accounts, province_editor, bill, wechat_emulator
):
    # given
    client.force_login(province_editor)
    url = reverse("notices_test_send", args=[bill.pk])
    # when: a value over its keyword's length
    with committed():
        response = client.post(
            url,
            {
                "account": "wx-sx-01",
                "openid": "oTester_00000000000000000001",
                "value_thing1": "五月账单" * 6,
                "value_amount2": "58.00元",
                "value_time3": "2025年6月10日 23:59",
            },
        )
    # then
    assert response.status_code == 200
    assert "超过事物类型的20个字符" in response.content.decode()
    assert not Send.objects.exists() and wechat_emulator.state.messages == []


def test_test_send_goes_out_flagged_as_a_test(client, matrix, accounts, province_editor, bill, wechat_emulator):
    client.force_login(province_editor)
    with committed():
        response = client.post(
            reverse("notices_test_send", args=[bill.pk]),
            {
                "account": "wx-sx-01",
                "openid": "oTester_00000000000000000001",
                **{f"value_{k}": v for k, v in VALUES.items()},
            },
        )
    assert response.status_code == 200
    send = Send.objects.get()
    assert send.test and send.caller == f"admin:{province_editor.username}" and send.state == Send.State.SENT
    assert [m["touser"] for m in wechat_emulator.state.messages] == ["oTester_00000000000000000001"]
