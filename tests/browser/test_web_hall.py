"""The reference web hall (frontends/web-hall/, served at /demo/web-hall/ with
WEB_HALL_DEMO) in Chromium: home, package list, comparison, article, search with
suggestions, reading persisted queries only; and a package a publisher edits and
approves in the admin shows on the page at the next load."""

import pytest

from api import persisted
from cms.callers.clients import create_client, issue_token
from content.models import ChannelAccount, Package
from tests.support.browser import admin_login, new_page
from tests.support.factories import (
    ArticleFactory,
    BusinessFactory,
    ChannelAccountFactory,
    PackageFactory,
)

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
    # every API request was a GET of a registered document, by hash
    registered = {query.sha256 for query in persisted.registry().values()}
    assert page.graphql_requests
    for request in page.graphql_requests:
        assert request.method == "GET" and "query=" not in request.url
        assert request.url.split("id=")[1].split("&")[0] in registered


def test_a_package_approved_in_the_admin_shows_on_the_web_hall_at_the_next_load(
    hall_page, chromium, live_server, web_hall, branch_publisher
):
    page = hall_page
    open_hall(page, "#/packages")
    assert page.locator('[data-package="PKGB"] a').inner_text() == "畅享套餐88元"
    # when a publisher renames the package in the admin, submits and approves it
    package = Package.objects.get(code="PKGB")
    with new_page(chromium, live_server.url) as admin:
        admin_login(admin, branch_publisher.username)
        admin.goto(
            f"{live_server.url}/admin/snippets/content/package/edit/{package.pk}/"
        )
        admin.fill("input[name=name]", "畅享升级套餐88元")
        admin.locator("footer .w-dropdown__toggle").first.click()
        admin.locator("button[name=action-submit]").click()
        admin.wait_for_load_state("networkidle")
        admin.goto(
            f"{live_server.url}/admin/snippets/content/package/edit/{package.pk}/"
        )
        approve = admin.locator(
            "footer [data-workflow-action-name=approve]:not([data-workflow-action-modal-url])"
        )
        if not approve.first.is_visible():
            admin.locator("footer .w-dropdown__toggle").first.click()
        approve.first.click()
        admin.wait_for_load_state("networkidle")
    package.refresh_from_db()
    assert package.live and package.name == "畅享升级套餐88元"
    # then reloading the web hall shows the new name, in the list and on the package's page
    page.reload()
    wait_for_view(page)
    assert page.locator('[data-package="PKGB"] a').inner_text() == "畅享升级套餐88元"
    open_hall(page, "#/package/PKGB")
    assert "畅享升级套餐88元" in page.locator("[data-rendition] h1").inner_text()


def test_the_web_hall_is_not_served_without_the_demo_setting(client, settings):
    settings.WEB_HALL_DEMO = False
    assert client.get(HALL).status_code == 404
    assert client.get(f"{HALL}config.json").status_code == 404
    settings.WEB_HALL_DEMO = True
    assert client.get(HALL).status_code == 200
    assert client.get(f"{HALL}../settings.py").status_code == 404
    assert client.get(f"{HALL}README.md").status_code == 404
