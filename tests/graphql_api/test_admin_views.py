"""Admin views of API clients: tokens issued and revoked, isolation by organisation."""

import re

import pytest
from wagtail.models import APIToken

from tests.support.api import Api, make_api_client

pytestmark = pytest.mark.django_db


def test_issuing_a_new_token_shows_it_once(client, matrix, superuser):
    api_client, first = make_api_client("前端", matrix["branch1"], [matrix["account_branch1"]])
    client.force_login(superuser)
    response = client.post(f"/admin/api-clients/{api_client.pk}/tokens/", {"action": "issue"})
    second = re.search(r'id="api-token-value" value="([^"]+)"', response.content.decode()).group(1)
    assert second != first and Api(second).post("{ viewer { name } }")[0] == 200
    listing = client.get(f"/admin/api-clients/{api_client.pk}/tokens/").content.decode()
    assert second not in listing and second[:12] in listing


def test_revoke_all_refuses_every_token_of_the_client(client, matrix, superuser):
    api_client, first = make_api_client("前端", matrix["branch1"], [matrix["account_branch1"]])
    client.force_login(superuser)
    client.post(f"/admin/api-clients/{api_client.pk}/tokens/", {"action": "issue"})
    client.post(f"/admin/api-clients/{api_client.pk}/tokens/", {"action": "revoke_all"})
    assert not APIToken.objects.filter(user=api_client.user, revoked_at__isnull=True).exists()
    assert Api(first).post("{ viewer { name } }")[0] == 401


def test_editors_without_client_permission_cannot_see_tokens(client, matrix, branch_publisher):
    api_client, _ = make_api_client("前端", matrix["branch1"], [matrix["account_branch1"]])
    client.force_login(branch_publisher)
    assert client.get(f"/admin/api-clients/{api_client.pk}/tokens/").status_code == 404
    assert client.post(f"/admin/api-clients/{api_client.pk}/tokens/", {"action": "revoke_all"}).status_code == 404


def test_client_listing_is_isolated_by_organisation(client, matrix, branch_editor):
    from django.contrib.auth.models import Permission

    make_api_client("西安前端", matrix["branch1"], [matrix["account_branch1"]])
    make_api_client("宝鸡前端", matrix["branch2"], [matrix["account_branch2"]])
    branch_editor.user_permissions.add(*Permission.objects.filter(content_type__app_label="cms", codename__endswith="apiclient"))
    client.force_login(branch_editor)
    listing = client.get("/admin/snippets/cms/apiclient/").content.decode()
    assert "西安前端" in listing and "宝鸡前端" not in listing
