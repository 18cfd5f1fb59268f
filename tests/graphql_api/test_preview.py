"""Drafts reach a front end only with a short-lived preview token from the admin."""

import re
import time

import pytest
from django.test import override_settings

from cms.callers.preview import issue_preview_token
from tests.support.api import error_codes
from tests.support.factories import ArticleFactory, PackageFactory

pytestmark = pytest.mark.django_db
QUERY = '{ article(code: "ART-1") { title isPreview } }'


@pytest.fixture
def edited_article(matrix):
    """A published article with a newer, unpublished draft."""
    item = ArticleFactory(code="ART-1", organisation=matrix["branch1"], channels=[], title="已发布标题", published=True)
    item.title = "草稿标题"
    item.save_revision()
    return item


def preview_from_admin(client, user, item):
    client.force_login(user)
    response = client.get(f"/admin/graphql-preview/article/{item.pk}/")
    assert response.status_code == 200
    return re.search(r'id="preview-token-value">([^<]+)<', response.content.decode()).group(1)


def test_without_a_preview_token_the_published_version_is_served(edited_article, branch1_api):
    assert branch1_api.data(QUERY)["article"] == {"title": "已发布标题", "isPreview": False}


def test_a_preview_token_from_the_admin_shows_the_draft(client, edited_article, branch_editor, branch1_api):
    token = preview_from_admin(client, branch_editor, edited_article)
    data = branch1_api.data(QUERY, HTTP_X_PREVIEW_TOKEN=token)
    assert data["article"] == {"title": "草稿标题", "isPreview": True}


def test_a_preview_token_shows_a_never_published_draft(matrix, branch_editor, branch1_api):
    draft = ArticleFactory(code="ART-1", organisation=matrix["branch1"], channels=[], title="新草稿", live=False)
    token = issue_preview_token(draft, branch_editor)
    assert branch1_api.data(QUERY)["article"] is None
    assert branch1_api.data(QUERY, HTTP_X_PREVIEW_TOKEN=token)["article"] == {"title": "新草稿", "isPreview": True}


def test_a_preview_token_opens_only_its_own_item(matrix, edited_article, branch_editor, branch1_api):
    other = ArticleFactory(code="ART-2", organisation=matrix["branch1"], channels=[], title="另一篇", published=True)
    other.title = "另一篇草稿"
    other.save_revision()
    token = issue_preview_token(edited_article, branch_editor)
    data = branch1_api.data('{ article(code: "ART-2") { title isPreview } }', HTTP_X_PREVIEW_TOKEN=token)
    assert data["article"] == {"title": "另一篇", "isPreview": False}


def test_a_preview_token_does_not_cross_branches(matrix, sibling_editor, branch2_api):
    draft = ArticleFactory(code="ART-1", organisation=matrix["branch2"], channels=[], title="宝鸡草稿", live=False)
    token = issue_preview_token(draft, sibling_editor)
    # an SX-02 draft previewed through the SX-01 front end stays invisible
    from tests.support.api import Api, make_api_client

    _, sx01 = make_api_client("西安", matrix["branch1"], [matrix["account_branch1"]])
    assert Api(sx01).data(QUERY, HTTP_X_PREVIEW_TOKEN=token)["article"] is None
    assert branch2_api.data(QUERY, HTTP_X_PREVIEW_TOKEN=token)["article"]["title"] == "宝鸡草稿"


def test_an_expired_preview_token_is_a_typed_401(edited_article, branch_editor, branch1_api):
    token = issue_preview_token(edited_article, branch_editor)
    time.sleep(1.1)
    with override_settings(GRAPHQL_PREVIEW_TOKEN_MAX_AGE=1):
        status, payload = branch1_api.post(QUERY, HTTP_X_PREVIEW_TOKEN=token)
    assert status == 401 and error_codes(payload) == ["PREVIEW_TOKEN_EXPIRED"]


def test_a_tampered_preview_token_is_a_typed_401(edited_article, branch_editor, branch1_api):
    token = issue_preview_token(edited_article, branch_editor)
    status, payload = branch1_api.post(QUERY, HTTP_X_PREVIEW_TOKEN=token[:-2] + "xx")
    assert status == 401 and error_codes(payload) == ["PREVIEW_TOKEN_INVALID"]


def test_a_preview_token_alone_does_not_authenticate(edited_article, branch_editor, anonymous_api):
    token = issue_preview_token(edited_article, branch_editor)
    status, payload = anonymous_api.post(QUERY, HTTP_X_PREVIEW_TOKEN=token)
    assert status == 401 and error_codes(payload) == ["UNAUTHENTICATED"]


def test_sibling_editor_cannot_get_a_preview_token(client, edited_article, sibling_editor):
    client.force_login(sibling_editor)
    assert client.get(f"/admin/graphql-preview/article/{edited_article.pk}/").status_code == 404


def test_preview_answers_are_never_cacheable(matrix, branch_editor, branch1_api):
    from api import persisted

    draft = PackageFactory(code="PKG-1", organisation=matrix["branch1"], live=False)
    token = issue_preview_token(draft, branch_editor)
    response = branch1_api.get(
        {"id": persisted.by_name("web_package").sha256, "variables": '{"code": "PKG-1"}'}, HTTP_X_PREVIEW_TOKEN=token
    )
    assert response.status_code == 200 and response.json()["data"]["package"]["isPreview"] is True
    assert response["Cache-Control"] == "no-store" and not response.has_header("ETag")
