"""An administrator issues a front end's API token in the admin (shown once),
the front end uses it, and the administrator revokes it."""

import json
import urllib.error
import urllib.request

import pytest
from wagtail.models import APIToken

from cms.models import ApiClient
from tests.support.browser import admin_login


pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def ask(base_url, token):
    request = urllib.request.Request(
        f"{base_url}/graphql/",
        data=json.dumps({"query": "{ viewer { name accounts { code } } }"}).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_administrator_issues_and_revokes_a_front_end_token(admin_page, matrix, superuser):
    page = admin_page
    admin_login(page, superuser.username)
    # given the API client form (settings menu)
    page.goto(f"{page.base_url}/admin/snippets/cms/apiclient/add/")
    page.fill("input[name=name]", "西安公众号前端")
    page.select_option("select[name=organisation]", str(matrix["branch1"].pk))
    page.check(f"input[name=accounts][value='{matrix['account_branch1'].pk}']")
    # when it is saved
    page.click("button.action-save")
    # then the token is shown once
    token = page.input_value("#api-token-value")
    assert token.startswith("wagtail_")
    client = ApiClient.objects.get(name="西安公众号前端")
    assert APIToken.objects.get(user=client.user).key_hash == APIToken.hash_token(token)
    # and the front end reads with it
    status, payload = ask(page.base_url, token)
    assert status == 200 and payload["data"]["viewer"] == {"name": "西安公众号前端", "accounts": [{"code": "wx-sx-01"}]}
    # when the administrator opens the client's tokens from the listing and revokes it
    page.goto(f"{page.base_url}/admin/snippets/cms/apiclient/")
    page.click(f"[data-client-tokens='西安公众号前端']")
    row = page.locator(f"tr[data-token-prefix='{token[:12]}']")
    assert "有效" in row.inner_text()
    row.locator("button", has_text="撤销").click()
    page.wait_for_selector("text=已撤销")
    # then the token no longer opens the API, and is not shown again anywhere
    status, payload = ask(page.base_url, token)
    assert status == 401 and payload["errors"][0]["extensions"]["code"] == "TOKEN_REVOKED"
    assert token not in page.content()


def test_refuses_accounts_outside_the_client_organisation(admin_page, matrix, superuser):
    page = admin_page
    admin_login(page, superuser.username)
    page.goto(f"{page.base_url}/admin/snippets/cms/apiclient/add/")
    page.fill("input[name=name]", "越权前端")
    page.select_option("select[name=organisation]", str(matrix["branch1"].pk))
    page.check(f"input[name=accounts][value='{matrix['account_branch2'].pk}']")
    page.click("button.action-save")
    page.wait_for_selector("text=不属于组织 SX-01")
    assert not ApiClient.objects.exists()
