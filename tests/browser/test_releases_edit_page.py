"""An editor adds a package to a release from the package's edit page (issue #18) and
finds it on the release page."""

import pytest

from releases.models import Release
from tests.releases.conftest import make_release
from tests.support.browser import admin_login
from tests.support.factories import PackageFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_add_a_package_to_a_release_from_its_edit_page(
    admin_page, matrix, branch_editor
):
    page = admin_page
    # given a draft package and an open release of the editor's branch, and one of
    # the sibling branch
    package = PackageFactory(code="PKG-EDIT-58", organisation=matrix["branch1"])
    release = make_release(matrix["branch1"], code="R-EDIT", title="五月资费调整")
    make_release(matrix["branch2"], code="R-SIBLING", title="宝鸡计划")
    admin_login(page, branch_editor.username)

    # when the editor opens the package's edit page and chooses 加入上线计划
    edit = f"{page.base_url}/admin/snippets/content/package/edit/{package.pk}/"
    page.goto(edit)
    page.locator("footer .w-dropdown__toggle").first.click()
    page.locator("footer a", has_text="加入上线计划").click()
    page.wait_for_selector("form.release-add-to")
    # then only the branch's release is offered
    offered = page.locator("#release-choice option").all_inner_texts()
    assert any("R-EDIT" in text for text in offered)
    assert not any("R-SIBLING" in text for text in offered)

    # when the editor adds the package to it
    page.select_option("#release-choice", str(release.pk))
    page.locator("form.release-add-to button[type=submit]").click()
    # then the editor is back on the edit page, told where the package went
    page.wait_for_url(edit)
    assert "已加入上线计划 R-EDIT" in page.locator(".messages").inner_text()

    # and the release page lists the package
    page.goto(f"{page.base_url}/admin/releases/{release.pk}/")
    page.wait_for_selector("tr[data-item='package:PKG-EDIT-58']")
    assert list(
        Release.objects.get(pk=release.pk).items.values_list("code", flat=True)
    ) == ["PKG-EDIT-58"]
