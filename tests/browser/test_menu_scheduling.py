"""A publisher schedules a menu in the tree editor, sees it planned in the editor and
the menu list, and beat puts it live at its time."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from wagtail.models import Revision

from content import roles
from menus import scheduling
from menus.services import live_version, published_tree
from tests.support.browser import admin_login
from tests.support.factories import SmsAccountFactory
from tests.support.menus import make_menu, make_template, node
from tests.support.users import make_editor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_publisher_schedules_a_menu_and_beat_puts_it_live_then(admin_page, matrix):
    # given: an SMS menu never published, its reply template live
    page = admin_page
    publisher = make_editor("publisher-sx", matrix["province"], roles.PUBLISHERS)
    account = SmsAccountFactory(
        code="sms-sx", name="10086短信营业厅", organisation=matrix["province"]
    )
    make_template("CXTC-REPLY", "您的套餐为畅享。", organisation=matrix["province"])
    menu = make_menu(
        account,
        [node("1", "查询套餐", "command", command="CXTC", reply_template="CXTC-REPLY")],
        code="menu-sms-sx",
        name="10086主菜单",
    )
    go_live = timezone.localtime(timezone.now() + timedelta(days=1)).replace(
        second=0, microsecond=0
    )
    expire = go_live + timedelta(days=30)
    admin_login(page, publisher.username)
    page.goto(f"{page.base_url}/admin/menus/{menu.pk}/tree/")
    assert page.locator("[data-live-version]").inner_text() == "尚未发布"

    # when: the publisher sets a go-live and an expiry time and schedules
    page.fill("input[name=go_live_at]", go_live.strftime("%Y-%m-%dT%H:%M"))
    page.fill("input[name=expire_at]", expire.strftime("%Y-%m-%dT%H:%M"))
    page.click("[data-schedule]")

    # then: the editor shows the plan, nothing is served yet
    page.wait_for_selector("[data-scheduled]")
    assert (
        page.locator("[data-scheduled]").inner_text()
        == f"已计划于 {go_live:%Y-%m-%d %H:%M} 上线"
    )
    assert (
        page.locator("[data-expires]").inner_text()
        == f"将于 {expire:%Y-%m-%d %H:%M} 下线"
    )
    assert (
        f"菜单 menu-sms-sx 已计划于 {go_live:%Y-%m-%d %H:%M} 上线"
        in page.locator(".messages").inner_text()
    )
    assert published_tree(account) == []
    # and the menu list says it is scheduled, with its time
    page.goto(f"{page.base_url}/admin/snippets/menus/menu/")
    row = page.locator("tr", has_text="10086主菜单")
    assert "已计划" in row.inner_text()

    # and: the planned menu is locked until then; the publisher may cancel the plan and plan again
    page.goto(f"{page.base_url}/admin/menus/{menu.pk}/tree/")
    assert page.locator("[data-schedule]").count() == 0
    page.click("[data-unschedule]")
    page.wait_for_selector("[data-schedule]")
    assert (
        page.locator("[data-scheduled]").count() == 0
        and scheduling.scheduled_revision(menu) is None
    )
    page.fill("input[name=go_live_at]", go_live.strftime("%Y-%m-%dT%H:%M"))
    page.fill("input[name=expire_at]", expire.strftime("%Y-%m-%dT%H:%M"))
    page.click("[data-schedule]")
    page.wait_for_selector("[data-scheduled]")

    # when: the time comes and beat runs
    revision = scheduling.scheduled_revision(menu)
    past = timezone.now() - timedelta(seconds=1)
    revision.content["go_live_at"] = past.isoformat()
    Revision.objects.filter(pk=revision.pk).update(
        content=revision.content, approved_go_live_at=past
    )
    call_command("publish_scheduled")

    # then: version 1 serves, the editor no longer shows a plan, only the expiry
    page.goto(f"{page.base_url}/admin/menus/{menu.pk}/tree/")
    assert page.locator("[data-live-version]").inner_text().startswith("线上版本 v1")
    assert page.locator("[data-scheduled]").count() == 0
    assert (
        page.locator("[data-expires]").inner_text()
        == f"将于 {expire:%Y-%m-%d %H:%M} 下线"
    )
    assert live_version(menu).number == 1
    assert [n["name"] for n in published_tree(account)] == ["查询套餐"]
