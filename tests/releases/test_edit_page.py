"""加入上线计划 from an item's edit page (issue #18): the action on every kind's edit page
and the menu tree editor, the form offering only the editor's releases that may take
items (or creating one), adding, refusals with the reason, and back to the edit page."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.utils import timezone
from wagtail.snippets.action_menu import get_base_snippet_action_menu_items

from content.workflows import ensure_approval_workflow
from releases import golive
from releases.add_to import AddToReleaseMenuItem, add_to_url
from releases.membership import releasable_kinds
from releases.models import Release
from tests.support.factories import PackageFactory
from tests.support.menus import make_menu, node

from .conftest import make_release

pytestmark = [pytest.mark.django_db]


def login(user):
    client = Client()
    client.force_login(user)
    return client


def edit_url(package):
    return f"/admin/snippets/content/package/edit/{package.pk}/"


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_every_kind_a_release_holds_has_the_action_on_its_edit_page():
    for kind in releasable_kinds():
        items = get_base_snippet_action_menu_items(kind.model)
        assert any(isinstance(item, AddToReleaseMenuItem) for item in items), kind.code
    assert not any(
        isinstance(item, AddToReleaseMenuItem)
        for item in get_base_snippet_action_menu_items(Release)
    )


def test_the_package_edit_page_links_to_the_form_and_back(tariff, branch_editor):
    package = tariff["package"]
    html = login(branch_editor).get(edit_url(package)).content.decode()
    assert "加入上线计划" in html
    assert add_to_url(package, edit_url(package)).replace("&", "&amp;") in html


def test_the_menu_edit_page_and_tree_editor_offer_the_action(matrix, branch_editor):
    menu = make_menu(matrix["account_branch1"], [node("1", "资费")], code="MENU-01")
    client = login(branch_editor)
    snippet_edit = f"/admin/snippets/menus/menu/edit/{menu.pk}/"
    assert "ref=menu%3AMENU-01" in client.get(snippet_edit).content.decode()
    tree = client.get(f"/admin/menus/{menu.pk}/tree/").content.decode()
    assert "data-editor-link" in tree and "ref=menu%3AMENU-01" in tree


def test_adding_from_the_edit_page_returns_there_with_a_message(
    matrix, tariff, branch_editor
):
    # given an open release of the editor's branch
    target = make_release(matrix["branch1"], code="R-EDIT", title="编辑页添加")
    package = tariff["package"]
    client = login(branch_editor)
    form = client.get(add_to_url(package, edit_url(package))).content.decode()
    assert "R-EDIT" in form
    # when the editor adds the package to it
    response = client.post(
        "/admin/releases/add-to/",
        {"ref": "package:PKG-5G-58", "release": target.pk, "next": edit_url(package)},
    )
    # then it is in the release and the editor is back on the edit page, told so
    assert response.status_code == 302 and response.url == edit_url(package)
    assert list(target.items.values_list("code", flat=True)) == ["PKG-5G-58"]
    assert any("已加入上线计划 R-EDIT" in m for m in messages_of(response))


def test_a_sibling_branchs_release_is_never_offered_nor_taken(
    matrix, tariff, branch_editor
):
    make_release(matrix["branch1"], code="R-OWN", title="本分公司")
    sibling = make_release(matrix["branch2"], code="R-SIBLING", title="宝鸡计划")
    client = login(branch_editor)
    form = client.get(add_to_url(tariff["package"])).content.decode()
    assert "R-OWN" in form and "R-SIBLING" not in form
    response = client.post(
        "/admin/releases/add-to/", {"ref": "package:PKG-5G-58", "release": sibling.pk}
    )
    assert response.status_code == 404
    assert not sibling.items.exists()


def test_a_sibling_editor_cannot_open_the_form_for_another_branchs_item(
    tariff, sibling_editor
):
    response = login(sibling_editor).get(add_to_url(tariff["package"]))
    assert response.status_code == 404


def test_releases_in_review_or_scheduled_are_not_offered(
    matrix, tariff, branch_editor, superuser
):
    make_release(matrix["branch1"], code="R-OPEN", title="可加入")
    in_review = make_release(matrix["branch1"], code="R-REVIEW", title="审核中")
    in_review.save_revision(user=superuser)
    ensure_approval_workflow().start(in_review, superuser)
    scheduled = make_release(
        matrix["branch1"], code="R-LATER", title="已排期", items=["article:ART-5G-58"]
    )
    golive.publish(scheduled, at=timezone.now() + datetime.timedelta(hours=1))
    form = login(branch_editor).get(add_to_url(tariff["package"])).content.decode()
    assert "R-OPEN" in form
    assert "R-REVIEW" not in form and "R-LATER" not in form


def test_an_item_held_by_another_open_release_is_refused_with_the_reason(
    matrix, release, tariff, branch_editor
):
    # given the package held by R-2026-05 and another open release
    other = make_release(matrix["branch1"], code="R-OTHER", title="另一个计划")
    package = tariff["package"]
    client = login(branch_editor)
    form = client.get(add_to_url(package, edit_url(package))).content.decode()
    assert 'data-held-by="R-2026-05"' in form
    # when the editor adds it to the other release
    response = client.post(
        "/admin/releases/add-to/",
        {"ref": "package:PKG-5G-58", "release": other.pk, "next": edit_url(package)},
    )
    # then it is refused, naming the release holding it, and nothing is added
    assert response.url == edit_url(package)
    assert any("已在上线计划 R-2026-05" in m for m in messages_of(response))
    assert not other.items.exists()


def test_an_item_the_editor_may_only_read_is_refused(matrix, branch_editor):
    # given a province package on sale in the branch (readable there, not editable)
    PackageFactory(
        code="PKG-PROV", organisation=matrix["province"], sale_orgs=[matrix["branch1"]]
    )
    target = make_release(matrix["branch1"], code="R-READ", title="只读")
    client = login(branch_editor)
    assert (
        "data-not-editable"
        in client.get("/admin/releases/add-to/?ref=package:PKG-PROV").content.decode()
    )
    response = client.post(
        "/admin/releases/add-to/", {"ref": "package:PKG-PROV", "release": target.pk}
    )
    assert any("无权编辑" in m for m in messages_of(response))
    assert not target.items.exists()


def test_a_new_release_is_created_for_the_item_in_its_organisation(
    matrix, tariff, branch_editor
):
    package = tariff["package"]
    response = login(branch_editor).post(
        "/admin/releases/add-to/",
        {
            "ref": "package:PKG-5G-58",
            "action": "create",
            "code": "R-NEW",
            "title": "新计划",
            "next": edit_url(package),
        },
    )
    assert response.url == edit_url(package)
    release = Release.objects.get(code="R-NEW")
    assert release.organisation == matrix["branch1"]
    assert release.created_by == branch_editor
    assert list(release.items.values_list("code", flat=True)) == ["PKG-5G-58"]


def test_a_new_release_with_a_taken_code_names_the_field_and_creates_nothing(
    matrix, tariff, branch_editor
):
    make_release(matrix["branch1"], code="R-TAKEN", title="已有")
    response = login(branch_editor).post(
        "/admin/releases/add-to/",
        {
            "ref": "package:PKG-5G-58",
            "action": "create",
            "code": "R-TAKEN",
            "title": "",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-error="code"' in html and 'data-error="title"' in html
    assert Release.objects.filter(code="R-TAKEN").count() == 1
    assert not Release.objects.get(code="R-TAKEN").items.exists()


def test_a_new_release_for_a_held_item_is_not_created(release, tariff, branch_editor):
    response = login(branch_editor).post(
        "/admin/releases/add-to/",
        {
            "ref": "package:PKG-5G-58",
            "action": "create",
            "code": "R-NOPE",
            "title": "x",
        },
    )
    assert any("已在上线计划 R-2026-05" in m for m in messages_of(response))
    assert not Release.objects.filter(code="R-NOPE").exists()


def test_the_form_lists_releases_in_constant_queries(
    matrix, tariff, branch_editor, django_assert_max_num_queries
):
    client = login(branch_editor)
    url = add_to_url(tariff["package"])
    make_release(matrix["branch1"], code="R-Q1", title="一")
    client.get(url)
    with django_assert_max_num_queries(40) as one:
        client.get(url)
    for n in range(2, 8):
        make_release(matrix["branch1"], code=f"R-Q{n}", title=str(n))
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert "R-Q7" in client.get(url).content.decode()
