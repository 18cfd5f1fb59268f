"""The message log in the admin, driven in Chromium the way an editor uses it."""


import pytest

from callback.models import MessageLog
from tests.support.browser import admin_login
from tests.support.users import make_editor


pytestmark = pytest.mark.browser

LOG_URL = "/admin/snippets/wechat_callback/messagelog/"


@pytest.mark.django_db(transaction=True)
def test_branch_editor_reads_own_accounts_messages_in_the_admin(admin_page, matrix):
    # given: messages of the editor's account and of a sibling branch's account
    page = admin_page
    editor = make_editor("editor-browser", matrix["branch1"])
    MessageLog.objects.create(account=matrix["account_branch1"], openid="o-own-1", msg_type="text", excerpt="查流量",
                              matched_kind="keyword", matched_label="流量", matched_rule_id=7)
    MessageLog.objects.create(account=matrix["account_branch1"], openid="o-own-2", msg_type="event", event="subscribe",
                              matched_kind="subscribe")
    MessageLog.objects.create(account=matrix["account_branch2"], openid="o-sibling", msg_type="text", excerpt="别家")

    # when: the editor logs in and opens the message log from the menu
    admin_login(page, editor.username)
    page.click("text=公众号消息日志")
    page.wait_for_url(f"**{LOG_URL}**")

    # then: own messages with the rule that answered, nothing of the sibling, nothing to add
    listing = page.locator("table.listing")
    listing.wait_for()
    text = listing.inner_text()
    assert "o-own-1" in text and "o-own-2" in text and "o-sibling" not in text
    assert "关键词回复 流量 #7" in text
    assert page.locator(f"a[href$='{LOG_URL}add/']").count() == 0

    # when: filtering by the message type
    page.goto(f"{page.base_url}{LOG_URL}?msg_type=event")
    text = page.locator("table.listing").inner_text()
    # then
    assert "o-own-2" in text and "o-own-1" not in text

    # when: opening a row
    row = MessageLog.objects.get(openid="o-own-2")
    page.goto(f"{page.base_url}{LOG_URL}inspect/{row.pk}/")
    # then
    assert "subscribe" in page.content()

    # and a sibling's row is not found
    sibling = MessageLog.objects.get(openid="o-sibling")
    assert page.goto(f"{page.base_url}{LOG_URL}inspect/{sibling.pk}/").status == 404
