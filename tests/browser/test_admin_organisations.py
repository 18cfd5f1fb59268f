"""Editors in the admin: the organisation matrix, in Chinese, isolated by branch."""


import pytest

from content.models import Organisation
from tests.support.browser import admin_login


pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_administrator_creates_a_branch_and_is_refused_a_misplaced_outlet(admin_page, matrix, superuser):
    page = admin_page
    admin_login(page, superuser.username)
    # given the organisation list in Chinese
    page.goto(f"{page.base_url}/admin/snippets/content/organisation/")
    assert page.locator("h1").first.inner_text().strip().startswith("组织")
    # when a branch is added under the province
    page.goto(f"{page.base_url}/admin/snippets/content/organisation/add/")
    page.fill("input[name=code]", "SX-08")
    page.fill("input[name=name]", "汉中分公司")
    page.select_option("select[name=level]", "branch")
    page.select_option("select[name=parent]", str(matrix["province"].pk))
    page.click("button.action-save")
    page.wait_for_url(f"{page.base_url}/admin/snippets/content/organisation/")
    # then it is listed
    assert "汉中分公司" in page.content()
    # when an outlet is put straight under the province, the parent field says why
    page.goto(f"{page.base_url}/admin/snippets/content/organisation/add/")
    page.fill("input[name=code]", "SX-08-99")
    page.fill("input[name=name]", "错位营业厅")
    page.select_option("select[name=level]", "outlet")
    page.select_option("select[name=parent]", str(matrix["province"].pk))
    page.click("button.action-save")
    page.wait_for_selector("text=上级必须是地市分公司")
    assert not Organisation.objects.filter(code="SX-08-99").exists()


def test_branch_publisher_sees_only_own_accounts_and_gets_404_for_sibling(admin_page, matrix, branch_publisher):
    page = admin_page
    admin_login(page, branch_publisher.username)
    page.goto(f"{page.base_url}/admin/snippets/content/channelaccount/")
    listing = page.locator("main").inner_text()
    assert "wx-sx-01" in listing
    assert "wx-sx-02" not in listing and "wx-sx\n" not in listing
    response = page.goto(f"{page.base_url}/admin/snippets/content/channelaccount/edit/{matrix['account_branch2'].pk}/")
    assert response.status == 404
