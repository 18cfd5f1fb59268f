"""A province publisher rolls the province menu out to branch halls from the admin:
chooses the accounts, previews one hall's menu with its variables and the difference
from what it shows now, pushes, and follows the batch on the dashboard."""

import pytest

from content import roles
from menus.models import MenuRollout
from menus.services import publish
from publishing.models import PublishBatch, State
from tests.support.browser import admin_login
from tests.support.menus import make_menu, node
from tests.support.publishing import make_official_accounts
from tests.support.rollout import name_accounts, province_menu
from tests.support.users import make_editor

pytestmark = [
    pytest.mark.browser,
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
]


def test_publisher_rolls_the_province_menu_out_to_chosen_halls(
    admin_page, matrix_accounts, wechat_emulator
):
    page = admin_page
    publisher = make_editor(
        "publisher-sx", matrix_accounts["wx-sx"].organisation, roles.PUBLISHERS
    )
    province = name_accounts([matrix_accounts["wx-sx"]])[0]
    halls = make_official_accounts(
        matrix_accounts["wx-sx-01"].organisation,
        3,
        wechat_emulator.base_url,
        prefix="wx-hall",
    )
    for n, hall in enumerate(halls):
        hall.name = f"营业厅{n}"
        hall.save(update_fields=["name"])
    name_accounts(halls)
    # given the first hall shows a menu of its own, and the province menu is published
    publish(
        make_menu(
            halls[0], [node("1", "本厅", "click", event_key="OWN")], code="menu-own"
        )
    )
    menu = province_menu(province)
    admin_login(page, publisher.username)
    # when the publisher opens 下发 from the menu list
    page.goto(f"{page.base_url}/admin/snippets/menus/menu/")
    listed = page.locator("tr", has=page.locator("text=menu-sx")).first
    listed.locator("button[aria-label*='省公司菜单']").click()
    listed.locator("a:has-text('下发')").click()
    page.wait_for_url(f"**/admin/publishing/menus/{menu.pk}/rollout/")
    # then the halls are listed with where their menu comes from now
    row = page.locator('tr[data-account="wx-hall-00"]')
    assert "menu-own(自有)" in row.locator(".source").inner_text()
    # when they preview the first hall
    row.locator("text=预览与差异").click()
    page.wait_for_selector("#account-menu-tree")
    # then they see its menu with its own name and hall URL, and what changes from its own menu
    assert (
        "营业厅0 → https://wx-hall-00.example-operator.cn/home"
        in page.locator("#account-menu-tree").inner_text()
    )
    assert (
        "与目前的菜单 menu-own相比" in page.locator("#account-diff-title").inner_text()
    )
    assert page.locator('#account-diff tr[data-kind="removed"]').count() == 1
    # when they go back, choose two halls and push
    page.click("text=返回菜单下发")
    page.check(f"#account-{halls[0].pk}")
    page.check(f"#account-{halls[2].pk}")
    page.click("#rollout-publish")
    page.wait_for_url("**/admin/publishing/batches/*/")
    # then one batch carried both, and each hall's WeChat menu is the province menu with its values
    batch = PublishBatch.objects.filter(kind=PublishBatch.Kind.MENU).latest("pk")
    assert page.url.endswith(f"/admin/publishing/batches/{batch.pk}/")
    assert sorted(batch.publications.values_list("account__code", flat=True)) == [
        "wx-hall-00",
        "wx-hall-02",
    ]
    assert set(batch.publications.values_list("state", flat=True)) == {State.DONE}
    for hall in (halls[0], halls[2]):
        assert page.locator(f"text={hall.code}").count() >= 1
        button = wechat_emulator.state.snapshot()["menus"][hall.app_id]["menu"][
            "button"
        ][0]
        assert button["url"] == f"https://{hall.code}.example-operator.cn/home"
    assert sorted(MenuRollout.objects.values_list("account__code", flat=True)) == [
        "wx-hall-00",
        "wx-hall-02",
    ]
    # and the rollout page shows the choice
    page.goto(f"{page.base_url}/admin/publishing/menus/{menu.pk}/rollout/")
    assert page.locator(f"#account-{halls[0].pk}").is_checked()
    assert not page.locator(f"#account-{halls[1].pk}").is_checked()
    assert (
        "menu-sx(下发自 陕西省公司)"
        in page.locator('tr[data-account="wx-hall-02"] .source').inner_text()
    )
