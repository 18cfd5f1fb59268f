"""manage.py api_token: create prints the token once, only a hash is stored,
revoke works by client, prefix or token; bad input names the argument."""

import io

import pytest
from django.core.management import CommandError, call_command
from wagtail.models import APIToken

from cms.models import ApiClient
from tests.support.api import Api, error_codes

pytestmark = pytest.mark.django_db


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("api_token", *args, stdout=out, stderr=err)
    return out.getvalue().strip(), err.getvalue()


def test_create_prints_a_working_token_once_and_stores_only_its_hash(matrix, sms_accounts):
    # when
    token, note = run("create", "--account", "wx-sx-01", "--account", "sms-sx-01", "--name", "西安前端")
    # then
    assert token.startswith("wagtail_") and "\n" not in token
    assert "shown once" in note and token not in note
    client = ApiClient.objects.get(name="西安前端")
    assert client.organisation.code == "SX-01"
    assert sorted(a.code for a in client.accounts.all()) == ["sms-sx-01", "wx-sx-01"]
    stored = APIToken.objects.get(user=client.user)
    assert stored.key_hash == APIToken.hash_token(token) and token not in str(APIToken.objects.values().get())
    assert Api(token).data("{ viewer { name } }") == {"viewer": {"name": "西安前端"}}


def test_create_for_accounts_of_several_organisations_needs_one(matrix):
    with pytest.raises(CommandError, match="organisation"):
        run("create", "--account", "wx-sx", "--account", "wx-sx-01")
    token, _ = run("create", "--account", "wx-sx", "--account", "wx-sx-01", "--organisation", "SX")
    assert ApiClient.objects.get(user__api_tokens__key_hash=APIToken.hash_token(token)).organisation.code == "SX"


def test_create_refuses_unknown_accounts_and_accounts_outside_the_organisation(matrix):
    with pytest.raises(CommandError, match="account: unknown channel account nope"):
        run("create", "--account", "nope")
    with pytest.raises(CommandError, match="accounts: .*wx-sx-02"):
        run("create", "--account", "wx-sx-02", "--organisation", "SX-01")
    assert not ApiClient.objects.exists()


def test_revoke_by_client_prefix_or_token(matrix):
    first, _ = run("create", "--account", "wx-sx-01", "--name", "A")
    second, _ = run("create", "--client", "A")
    third, _ = run("create", "--client", "A")
    # when
    run("revoke", "--prefix", first[:14])
    run("revoke", "--token", second)
    # then
    assert error_codes(Api(first).post("{ viewer { name } }")[1]) == ["TOKEN_REVOKED"]
    assert error_codes(Api(second).post("{ viewer { name } }")[1]) == ["TOKEN_REVOKED"]
    assert Api(third).post("{ viewer { name } }")[0] == 200
    out, _ = run("revoke", "--client", "A")
    assert out == "revoked 1 token(s) of A"
    assert Api(third).post("{ viewer { name } }")[0] == 401


def test_list_shows_clients_with_active_token_prefixes(matrix):
    token, _ = run("create", "--account", "wx-sx-01", "--name", "A")
    out, _ = run("list")
    assert out == f"A\tSX-01\twx-sx-01\t{token[:12]}"
