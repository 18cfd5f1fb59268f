"""Channel-account secrets: encrypted at rest, write-only in the admin, never returned."""

import json

from django.db import connection
from django.urls import reverse

from content.models import ChannelAccount
from content.services.accounts import set_secret
from tests.support.content import account_form


def _raw(account, column):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM content_channelaccount WHERE id = %s", [account.pk])
        return cursor.fetchone()[0]


def test_secret_is_encrypted_at_rest_and_masked_in_memory(matrix):
    account = matrix["account_branch1"]
    set_secret(account, "app_secret", "s3cr3t-app-secret-value")
    raw = _raw(account, "app_secret")
    assert "s3cr3t" not in raw and raw
    fresh = ChannelAccount.objects.get(pk=account.pk)
    assert fresh.app_secret.reveal() == "s3cr3t-app-secret-value"
    assert "s3cr3t" not in repr(fresh.app_secret) and "s3cr3t" not in str(fresh.app_secret)


def test_admin_never_shows_secret_and_blank_keeps_it(client, matrix, superuser):
    account = matrix["account_branch1"]
    set_secret(account, "app_secret", "keep-me-secret-1234")
    client.force_login(superuser)
    url = reverse("wagtailsnippets_content_channelaccount:edit", args=[account.pk])
    page = client.get(url).content.decode()
    assert "keep-me-secret-1234" not in page
    assert "已设置" in page
    data = account_form(account, name="改名", max_segments=3, opt_out_text="拒收请回复R", enabled="on")
    assert client.post(url, data).status_code == 302
    fresh = ChannelAccount.objects.get(pk=account.pk)
    assert fresh.name == "改名"
    assert fresh.app_secret.reveal() == "keep-me-secret-1234"
    data["app_secret_new"] = "replaced-secret"
    client.post(url, data)
    assert ChannelAccount.objects.get(pk=account.pk).app_secret.reveal() == "replaced-secret"


def test_graphql_cannot_return_secrets(client, matrix, superuser):
    set_secret(matrix["account_branch1"], "app_secret", "never-returned-secret")
    client.force_login(superuser)
    response = client.post("/graphql/", json.dumps({"query": "{ channelAccounts { code appSecret } }"}),
                           content_type="application/json")
    assert "never-returned-secret" not in response.content.decode()
    assert "Cannot query field" in response.content.decode()
