"""The message log in the admin, driven in Chromium the way an editor uses it."""

import os

import pytest

from publishing.callback.models import MessageLog

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = pytest.mark.browser

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync"]


@pytest.fixture
def page(live_server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(locale="zh-CN")
        yield context.new_page()
        browser.close()


@pytest.mark.django_db(transaction=True)
def test_branch_editor_reads_own_accounts_messages_in_the_admin(page, live_server, matrix):
    # given: messages of the editor's account and of a sibling branch's account
    from tests.conftest import make_editor

    editor = make_editor("editor-browser", matrix["branch1"])
    MessageLog.objects.create(account=matrix["account_branch1"], openid="o-own-1", msg_type="text", excerpt="查流量",
                              matched_kind="keyword", matched_label="流量", matched_rule_id=7)
    MessageLog.objects.create(account=matrix["account_branch1"], openid="o-own-2", msg_type="event", event="subscribe",
                              matched_kind="subscribe")
    MessageLog.objects.create(account=matrix["account_branch2"], openid="o-sibling", msg_type="text", excerpt="别家")

    # when: the editor logs in and opens the message log from the menu
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", editor.username)
    page.fill("#id_password", "pw")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")
    page.click("text=公众号消息日志")
    page.wait_for_url("**/admin/snippets/wechat_callback/messagelog/**")

    # then: own messages with the rule that answered, nothing of the sibling
    table = page.locator("table.listing")
    table.wait_for()
    text = table.inner_text()
    assert "o-own-1" in text and "o-own-2" in text and "o-sibling" not in text
    assert "关键词回复 流量 #7" in text
    assert page.locator("a[href$='/messagelog/add/']").count() == 0

    # when: filtering by the message type
    page.goto(f"{live_server.url}/admin/snippets/wechat_callback/messagelog/?msg_type=event")
    text = page.locator("table.listing").inner_text()
    # then
    assert "o-own-2" in text and "o-own-1" not in text

    # when: opening a row
    row = MessageLog.objects.get(openid="o-own-2")
    page.goto(f"{live_server.url}/admin/snippets/wechat_callback/messagelog/inspect/{row.pk}/")
    # then
    assert "subscribe" in page.content()

    # and a sibling's row is not found
    sibling = MessageLog.objects.get(openid="o-sibling")
    response = page.goto(f"{live_server.url}/admin/snippets/wechat_callback/messagelog/inspect/{sibling.pk}/")
    assert response.status == 404
