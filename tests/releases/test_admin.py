"""The release page in the admin: items, per-account diff and violations, adding from
the page and from an item's row, rollback; isolation keeps other branches' releases out."""

import pytest
from django.test import Client

from releases.models import Release

from .conftest import go_live_now, make_release

pytestmark = [pytest.mark.django_db]


def login(user):
    client = Client()
    client.force_login(user)
    return client


def test_the_release_page_shows_each_accounts_changes_and_the_violations(
    matrix, release, superuser
):
    page = login(superuser).get(f"/admin/releases/{release.pk}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert (
        'data-account="sms-sx-01"' in html
        and 'data-change="sms_template:SMS-5G-58"' in html
    )
    assert "5G畅享套餐(新资费)" in html  # the package's name change, as a field diff
    assert "没有阻止上线的问题" in html


def test_an_editor_adds_an_item_from_the_release_page_and_sees_a_conflict_named(
    matrix, release, tariff, branch_editor
):
    other = make_release(matrix["branch1"], code="R-2026-06", title="六月活动")
    client = login(branch_editor)
    response = client.post(
        f"/admin/releases/{other.pk}/",
        {"action": "add", "refs": "package:PKG-5G-58"},
        follow=True,
    )
    assert "已在上线计划 R-2026-05" in response.content.decode()
    assert not other.items.exists()


def test_a_sibling_branch_cannot_open_the_release(release, sibling_editor):
    assert (
        login(sibling_editor).get(f"/admin/releases/{release.pk}/").status_code == 404
    )


def test_add_to_release_from_an_item_row(matrix, tariff, branch_editor):
    target = make_release(matrix["branch1"], code="R-ROW", title="行内添加")
    client = login(branch_editor)
    assert (
        "R-ROW"
        in client.get("/admin/releases/add-to/?ref=article:ART-5G-58").content.decode()
    )
    client.post(
        "/admin/releases/add-to/", {"ref": "article:ART-5G-58", "release": target.pk}
    )
    assert list(target.items.values_list("code", flat=True)) == ["ART-5G-58"]


def test_the_snippet_list_and_edit_page_render(release, superuser):
    client = login(superuser)
    assert client.get("/admin/snippets/releases/release/").status_code == 200
    assert (
        client.get(f"/admin/snippets/releases/release/edit/{release.pk}/").status_code
        == 200
    )


def test_a_publisher_rolls_back_from_the_release_page(matrix, release, superuser):
    release = go_live_now(release)
    from .conftest import committed

    with committed():
        login(superuser).post(f"/admin/releases/{release.pk}/", {"action": "rollback"})
    assert Release.objects.get(pk=release.pk).state == Release.State.ROLLED_BACK


def test_a_branch_editor_opens_the_add_form(matrix, branch_editor):
    response = login(branch_editor).get("/admin/snippets/releases/release/add/")
    html = response.content.decode()
    assert response.status_code == 200, html[:500]
    assert 'name="organisation"' in html
