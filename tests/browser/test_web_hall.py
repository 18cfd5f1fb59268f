"""The reference web hall (frontends/web-hall/, served at /demo/web-hall/ with
WEB_HALL_DEMO) in Chromium: home, package list, comparison, article, search with
suggestions, reading persisted queries only; the home page's promotion slots (live
slots of the web channel, entries live now, in slot order) and the navigation of the
web account's menu (categories, shelves opening a family's packages or a kind's
businesses); and a package or a slot a publisher edits and approves in the admin
shows on the page at the next load, not before."""

import datetime
import json
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

from api import persisted
from cms.callers.clients import create_client, issue_token
from content.models import Article, Business, ChannelAccount, Package, PromotionSlot
from menus.services import publish as publish_menu
from tests.support.browser import admin_login, new_page
from tests.support.content import committed
from tests.support.factories import (
    ArticleFactory,
    BusinessFactory,
    ChannelAccountFactory,
    PackageFactory,
)
from tests.support.menus import make_menu, node
from tests.support.promotions import make_slot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HALL = "/demo/web-hall/"


@pytest.fixture
def web_hall(matrix, settings):
    """The province's web hall account, a published catalogue and the demo token for it."""
    account = ChannelAccountFactory(
        code="web-sx",
        name="陕西网上营业厅",
        organisation=matrix["province"],
        type=ChannelAccount.Type.WEB,
        app_id="",
        base_url="https://hall.sx.example.cn/",
    )
    branch = matrix["branch1"]
    packages = [
        PackageFactory(
            code="PKGA",
            name="畅享套餐58元",
            monthly_fee=58,
            data_mb=10240,
            organisation=branch,
            highlights=["5G速率"],
            published=True,
        ),
        PackageFactory(
            code="PKGB",
            name="畅享套餐88元",
            monthly_fee=88,
            data_mb=30720,
            organisation=branch,
            published=True,
        ),
        PackageFactory(
            code="PKGC",
            name="畅享套餐128元",
            monthly_fee=128,
            data_mb=40960,
            organisation=branch,
            published=True,
        ),
    ]
    ArticleFactory(
        code="ART-WEB",
        title="五一畅享流量节",
        digest="流量加倍",
        organisation=branch,
        channels=["web"],
        body="<p>活动期间<b>流量加倍</b>。</p>",
        related_packages=[packages[0]],
        published=True,
    )
    BusinessFactory(
        code="BIZ-WEB", name="流量加油包", organisation=branch, published=True
    )
    # A draft never shows (the API serves published items only).
    PackageFactory(
        code="PKG-DRAFT", name="畅享草稿套餐", organisation=branch, live=False
    )
    client = create_client(
        name="网上营业厅演示", organisation=matrix["province"], accounts=[account]
    )
    settings.WEB_HALL_DEMO = True
    settings.WEB_HALL_DEMO_TOKEN = issue_token(client)[1]
    return account


@pytest.fixture
def hall_page(chromium, live_server):
    with new_page(chromium, live_server.url) as page:
        page.graphql_requests = []
        page.on(
            "request",
            lambda request: (
                "/graphql/" in request.url and page.graphql_requests.append(request)
            ),
        )
        yield page


def open_hall(page, route=""):
    page.goto(f"{page.base_url}{HALL}{route}")
    page.wait_for_selector('[data-view][data-ready="true"]')


def wait_for_view(page):
    page.wait_for_selector('[data-view][data-ready="true"]')


def assert_persisted_queries_only(page):
    """Every API request the page made was a GET of a registered document, by hash, in
    the automatic-persisted-queries protocol (extensions.persistedQuery.sha256Hash)."""
    registered = {query.sha256 for query in persisted.registry().values()}
    assert page.graphql_requests
    for request in page.graphql_requests:
        params = parse_qs(urlsplit(request.url).query)
        assert request.method == "GET" and "query" not in params
        persisted_query = json.loads(params["extensions"][0])["persistedQuery"]
        assert persisted_query["version"] == 1 and persisted_query["sha256Hash"] in registered


def submit_for_approval(admin, edit_url, edit):
    """In the admin: ``edit`` the form, then submit it for approval (the live row stays)."""
    admin.goto(edit_url)
    edit(admin)
    admin.locator("footer .w-dropdown__toggle").first.click()
    admin.locator("button[name=action-submit]").click()
    admin.wait_for_load_state("networkidle")


