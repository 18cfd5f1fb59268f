"""A publisher sees on the dashboard that an account's WeChat menus drifted from the
CMS, presses 修复, and after a new check the account shows 一致."""


import httpx
import pytest

from menus import services as menus
from publishing.models import AccountDrift
from tests.support.browser import admin_login
from tests.support.menus import make_menu, node


pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_publisher_sees_drift_and_repairs_it(admin_page, official_accounts, wechat_emulator, branch_publisher):
    page = admin_page
    account = official_accounts[0]
    # given the account's menu was pushed, then replaced in WeChat's console
    menus.publish(make_menu(account, [node("1", "查询", "click", event_key="Q")], code="menu-base"))
    assert wechat_emulator.state.snapshot()["menus"][account.app_id]["menu"]["button"][0]["name"] == "查询"
    httpx.post(f"{wechat_emulator.base_url}/_emulator/control/menus/{account.app_id}",
               json={"menu": {"button": [{"type": "click", "name": "改过", "key": "X"}]}}).raise_for_status()
    admin_login(page, branch_publisher.username)
    page.goto(f"{page.base_url}/admin/publishing/")
    row = page.locator(f'tr[data-drift-account="{account.code}"]')
    assert row.locator(".drift-state").inner_text() == "尚未检查"
    # when the publisher checks the account
    row.locator('button:has-text("检查")').click()
    page.wait_for_selector("text=存在偏差")
    # then the drift and the time of the check are shown
    row = page.locator(f'tr[data-drift-account="{account.code}"]')
    assert "默认菜单与平台发布的不同" in row.locator(".drift-findings").inner_text()
    checked = AccountDrift.objects.get(account=account).checked_at
    assert row.locator(".drift-checked").inner_text() != ""
    # when they press 修复
    row.locator('button:has-text("修复")').click()
    page.wait_for_selector("text=已开始修复")
    # then the platform's menu is back on the account, and a new check shows it converged
    assert wechat_emulator.state.snapshot()["menus"][account.app_id]["menu"]["button"][0]["name"] == "查询"
    page.locator(f'tr[data-drift-account="{account.code}"] button:has-text("检查")').click()
    page.wait_for_selector("text=与平台一致")
    assert page.locator(f'tr[data-drift-account="{account.code}"] .drift-state').inner_text() == "一致"
    assert AccountDrift.objects.get(account=account).checked_at > checked
