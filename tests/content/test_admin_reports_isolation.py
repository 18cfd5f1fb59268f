"""Wagtail's reports, logs and the admin API apply the organisation policy: a
branch editor never sees a sibling branch's titles, workflow actions or editors."""

import pytest
from django.urls import reverse
from wagtail.log_actions import log

from tests.support.factories import ArticleFactory
from tests.support.images import make_image
from tests.support.users import make_editor

OWN_TITLE = "西安本地草稿"
SIBLING_TITLE = "宝鸡机密草稿"


@pytest.fixture
def histories(matrix, branch_publisher, sibling_editor):
    """An article of each branch, edited and submitted for review by its editor."""
    own = ArticleFactory(organisation=matrix["branch1"], title=OWN_TITLE, live=False)
    sibling = ArticleFactory(organisation=matrix["branch2"], title=SIBLING_TITLE, live=False)
    for article, user in ((own, branch_publisher), (sibling, sibling_editor)):
        article.save_revision(user=user)
        log(article, "wagtail.edit", user=user)
        article.get_default_workflow().start(article, user)
    return {"own": own, "sibling": sibling}


def get_page(client, as_user, name, **params):
    client.force_login(as_user)
    return client.get(reverse(name), params)


@pytest.fixture
def page_editor(branch_publisher):
    """The branch publisher, also allowed to edit pages: Wagtail opens the workflow
    reports only to page editors (pages carry no organisation)."""
    from django.contrib.auth.models import Group, Permission
    from wagtail.models import GroupPagePermission, Page

    root = Page.get_first_root_node() or Page.add_root(title="Root")
    group = Group.objects.create(name="页面编辑")
    GroupPagePermission.objects.create(group=group, page=root, permission=Permission.objects.get(codename="change_page"))
    branch_publisher.groups.add(group)
    return branch_publisher


@pytest.mark.parametrize(
    "name",
    [
        "wagtailadmin_reports:site_history",
        "wagtailadmin_reports:site_history_results",
        "wagtailadmin_reports:workflow",
        "wagtailadmin_reports:workflow_results",
        "wagtailadmin_reports:workflow_tasks",
        "wagtailadmin_reports:workflow_tasks_results",
        "wagtailadmin_home",
    ],
)
def test_branch_publisher_reports_leave_out_sibling_titles_and_editors(client, histories, page_editor, name):
    # when the branch publisher opens the report
    response = get_page(client, page_editor, name)

    # then their own branch's work shows, nothing of the sibling's does
    body = response.content.decode()
    assert response.status_code == 200
    assert SIBLING_TITLE not in body
    assert "editor-sx02" not in body
    if name != "wagtailadmin_home":
        assert OWN_TITLE in body


def test_workflow_report_offers_no_sibling_requester(client, histories, page_editor, sibling_editor):
    response = get_page(client, page_editor, "wagtailadmin_reports:workflow", requested_by=sibling_editor.pk)
    assert SIBLING_TITLE not in response.content.decode()
    assert sibling_editor not in response.context["filters"].form.fields["requested_by"].queryset


def test_site_history_export_leaves_out_sibling_titles(client, histories, branch_publisher):
    response = get_page(client, branch_publisher, "wagtailadmin_reports:site_history", export="csv")
    body = b"".join(response.streaming_content).decode() if response.streaming else response.content.decode()
    assert OWN_TITLE in body
    assert SIBLING_TITLE not in body


def test_site_history_filters_offer_no_sibling_editor(client, histories, branch_publisher, sibling_editor):
    response = get_page(client, branch_publisher, "wagtailadmin_reports:site_history", user=sibling_editor.pk)
    body = response.content.decode()
    assert SIBLING_TITLE not in body
    assert "editor-sx02" not in body


def test_province_editor_sees_both_branches_in_site_history(client, histories, matrix):
    province_publisher = make_editor("publisher-sx", matrix["province"], "发布审核")
    body = get_page(client, province_publisher, "wagtailadmin_reports:site_history").content.decode()
    assert OWN_TITLE in body
    assert SIBLING_TITLE in body


def test_sibling_snippet_history_is_not_found(client, histories, branch_publisher):
    client.force_login(branch_publisher)
    url = reverse("wagtailsnippets_content_article:history", args=[histories["sibling"].pk])
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    "name", ["wagtailadmin_reports:aging_pages", "wagtailadmin_reports:locked_pages", "wagtailadmin_reports:page_types_usage"]
)
def test_page_reports_are_for_administrators_only(client, histories, branch_publisher, superuser, name):
    assert get_page(client, branch_publisher, name).status_code == 403
    assert get_page(client, superuser, name).status_code == 200


def test_reports_menu_hides_page_reports_from_editors(client, histories, branch_publisher):
    body = get_page(client, branch_publisher, "wagtailadmin_home").content.decode()
    assert "aging-pages" not in body
    assert "page-types-usage" not in body


# -- the admin API --------------------------------------------------------------


@pytest.fixture
def images(matrix):
    return {
        "own": make_image(matrix["branch1"], title="西安本地图片"),
        "sibling": make_image(matrix["branch2"], title="宝鸡机密图片"),
    }


def test_admin_api_refuses_a_sibling_image(client, images, branch_publisher):
    client.force_login(branch_publisher)
    url = reverse("wagtailadmin_api:images:detail", args=[images["sibling"].pk])
    assert client.get(url).status_code == 404
    own = reverse("wagtailadmin_api:images:detail", args=[images["own"].pk])
    assert client.get(own).status_code == 200


@pytest.mark.parametrize("params", [{}, {"search": "机密"}, {"search": "图片"}, {"title": "宝鸡机密图片"}])
def test_admin_api_image_listing_leaves_out_sibling_images(client, images, branch_publisher, params):
    client.force_login(branch_publisher)
    response = client.get(reverse("wagtailadmin_api:images:listing"), params)
    body = response.content.decode()
    assert "宝鸡机密图片" not in body
    assert f"/{images['sibling'].file.name}" not in body


def test_admin_api_documents_and_pages_answer_editors_nothing_they_cannot_use(client, matrix, branch_publisher):
    from django.core.files.base import ContentFile
    from wagtail.documents.models import Document

    Document.objects.create(title="机密文档", file=ContentFile(b"x", name="secret.txt"))
    client.force_login(branch_publisher)
    for name in ("wagtailadmin_api:documents:listing", "wagtailadmin_api:pages:listing"):
        response = client.get(reverse(name))
        assert response.status_code in (200, 403, 404)
        assert "机密文档" not in response.content.decode()


def test_site_history_user_choices_are_the_editors_of_readable_records(client, histories, branch_publisher, sibling_editor):
    response = get_page(client, branch_publisher, "wagtailadmin_reports:site_history")
    fields = response.context["filters"].form.fields
    users = set(fields["user"].queryset)
    assert branch_publisher in users
    assert sibling_editor not in users