def approve(admin, edit_url):
    """In the admin as a publisher: approve the submitted edit, which publishes it."""
    admin.goto(edit_url)
    button = admin.locator(
        "footer [data-workflow-action-name=approve]:not([data-workflow-action-modal-url])"
    )
    if not button.first.is_visible():
        admin.locator("footer .w-dropdown__toggle").first.click()
    button.first.click()
    admin.wait_for_load_state("networkidle")


def test_the_web_hall_shows_home_packages_comparison_article_and_search_from_persisted_queries(
    hall_page, web_hall
):
    page = hall_page
    # home: the latest news and packages of the web account; no slots or navigation yet
    open_hall(page)
    assert (
        page.locator('[data-section="news"] [data-article="ART-WEB"]')
        .inner_text()
        .startswith("五一畅享流量节")
    )
    assert page.locator('[data-section="packages"] [data-package]').count() == 3
    assert page.locator('[data-section="slots"]').count() == 0
    assert page.locator("[data-navigation]").is_hidden()
    assert "畅享草稿套餐" not in page.content()
    # the package list, then two packages side by side
    page.click("text=全部套餐 ›")
    wait_for_view(page)
    button = page.locator("[data-compare-button]")
    page.check('[data-compare="PKGA"]')
    assert button.is_disabled()
    page.check('[data-compare="PKGC"]')
    button.click()
    page.wait_for_selector('[data-section="comparison"]')
    table = page.locator("table.hall-comparison")
    assert table.locator("thead th").all_inner_texts() == [
        "项目",
        "畅享套餐58元",
        "畅享套餐128元",
    ]
    fee = table.locator('tr[data-row="monthly_fee"], tr[data-row="monthlyFee"]')
    assert fee.locator("td").all_inner_texts() == ["58.00", "128.00"]
    assert "hall-differs" in fee.get_attribute("class")
    # an article: its web rendition, with the package card
    open_hall(page, "#/article/ART-WEB")
    rendition = page.locator("[data-rendition]")
    assert rendition.locator("h1").inner_text() == "五一畅享流量节"
    assert rendition.locator("strong", has_text="流量加倍").count() == 1
    assert rendition.locator(".cms-card-name").inner_text() == "畅享套餐58元"
    # search with suggestions: typing an order command's start offers it
    page.fill("[data-search-input]", "KTPKG")
    page.wait_for_selector('[data-suggestion="KTPKGA"]')
    page.fill("[data-search-input]", "畅享")
    page.press("[data-search-input]", "Enter")
    page.wait_for_selector('[data-section="search"]')
    wait_for_view(page)
    hits = page.locator("[data-hit]")
    codes = {hits.nth(i).get_attribute("data-hit") for i in range(hits.count())}
    assert {"ARTICLE:ART-WEB", "PACKAGE:PKGA", "PACKAGE:PKGB", "PACKAGE:PKGC"} <= codes
    assert "PACKAGE:PKG-DRAFT" not in codes
    assert page.locator('[data-hit="PACKAGE:PKGA"] em').first.inner_text() == "畅享"
    assert_persisted_queries_only(page)


def test_a_package_approved_in_the_admin_shows_on_the_web_hall_at_the_next_load(
    hall_page, chromium, live_server, web_hall, branch_publisher
):
    page = hall_page
    open_hall(page, "#/packages")
    assert page.locator('[data-package="PKGB"] a').inner_text() == "畅享套餐88元"
    # when a publisher renames the package in the admin, submits and approves it
    package = Package.objects.get(code="PKGB")
    edit_url = f"{live_server.url}/admin/snippets/content/package/edit/{package.pk}/"
    with new_page(chromium, live_server.url) as admin:
        admin_login(admin, branch_publisher.username)
        submit_for_approval(
            admin,
            edit_url,
            lambda form: form.fill("input[name=name]", "畅享升级套餐88元"),
        )
        approve(admin, edit_url)
    package.refresh_from_db()
    assert package.live and package.name == "畅享升级套餐88元"
    # then reloading the web hall shows the new name, in the list and on the package's page
    page.reload()
    wait_for_view(page)
    assert page.locator('[data-package="PKGB"] a').inner_text() == "畅享升级套餐88元"
    open_hall(page, "#/package/PKGB")
    assert "畅享升级套餐88元" in page.locator("[data-rendition] h1").inner_text()


