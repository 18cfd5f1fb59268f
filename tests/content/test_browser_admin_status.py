"""Browser tests (Playwright, Debian's chromium) of the admin a content team works
in daily: the status column and filter, the review queue's context, a save that
shows channel warnings and an approval refused for them, a confirmed menu
rollback and a confirmed unpublish that lists the accounts it leaves."""


import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from content.models import Article
from menus.models import MenuNode
from menus.services import live_version
from menus.services import publish as publish_menu
from publishing.models import Publication, PublishBatch, State
from tests.support.browser import admin_login
from tests.support.factories import ArticleFactory, ChannelAccountFactory
from tests.support.images import make_image
from tests.support.menus import make_menu, node


pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTICLES = "/admin/snippets/content/article/"
LONG_TITLE = "全省五一流量包限时优惠活动火热进行中欢迎广大客户朋友踊跃参与办理详情请咨询营业厅"[:39]


def test_editor_reads_the_status_of_each_article_and_filters_by_it(admin_page, matrix, branch_editor):
    ArticleFactory(code="ST-DRAFT", title="草稿图文", organisation=matrix["branch1"], live=False)
    ArticleFactory(code="ST-LIVE", title="线上图文", organisation=matrix["branch1"], live=False, publish=True)
    page = admin_page
    admin_login(page, branch_editor.username)
    page.goto(f"{page.base_url}{ARTICLES}")
    assert page.locator("th", has_text="状态").count() == 1
    draft_row = page.locator("tr", has_text="草稿图文")
    live_row = page.locator("tr", has_text="线上图文")
    assert draft_row.locator("td.content-status").inner_text().strip() == "草稿"
    assert live_row.locator("td.content-status").inner_text().strip() == "已发布"
    # when the editor filters by 草稿
    page.locator("#filters-drilldown .w-dropdown__toggle").first.click()
    page.locator("button.w-drilldown__toggle", has_text="状态").click()
    choices = page.locator("#drilldown-id_status")
    if choices.locator("select").count():
        choices.locator("select").select_option("draft")
    else:
        choices.get_by_label("草稿", exact=True).check()
    page.wait_for_function("!document.body.innerText.includes('线上图文')")
    assert page.locator("tr", has_text="草稿图文").count() == 1
    assert "status=draft" in page.url or page.locator("td.content-status").all_inner_texts() == ["草稿"]


def test_publisher_reviews_with_context_and_cannot_approve_an_article_over_wechat_limits(
    admin_page, chromium, live_server, matrix, branch_editor, branch_publisher
):
    from tests.support.browser import new_page

    article = ArticleFactory(code="RV-1", title="五一流量包", organisation=matrix["branch1"], live=False,
                             cover_image=make_image(matrix["branch1"], title="cover"))
    page = admin_page
    admin_login(page, branch_editor.username)
    # the editor lengthens the title and saves: the edit page warns about WeChat's limit
    page.goto(f"{page.base_url}{ARTICLES}edit/{article.pk}/")
    page.fill("input[name=title]", LONG_TITLE)
    page.locator("footer button.action-save").first.click()
    page.wait_for_load_state("networkidle")
    page.goto(f"{page.base_url}{ARTICLES}edit/{article.pk}/")
    checks = page.locator(".content-checks")
    assert "标题 39 个字,微信要求不超过 32 个字" in checks.inner_text()
    assert "审核时将被拒绝" in checks.inner_text()
    # and submits it anyway
    article.refresh_from_db()
    Article.get_default_workflow().start(Article.objects.get(pk=article.pk), branch_editor)

    with new_page(chromium, live_server.url) as publisher_page:
        admin_login(publisher_page, branch_publisher.username)
        # the queue says what it is, whose, where it goes and what blocks it
        row = publisher_page.locator(f'tr[data-review-item="{article.pk}"]')
        assert row.locator('[data-field="kind"]').inner_text() == "图文"
        assert row.locator('[data-field="organisation"]').inner_text() == "西安分公司"
        assert row.locator('[data-field="submitter"]').inner_text().strip() != ""
        assert row.locator('[data-field="submitted"]').inner_text().strip() != ""
        # the branch's own official account only, never the province's (content/reach.py)
        assert row.locator('[data-field="accounts"]').inner_text() == "1"
        assert "微信公众号 1" in row.locator('[data-field="reach"]').inner_text()
        assert "标题 39 个字" in row.locator('[data-field="blocking"]').inner_text()
        # approving from the edit page is refused with the reason
        publisher_page.goto(f"{live_server.url}{ARTICLES}edit/{article.pk}/")
        approve = publisher_page.locator(
            "footer [data-workflow-action-name=approve]:not([data-workflow-action-modal-url])"
        )
        if not approve.first.is_visible():
            publisher_page.locator("footer .w-dropdown__toggle").first.click()
        approve.first.click()
        publisher_page.wait_for_selector("text=未能批准,审核仍在进行")
        assert publisher_page.locator("text=标题 39 个字,微信要求不超过 32 个字").count() >= 1
    article.refresh_from_db()
    assert not article.live and article.workflow_in_progress


def test_publisher_confirms_a_menu_rollback_after_seeing_what_changes(admin_page, matrix, branch_publisher):
    account = ChannelAccountFactory(code="wx-menu", name="西安移动", organisation=matrix["branch1"])
    menu = make_menu(account, [node("1", "话费", type="click", event_key="FEE")])
    publish_menu(menu, None, "v1")
    MenuNode.objects.filter(menu=menu, key="1").update(name="话费服务")
    publish_menu(menu, None, "v2")
    page = admin_page
    admin_login(page, branch_publisher.username)
    page.goto(f"{page.base_url}/admin/menus/{menu.pk}/versions/")
    page.locator('[data-rollback="1"]').click()
    # the confirmation says which version goes live where, and what changes; nothing yet
    confirm = page.locator('[data-confirm="rollback"]')
    confirm.wait_for()
    assert "将发布为新版本 v3" in confirm.inner_text()
    assert "西安移动(wx-menu" in confirm.inner_text()
    assert confirm.locator('tr[data-kind="renamed"]').count() == 1
    assert live_version(menu).number == 2
    page.get_by_role("button", name="确认回滚并发布 v3").click()
    page.wait_for_selector("text=已将版本 1 发布为版本 3")
    assert live_version(menu).number == 3


def test_publisher_confirms_an_unpublish_that_lists_the_accounts_it_leaves(admin_page, matrix, branch_publisher):
    article = ArticleFactory(code="UP-1", title="下线图文", organisation=matrix["branch1"], live=False, publish=True)
    batch = PublishBatch.objects.create(
        kind=PublishBatch.Kind.ARTICLE, source_type=ContentType.objects.get_for_model(Article),
        source_id=str(article.pk), source_code=article.code, label=str(article),
    )
    Publication.objects.create(batch=batch, account=matrix["account_branch1"], channel=Publication.Channel.WECHAT,
                               state=State.DONE, finished_at=timezone.now(), article_id="art-up-1")
    page = admin_page
    admin_login(page, branch_publisher.username)
    page.goto(f"{page.base_url}{ARTICLES}unpublish/{article.pk}/")
    listing = page.locator(".content-takedown")
    assert listing.locator('[data-account="wx-sx-01"]').count() == 1
    assert "已推送发布到该公众号" in listing.inner_text()
    assert Article.objects.get(pk=article.pk).live
    page.locator("main button[type=submit]").click()
    page.wait_for_url(f"{page.base_url}{ARTICLES}**")
    assert not Article.objects.get(pk=article.pk).live
