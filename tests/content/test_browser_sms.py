"""An editor creates an SMS template watching the live length, segment count and
preview, submits it for approval; a publisher of the branch approves it."""


import pytest

from content.models import SmsTemplate
from tests.support.browser import admin_login, new_page
from tests.support.factories import SmsAccountFactory


pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ADD = "/admin/snippets/content/smstemplate/add/"


def open_more_actions(page):
    page.locator("footer .w-dropdown__toggle").first.click()


def test_editor_sees_live_segments_submits_and_publisher_approves(admin_page, chromium, live_server, matrix,
                                                                   branch_editor, branch_publisher):
    SmsAccountFactory(code="sms-10086", organisation=matrix["province"], max_segments=1)
    page = admin_page
    admin_login(page, branch_editor.username)

    # given the editor on a new SMS template
    page.goto(f"{page.base_url}{ADD}")
    page.fill("input[name=code]", "SMS-LIVE")
    page.select_option("select[name=category]", "reply")
    page.select_option("select[name=organisation]", str(matrix["branch1"].pk))
    panel = page.locator("[data-sms-measure]")

    # when they type the text and declare its parameter
    page.fill("textarea[name=parameters]", "balance amount 10")
    page.fill("input[name=commands]", "cxye")
    page.fill("textarea[name=text]", "您的余额为{balance}元。")
    # then the panel shows the length, one segment and a preview with a sample value and the signature
    page.wait_for_function(
        "document.querySelector('[data-sms-preview]').textContent.includes('58.00')"
    )
    assert panel.locator("[data-sms-length]").inner_text() == "16"
    assert panel.locator("[data-sms-preview]").inner_text() == "【中国移动】您的余额为58.00元。"
    assert panel.locator("[data-sms-worst-segments]").inner_text() == "1"
    assert panel.locator("[data-sms-account]").inner_text() == "sms-10086"

    # when the text grows past one SMS for this account, the count follows and the problem is named
    page.fill("textarea[name=text]", "您的余额为{balance}元。" + "请及时充值" * 12)
    page.wait_for_function("document.querySelector('[data-sms-worst-segments]').textContent === '2'")
    assert "超过账号上限1条" in panel.locator("[data-sms-problems]").inner_text()
    page.fill("textarea[name=text]", "您的余额为{balance}元。")
    page.wait_for_function("document.querySelector('[data-sms-worst-segments]').textContent === '1'")

    # when the editor submits it for approval
    open_more_actions(page)
    page.locator("button[name=action-submit]").click()
    page.wait_for_url(f"{page.base_url}/admin/snippets/content/smstemplate/")
    template = SmsTemplate.objects.get(code="SMS-LIVE")
    assert template.workflow_in_progress and not template.live

    # then a publisher of the branch approves it from the edit page
    with new_page(chromium, live_server.url) as publisher_page:
        admin_login(publisher_page, branch_publisher.username)
        publisher_page.goto(f"{live_server.url}/admin/snippets/content/smstemplate/edit/{template.pk}/")
        approve = publisher_page.locator("footer [data-workflow-action-name=approve]:not([data-workflow-action-modal-url])")
        if not approve.first.is_visible():
            open_more_actions(publisher_page)
        approve.first.click()
        publisher_page.wait_for_load_state("networkidle")
    template.refresh_from_db()
    assert template.live and not template.workflow_in_progress
    assert list(template.command_bindings.values_list("command", flat=True)) == ["CXYE"]
