"""The material library: article rules, share-down (read-only in branch
libraries) and local copies that remember their origin."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from content.models import Article
from content.permissions import scope_for_user, visible
from content.services.library import make_local_copy, origin_changed, share_down, validate_article
from tests.support.factories import ArticleFactory, PackageFactory
from tests.support.images import make_image
from tests.support.validation import errors_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def province_article(matrix, superuser):
    article = ArticleFactory(code="ART-P", title="5G新体验", organisation=matrix["province"], live=False)
    article.save_revision(user=superuser).publish(user=superuser)
    article.refresh_from_db()
    return article


# --- rules ----------------------------------------------------------------------


def test_body_is_sanitized(matrix):
    article = Article(code="A1", title="t", organisation=matrix["branch1"],
                      body='<p onclick="steal()">hi</p><script>alert(1)</script><a href="javascript:x()">l</a>')
    validate_article(article)
    assert "script" not in article.body and "onclick" not in article.body and "javascript" not in article.body
    assert "<p>hi</p>" in article.body


def test_importer_may_refuse_unsafe_body_instead(matrix):
    article = Article(code="A1", title="t", organisation=matrix["branch1"], body="<p onclick=\"x()\">hi</p>")
    assert "body" in errors_of(validate_article, article, refuse_unsafe_html=True)


def test_unknown_channel_is_refused(matrix):
    article = Article(code="A1", title="t", organisation=matrix["branch1"], channels=["fax"])
    assert "fax" in errors_of(validate_article, article)["channels"][0]


def test_missing_cover_image_is_refused(matrix):
    article = Article(code="A1", title="t", organisation=matrix["branch1"], cover_image_id=999999)
    assert "cover_image" in errors_of(validate_article, article)


def test_cover_image_of_a_sibling_branch_is_refused(matrix):
    image = make_image(matrix["branch2"], code="IMG-BJ")
    article = Article(code="A1", title="t", organisation=matrix["branch1"], cover_image=image)
    assert "IMG-BJ" in errors_of(validate_article, article)["cover_image"][0]


def test_province_image_may_be_used_by_a_branch(matrix):
    image = make_image(matrix["province"], code="IMG-SX")
    validate_article(Article(code="A1", title="t", organisation=matrix["branch1"], cover_image=image))


def test_inline_image_must_exist_and_be_readable(matrix):
    sibling = make_image(matrix["branch2"], code="IMG-BJ")
    body = f'<embed embedtype="image" id="{sibling.pk}" format="fullwidth" alt="x"/><embed embedtype="image" id="999999" format="left" alt="y"/>'
    errors = errors_of(validate_article, Article(code="A1", title="t", organisation=matrix["branch1"], body=body))
    assert any("IMG-BJ" in m for m in errors["body"]) and any("999999" in m for m in errors["body"])


def test_related_package_sold_elsewhere_is_a_reference_not_an_error(matrix):
    # legacy exports link branch articles to offers sold in other branches
    package = PackageFactory(code="PKG-BJ", organisation=matrix["branch2"])
    article = Article(code="A1", title="t", organisation=matrix["branch1"])
    article.related_packages = [package]
    try:
        validate_article(article)
    except ValidationError as refused:
        assert "related_packages" not in refused.message_dict


def test_share_down_only_to_organisations_below(matrix):
    article = Article(code="A1", title="t", organisation=matrix["branch1"])
    article.shared_to = [matrix["branch2"]]
    assert "SX-02" in errors_of(validate_article, article)["shared_to"][0]


# --- share-down -------------------------------------------------------------------


def test_shared_article_appears_read_only_in_the_chosen_branches(matrix, province_article, branch_editor, sibling_editor):
    # when the province shares to branch 1 only
    share_down(province_article, [matrix["branch1"]])
    # then branch 1 reads it, branch 2 does not
    assert visible(Article.objects.all(), scope_for_user(branch_editor)).filter(pk=province_article.pk).exists()
    assert not visible(Article.objects.all(), scope_for_user(sibling_editor)).filter(pk=province_article.pk).exists()


def test_share_down_refuses_organisations_that_are_not_below(matrix, branch_editor):
    article = ArticleFactory(code="ART-XA", organisation=matrix["branch1"])
    with pytest.raises(ValidationError) as info:
        share_down(article, [matrix["branch2"], matrix["province"]])
    assert len(info.value.message_dict["shared_to"]) == 2


def test_branch_editor_cannot_edit_a_shared_article(client, matrix, province_article, branch_editor):
    share_down(province_article, [matrix["branch1"]])
    client.force_login(branch_editor)
    listing = client.get(reverse("wagtailsnippets_content_article:list"))
    assert "5G新体验" in listing.content.decode() and "上级下发(只读)" in listing.content.decode()
    # the edit view refuses (Wagtail turns PermissionDenied into a redirect to the dashboard)
    refused = client.get(reverse("wagtailsnippets_content_article:edit", args=[province_article.pk]))
    assert refused.status_code in (302, 403) and refused.get("Location", "/admin/") == "/admin/"
    client.post(reverse("wagtailsnippets_content_article:edit", args=[province_article.pk]), {"title": "改"})
    province_article.refresh_from_db()
    assert province_article.title == "5G新体验"


# --- local copies ----------------------------------------------------------------------


def test_local_copy_remembers_its_origin_and_sees_when_it_changes(matrix, province_article, branch_editor, superuser):
    share_down(province_article, [matrix["branch1"]])
    # when branch 1 copies the shared article
    copy = make_local_copy(province_article, matrix["branch1"], branch_editor)
    # then the copy is a draft of branch 1 pointing at the origin's published revision
    assert (copy.organisation, copy.origin, copy.live) == (matrix["branch1"], province_article, False)
    assert copy.title == "5G新体验" and copy.origin_revision_id == province_article.live_revision_id
    assert copy.latest_revision is not None and not origin_changed(copy)
    # when the province publishes a new version
    province_article.title = "5G新体验(更新)"
    province_article.save_revision(user=superuser).publish(user=superuser)
    copy.refresh_from_db()
    # then the copy shows that its origin changed
    assert origin_changed(copy)


def test_a_draft_of_the_origin_is_not_a_change_branches_see(matrix, province_article, branch_editor, superuser):
    share_down(province_article, [matrix["branch1"]])
    copy = make_local_copy(province_article, matrix["branch1"], branch_editor)
    province_article.title = "草稿"
    province_article.save_revision(user=superuser)
    assert not origin_changed(copy)


def test_local_copy_needs_the_article_shared_to_that_organisation(matrix, province_article, sibling_editor):
    with pytest.raises(ValidationError) as info:
        make_local_copy(province_article, matrix["branch2"], sibling_editor)
    assert "organisation" in info.value.message_dict


def test_editor_cannot_copy_into_another_organisation(matrix, province_article, sibling_editor):
    share_down(province_article, [matrix["branch1"]])
    with pytest.raises(PermissionDenied):
        make_local_copy(province_article, matrix["branch1"], sibling_editor)


def test_two_copies_get_distinct_codes(matrix, province_article, branch_editor):
    share_down(province_article, [matrix["branch1"]])
    first = make_local_copy(province_article, matrix["branch1"], branch_editor)
    second = make_local_copy(province_article, matrix["branch1"], branch_editor)
    assert first.code == "ART-P-SX-01" and second.code == "ART-P-SX-01-2"


def test_admin_copy_button_creates_a_local_copy(client, matrix, province_article, branch_editor, superuser):
    share_down(province_article, [matrix["branch1"]])
    client.force_login(branch_editor)
    listing = client.get(reverse("wagtailsnippets_content_article:list")).content.decode()
    url = reverse("wagtailsnippets_content_article:local_copy", args=[province_article.pk])
    assert url in listing
    response = client.post(url)
    copy = Article.objects.get(origin=province_article)
    assert response.status_code == 302 and response["Location"].endswith(f"/edit/{copy.pk}/")
    edit = client.get(response["Location"]).content.decode()
    assert "本地副本" in edit and "没有变化" in edit
    # the origin changes: the copy's list row and edit page say so
    province_article.title = "新标题"
    province_article.save_revision(user=superuser).publish(user=superuser)
    assert "来源已更新" in client.get(reverse("wagtailsnippets_content_article:list")).content.decode()
    assert "已更新" in client.get(response["Location"]).content.decode()


def test_sibling_cannot_copy_an_article_not_shared_with_it(client, matrix, province_article, sibling_editor):
    share_down(province_article, [matrix["branch1"]])
    client.force_login(sibling_editor)
    response = client.post(reverse("wagtailsnippets_content_article:local_copy", args=[province_article.pk]))
    assert response.status_code == 404
    assert not Article.objects.filter(origin=province_article).exists()
