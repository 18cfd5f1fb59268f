"""An editor builds a release in the admin, sees what changes on each channel account
and what blocks it, fixes it and submits it; a publisher approves it once for every
item, watches it go live, and rolls it back."""

import pytest

from content.models import Package
from releases.models import Release
from tests.releases.conftest import sms_account, tariff  # noqa: F401  (fixtures)
from tests.support.browser import admin_login, new_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ADD = "/admin/snippets/releases/release/add/"


def open_more_actions(page):
    page.locator("footer .w-dropdown__toggle").first.click()


def test_build_review_approve_go_live_and_roll_back_a_release(
    admin_page,
    chromium,
    live_server,
    matrix,
    tariff,  # noqa: F811
    branch_editor,
    branch_publisher,
):
    page = admin_page
    admin_login(page, branch_editor.username)
    # given a broken draft of another package (a negative fee)
    from tests.support.factories import PackageFactory

    broken = PackageFactory(code="PKG-BROKEN", organisation=matrix["branch1"])
    broken.monthly_fee = -1
    broken.save_revision(clean=False)

    # when the editor creates a release
    page.goto(f"{page.base_url}{ADD}")
    page.fill("input[name=code]", "R-BROWSER")
    page.fill("input[name=title]", "五月资费调整")
    page.locator("footer button[type=submit]").first.click()
    page.wait_for_load_state("networkidle")
    release = Release.objects.get(code="R-BROWSER")

    # and adds the tariff's items and the broken package from the release page
    page.goto(f"{page.base_url}/admin/releases/{release.pk}/")
    page.fill(
        "textarea[name=refs]",
        "package:PKG-5G-58\nsms_template:SMS-5G-58\nsms_template:SMS-5G-58-KT\n"
        "package:PKG-BROKEN",
    )
    page.locator("form.release-add button[type=submit]").click()
    page.wait_for_selector("tr[data-item='package:PKG-BROKEN']")
    # then each account's changes show, with the package's new name as a diff
    account = page.locator("details[data-account='sms-sx-01']")
    assert "sms_template:SMS-5G-58-KT" in account.inner_text()
    assert (
        "5G畅享套餐(新资费)" in page.locator("details").first.inner_text()
        or "5G畅享套餐(新资费)" in page.content()
    )
    # and the violation names the broken package and its field
    violations = page.locator("ul.release-violations").inner_text()
    assert "package:PKG-BROKEN" in violations and "monthly_fee" in violations

    # when the editor takes the broken package out, nothing blocks any more
    page.locator("tr[data-item='package:PKG-BROKEN'] button").click()
    page.wait_for_selector(".release-no-violations")

    # and submits the release for review from its edit page
    page.goto(f"{page.base_url}/admin/snippets/releases/release/edit/{release.pk}/")
    open_more_actions(page)
    page.locator("button[name=action-submit]").click()
    page.wait_for_load_state("networkidle")
    assert Release.objects.get(pk=release.pk).workflow_in_progress

    with new_page(chromium, live_server.url) as publisher_page:
        admin_login(publisher_page, branch_publisher.username)
        # then a publisher approves it once, for every item
        publisher_page.goto(
            f"{live_server.url}/admin/snippets/releases/release/edit/{release.pk}/"
        )
        approve = publisher_page.locator(
            "footer [data-workflow-action-name=approve]:not([data-workflow-action-modal-url])"
        )
        if not approve.first.is_visible():
            open_more_actions(publisher_page)
        approve.first.click()
        publisher_page.wait_for_load_state("networkidle")
        # and watches it go live on the release page
        publisher_page.goto(f"{live_server.url}/admin/releases/{release.pk}/")
        publisher_page.wait_for_selector("section.release[data-state='live']")
        assert publisher_page.locator("tr[data-run='go_live']").count() == 1
        assert Package.objects.get(code="PKG-5G-58").name == "5G畅享套餐(新资费)"

        # when the publisher rolls it back
        publisher_page.locator("form.release-rollback button").click()
        publisher_page.wait_for_selector("section.release[data-state='rolled_back']")
    # then every item is back to what was live before
    assert Package.objects.get(code="PKG-5G-58").name != "5G畅享套餐(新资费)"
    assert not Package.objects.get(code="PKG-5G-58").name.startswith("5G畅享")