@pytest.fixture
def promoted(web_hall, matrix):
    """The web account's navigation and the branch's slots: a published web banner (one
    entry scheduled for tomorrow), a draft web slot and a mini-program slot."""
    branch = matrix["branch1"]
    PackageFactory(
        code="PKG-5G",
        name="5G智享套餐99元",
        family="5G智享套餐",
        organisation=branch,
        published=True,
    )
    help_page = node("3", "帮助中心", "view", url="https://hall.sx.example.cn/help")
    menu = make_menu(
        web_hall,
        [
            node(
                "1",
                "个人业务",
                "category",
                children=[
                    node(
                        "1.1",
                        "畅享系列",
                        "shelf",
                        shelf_kind="package",
                        family="畅享套餐",
                    ),
                    node(
                        "1.2",
                        "5G智享",
                        "shelf",
                        shelf_kind="package",
                        family="5G智享套餐",
                    ),
                ],
            ),
            node(
                "2",
                "增值业务",
                "category",
                children=[
                    node(
                        "2.1",
                        "流量加油",
                        "shelf",
                        shelf_kind="business",
                        family="data_addon",
                    )
                ],
            ),
            help_page,
        ],
        name="网上营业厅导航",
    )
    with committed():
        publish_menu(menu)
    tomorrow = timezone.now() + datetime.timedelta(days=1)
    banner = make_slot(
        "web-home-banner",
        branch,
        title="首页横幅",
        entries=[
            {
                "target": "package",
                "package": Package.objects.get(code="PKGB"),
                "subtitle": "每月88元",
            },
            {
                "target": "link",
                "link": "https://act.example.cn/may",
                "title": "五一活动",
            },
            {
                "target": "link",
                "link": "https://act.example.cn/next",
                "title": "明日预告",
                "starts_at": tomorrow,
            },
            {"target": "article", "article": Article.objects.get(code="ART-WEB")},
            {"target": "business", "business": Business.objects.get(code="BIZ-WEB")},
        ],
    )
    make_slot(
        "web-draft",
        branch,
        entries=[
            {
                "target": "link",
                "link": "https://act.example.cn/draft",
                "title": "草稿横幅",
            }
        ],
        published=False,
    )
    make_slot(
        "mp-home-banner",
        branch,
        channel="wechat_miniprogram",
        entries=[
            {
                "target": "link",
                "link": "https://act.example.cn/mp",
                "title": "小程序横幅",
            }
        ],
    )
    return banner


def slot_entries(page, code):
    """(position, title) of the entries a slot's section shows, in page order."""
    tiles = page.locator(f'[data-section="slot-{code}"] [data-slot-entry]')
    return [
        (
            tiles.nth(i).get_attribute("data-slot-entry"),
            tiles.nth(i).locator("strong").inner_text(),
        )
        for i in range(tiles.count())
    ]


def listed(page, kind):
    tiles = page.locator(f"[data-view] [data-{kind}]")
    return {tiles.nth(i).get_attribute(f"data-{kind}") for i in range(tiles.count())}


