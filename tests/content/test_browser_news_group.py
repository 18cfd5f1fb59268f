"""An editor builds a news group (图文组合) in the browser: two rows added, an
article chosen in each through the (organisation-scoped) chooser, saved as a draft
in that order."""


import pytest

from content.models import NewsGroup
from tests.support.browser import admin_login
from tests.support.factories import ArticleFactory


pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ADD = "/admin/snippets/content/newsgroup/add/"


def choose(page, row, title):
    page.locator(f"#inline_child_entries-{row} [data-chooser-action-choose]").click()
    modal = page.locator(".modal-content")
    modal.get_by_role("link", name=title).click()
    page.locator(".modal.in").wait_for(state="detached")
    page.wait_for_function(
        f"document.querySelector('#inline_child_entries-{row} [data-chooser-title]').textContent.includes('{title}')"
    )


def test_editor_builds_a_group_choosing_own_articles_only(admin_page, live_server, matrix, branch_editor):
    ArticleFactory(code="ART-XA-1", title="西安第1篇", organisation=matrix["branch1"])
    ArticleFactory(code="ART-XA-2", title="西安第2篇", organisation=matrix["branch1"])
    ArticleFactory(code="ART-BJ-1", title="宝鸡第1篇", organisation=matrix["branch2"])
    page = admin_page
    admin_login(page, branch_editor.username)
    page.goto(f"{page.base_url}{ADD}")
    page.fill("input[name=code]", "GRP-XA")
    page.fill("input[name=title]", "五一专题")
    page.select_option("select[name=organisation]", str(matrix["branch1"].pk))

    page.locator("#id_entries-ADD").click()
    page.locator("#inline_child_entries-0 [data-chooser-action-choose]").click()
    modal = page.locator(".modal-content")
    modal.get_by_role("link", name="西安第2篇").wait_for()
    # the sibling branch's article is not offered
    assert "宝鸡第1篇" not in modal.inner_text()
    modal.get_by_role("link", name="西安第2篇").click()
    page.locator(".modal.in").wait_for(state="detached")
    page.locator("#id_entries-ADD").click()
    choose(page, 1, "西安第1篇")

    page.locator("footer button[type=submit]").first.click()
    page.wait_for_url(lambda url: "/edit/" in url or url.endswith("/newsgroup/"))
    group = NewsGroup.objects.get(code="GRP-XA")
    assert [a.code for a in group.get_latest_revision_as_object().ordered_articles()] == ["ART-XA-2", "ART-XA-1"]
