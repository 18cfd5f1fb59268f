"""The admin in Chromium: the sidebar's one search as a branch editor, and an admin
that asks no outside host (it renders fully on a machine without internet)."""

from urllib.parse import urlsplit

import pytest

from tests.support.browser import admin_login
from tests.support.factories import ArticleFactory, SmsTemplateFactory


pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "[::1]"}


def test_branch_editor_searches_from_the_sidebar_and_finds_own_items_by_a_chinese_substring(
        admin_page, matrix, branch_editor):
    ArticleFactory(code="ART-OWN", title="冬季流量狂欢图文", organisation=matrix["branch1"], live=False)
    SmsTemplateFactory(code="SMS-OWN", text="冬季流量狂欢,回复{code}领取。", parameters=["code code 6"],
                       organisation=matrix["branch1"])
    ArticleFactory(code="ART-SIB", title="宝鸡冬季流量狂欢", organisation=matrix["branch2"])
    page = admin_page
    admin_login(page, branch_editor.username)

    # when the editor types a few Chinese characters in the sidebar's search box
    box = page.locator("#menu-search-q")
    box.fill("流量狂欢")
    box.press("Enter")
    page.wait_for_url("**/admin/search/?q=*")

    # then their article (a draft) and SMS template show, grouped by kind, and the sibling's article does not
    articles = page.locator("[data-search-kind=图文素材]")
    assert "冬季流量狂欢图文" in articles.inner_text()
    assert articles.locator("[data-search-status]").inner_text() == "草稿"
    assert "SMS-OWN" in page.locator("[data-search-kind=短信模板]").inner_text()
    assert "宝鸡" not in page.locator("main").inner_text()

    # and the result opens the item's edit page
    page.click("text=冬季流量狂欢图文")
    page.wait_for_url("**/admin/snippets/content/article/edit/*/")


def test_admin_asks_no_outside_host(admin_page, matrix, superuser):
    superuser.set_password("pw")
    superuser.email = "root@example.com"  # would ask gravatar for an avatar
    superuser.save()
    article = ArticleFactory(code="ART-OFF", organisation=matrix["branch1"])
    page = admin_page
    outside = []

    def refuse_outside(route):
        host = urlsplit(route.request.url).hostname or ""
        if route.request.url.startswith(("data:", "blob:")) or host in LOCAL_HOSTS:
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", refuse_outside)
    admin_login(page, superuser.username)
    page.wait_for_load_state("networkidle")
    page.goto(f"{page.base_url}/admin/snippets/content/article/edit/{article.pk}/")
    page.wait_for_load_state("networkidle")
    page.goto(f"{page.base_url}/admin/account/")
    page.wait_for_load_state("networkidle")

    assert outside == []