def test_the_home_page_shows_the_live_web_slots_in_order_and_the_navigation_opens_shelves(
    hall_page, promoted
):
    page = hall_page
    open_hall(page)
    # the published web slot, its entries in the order edited; tomorrow's entry, the
    # draft slot and the mini-program's slot are not shown
    assert (
        page.locator('[data-section="slot-web-home-banner"] h2').inner_text()
        == "首页横幅"
    )
    assert slot_entries(page, "web-home-banner") == [
        ("1", "畅享套餐88元"),
        ("2", "五一活动"),
        ("4", "五一畅享流量节"),
        ("5", "流量加油包"),
    ]
    assert page.locator('[data-slot-entry="1"] .hall-muted').inner_text() == "每月88元"
    assert [
        s.get_attribute("data-section")
        for s in page.locator('[data-section^="slot-"]').all()
    ] == ["slot-web-home-banner"]
    for hidden in ("明日预告", "草稿横幅", "小程序横幅"):
        assert hidden not in page.content()
    link = page.locator('[data-slot-entry="2"] a')
    assert link.get_attribute("href") == "https://act.example.cn/may"
    # the navigation: the menu's categories in order, shelves under them, a page link
    nav = page.locator("[data-navigation]")
    nav.wait_for(state="visible")
    top = nav.locator(":scope > ul > li")
    assert [top.nth(i).get_attribute("data-nav-type") for i in range(top.count())] == [
        "category",
        "category",
        "view",
    ]
    assert nav.locator('[data-nav-key="1"] > span').inner_text() == "个人业务"
    assert nav.locator(
        '[data-nav-key="1"] [data-nav-type="shelf"]'
    ).all_inner_texts() == ["畅享系列", "5G智享"]
    assert (
        nav.locator('[data-nav-key="3"] a').get_attribute("href")
        == "https://hall.sx.example.cn/help"
    )
    # a shelf lists its family's packages on sale, not another family's nor a draft
    nav.locator("a", has_text="畅享系列").click()
    page.wait_for_selector('[data-section="package-list"]')
    wait_for_view(page)
    assert listed(page, "package") == {"PKGA", "PKGB", "PKGC"}
    assert nav.locator('a[aria-current="page"]').inner_text() == "畅享系列"
    nav.locator("a", has_text="5G智享").click()
    page.wait_for_selector('[data-view] [data-package="PKG-5G"]')
    assert listed(page, "package") == {"PKG-5G"}
    # a business shelf lists the businesses of its kind; the slot's business entry opens it
    nav.locator("a", has_text="流量加油").click()
    page.wait_for_selector('[data-section="business-list"]')
    assert listed(page, "business") == {"BIZ-WEB"}
    open_hall(page)
    page.locator('[data-slot-entry="5"] a').click()
    page.wait_for_selector('[data-view] [data-business="BIZ-WEB"]')
    # the package entry opens the package's page
    open_hall(page)
    page.locator('[data-slot-entry="1"] a').click()
    page.wait_for_selector("[data-rendition] h1")
    assert "畅享套餐88元" in page.locator("[data-rendition] h1").inner_text()
    assert_persisted_queries_only(page)


def test_a_slot_approved_in_the_admin_shows_on_the_home_page_after_a_reload(
    hall_page, chromium, live_server, promoted, branch_publisher
):
    page = hall_page
    open_hall(page)
    assert slot_entries(page, "web-home-banner")[1] == ("2", "五一活动")
    edit_url = (
        f"{live_server.url}/admin/snippets/content/promotionslot/edit/{promoted.pk}/"
    )

    def retitle(form):
        # the inline entries come in slot order: the second is the link
        form.fill("input[name='entries-1-title']", "五一狂欢购")

    with new_page(chromium, live_server.url) as admin:
        admin_login(admin, branch_publisher.username)
        # submitted but not approved: the page still shows the live slot
        submit_for_approval(admin, edit_url, retitle)
        assert (
            PromotionSlot.objects.get(pk=promoted.pk).entries.get(sort_order=1).title
            == "五一活动"
        )
        page.reload()
        wait_for_view(page)
        assert slot_entries(page, "web-home-banner")[1] == ("2", "五一活动")
        approve(admin, edit_url)
    slot = PromotionSlot.objects.get(pk=promoted.pk)
    assert slot.live and [e.title for e in slot.ordered_entries()][1] == "五一狂欢购"
    # approved: the next load shows the new title, the rest of the slot as it was
    page.reload()
    wait_for_view(page)
    assert slot_entries(page, "web-home-banner") == [
        ("1", "畅享套餐88元"),
        ("2", "五一狂欢购"),
        ("4", "五一畅享流量节"),
        ("5", "流量加油包"),
    ]


def test_the_web_hall_is_not_served_without_the_demo_setting(client, settings):
    settings.WEB_HALL_DEMO = False
    assert client.get(HALL).status_code == 404
    assert client.get(f"{HALL}config.json").status_code == 404
    settings.WEB_HALL_DEMO = True
    assert client.get(HALL).status_code == 200
    assert client.get(f"{HALL}../settings.py").status_code == 404
    assert client.get(f"{HALL}README.md").status_code == 404
