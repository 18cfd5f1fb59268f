"""An editor creates a mass send, previews it to a test follower, a publisher of the
branch approves it, the editor sends it and sees each account's counts once WeChat
(the emulator) reports the end of the send to the callback."""

import pytest

from broadcasts.models import Broadcast, BroadcastSend, State
from content.services.accounts import set_secret
from tests.support.browser import admin_login, new_page

from .conftest import followers

pytestmark = [
    pytest.mark.browser,
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
]
TOKEN = "browser-mass-token"
SNIPPETS = "/admin/snippets/broadcasts/broadcast/"


def open_more_actions(page):
    page.locator("footer .w-dropdown__toggle").first.click()


def test_editor_previews_publisher_approves_editor_sends_and_sees_counts(
    admin_page,
    chromium,
    live_server,
    accounts,
    wechat_emulator,
    branch_editor,
    branch_publisher,
):
    account = accounts["branch"]
    set_secret(account, "callback_token", TOKEN)
    wechat_emulator.state.configure(publish_delay_ms=50, callback_base=live_server.url)
    wechat_emulator.state.register(
        account.app_id, code=account.code, callback_token=TOKEN
    )
    followers(
        wechat_emulator,
        account,
        [("oTester", [], False), ("oFan1", [], False), ("oFan2", [], True)],
    )
    page = admin_page
    page.on("dialog", lambda dialog: dialog.accept())
    admin_login(page, branch_editor.username)

    # the editor writes a text mass send for the branch's account and saves a draft
    page.goto(f"{page.base_url}{SNIPPETS}add/")
    page.fill("input[name=title]", "月末流量提醒")
    page.select_option("select[name=kind]", "text")
    page.fill("textarea[name=text]", "本月流量即将清零,回复 CXLL 查询余量")
    page.locator(f"input[name=accounts][value='{account.pk}']").check()
    page.locator("footer button.action-save").first.click()
    page.wait_for_load_state("networkidle")
    broadcast = Broadcast.objects.get(title="月末流量提醒")
    assert not broadcast.live

    # previews it to a test follower from the 预览与发送 page; the send button waits for approval
    page.goto(f"{page.base_url}/admin/broadcasts/{broadcast.pk}/send/")
    page.fill("input[name=touser]", "oTester")
    page.locator("[data-action=preview]").click()
    page.wait_for_selector(".broadcast-previews tr[data-state=sent]")
    assert "当前内容" in page.locator(".broadcast-previews tbody tr").first.inner_text()
    assert "尚未审核通过" in page.locator(".broadcast-problems").inner_text()
    assert page.locator("[data-action=send]").is_disabled()
    assert (
        "每人每月 4 条"
        in page.locator('.broadcast-quotas tr[data-account="wx-sx-01"]').inner_text()
    )

    # submits it for review
    page.goto(f"{page.base_url}{SNIPPETS}edit/{broadcast.pk}/")
    open_more_actions(page)
    page.locator("button[name=action-submit]").click()
    page.wait_for_load_state("networkidle")
    assert Broadcast.objects.get(pk=broadcast.pk).workflow_in_progress

    # a publisher of the branch approves it
    with new_page(chromium, live_server.url) as publisher_page:
        admin_login(publisher_page, branch_publisher.username)
        publisher_page.goto(f"{live_server.url}{SNIPPETS}edit/{broadcast.pk}/")
        approve = publisher_page.locator(
            "footer [data-workflow-action-name=approve]:not([data-workflow-action-modal-url])"
        )
        if not approve.first.is_visible():
            open_more_actions(publisher_page)
        approve.first.click()
        publisher_page.wait_for_load_state("networkidle")
    assert Broadcast.objects.get(pk=broadcast.pk).live

    # the editor sends it; the account's row shows the counts WeChat reported
    page.goto(f"{page.base_url}/admin/broadcasts/{broadcast.pk}/send/")
    assert page.locator(".broadcast-problems").count() == 0
    page.locator("[data-action=send]").click()
    page.wait_for_selector("text=已排队群发到 1 个公众号")
    send = BroadcastSend.objects.get(broadcast=broadcast)
    for _ in range(100):
        send.refresh_from_db()
        if send.state == State.SENT:
            break
        page.wait_for_timeout(100)
    page.goto(f"{page.base_url}/admin/broadcasts/{broadcast.pk}/send/")
    row = page.locator('.broadcast-sends tr[data-account="wx-sx-01"]')
    assert row.get_attribute("data-state") == "sent"
    assert (
        row.locator(".sent").inner_text() == "2"
        and row.locator(".errors").inner_text() == "1"
    )

    # and deletes the sent message
    page.locator("[data-action=delete]").click()
    page.wait_for_selector('.broadcast-sends tr[data-state="deleted"]')
    assert BroadcastSend.objects.get(pk=send.pk).state == State.DELETED
