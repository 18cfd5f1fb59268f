"""The test-send of a template message, driven in Chromium the way an editor uses it."""

import pytest
from django.db import connections
from django.urls import reverse
from playwright.sync_api import expect

from content.models import TemplateMessage
from notices.models import Send
from tests.support.browser import admin_login
from tests.support.users import make_editor

from .conftest import VALUES, make_definition

pytestmark = [pytest.mark.browser, pytest.mark.integration]


@pytest.mark.django_db(transaction=True)
def test_editor_test_sends_a_definition_to_a_test_openid(admin_page, live_server, matrix, accounts, wechat_emulator):
    # given: a published definition of SX-01 (its template id obtained) and an editor of SX-01
    page = admin_page
    definition = make_definition(matrix["branch1"], [accounts["wx-sx-01"]])
    make_editor("editor-notice", matrix["branch1"])
    admin_login(page, "editor-notice")
    # when: from the definition's edit view, the action menu's 测试发送
    page.goto(live_server.url + reverse(TemplateMessage.snippet_viewset.get_url_name("edit"), args=[definition.pk]))
    page.locator("footer [data-w-dropdown-target='toggle']").first.click()
    page.get_by_role("link", name="测试发送").click()
    page.wait_for_url(f"**/admin/notices/test-send/{definition.pk}/")
    # a value too long first: the page says which field and sends nothing
    page.fill("#id_openid", "oTester_00000000000000000001")
    page.fill("#id_value_thing1", "五月账单" * 6)
    page.fill("#id_value_amount2", VALUES["amount2"])
    page.fill("#id_value_time3", VALUES["time3"])
    page.get_by_role("button", name="发送测试消息").click()
    expect(page.locator("[data-error-for='values.thing1']")).to_contain_text("20个字符")
    assert wechat_emulator.state.messages == []
    # then corrected
    page.fill("#id_value_thing1", VALUES["thing1"])
    page.get_by_role("button", name="发送测试消息").click()
    # then: sent to the test openid, and listed among the sends as a test
    expect(page.locator("[data-test-send-result]")).to_contain_text("微信已受理")
    (message,) = wechat_emulator.state.messages
    assert message["touser"] == "oTester_00000000000000000001"
    assert message["data"]["thing1"] == {"value": VALUES["thing1"]}
    page.get_by_role("link", name="查看发送记录").click()
    expect(page.locator("table.listing")).to_contain_text("oTester_00000000000000000001")
    assert Send.objects.get().test
    connections.close_all()
