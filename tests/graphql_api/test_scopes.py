"""Permission per token scope: a front end reads only published content that
reaches its accounts and that its organisation may read; never a sibling
branch's content, never drafts, never secrets."""

import pytest

from tests.support.api import Api, error_codes, make_api_client
from tests.support.factories import (
    ArticleFactory,
    AutoReplyFactory,
    BusinessFactory,
    PackageFactory,
    SmsTemplateFactory,
    TemplateMessageFactory,
)

pytestmark = pytest.mark.django_db

SECRET_FIELDS = ("appSecret", "callbackToken", "encodingAesKey", "webhookKey", "apiBaseUrl")


@pytest.fixture
def sibling_content(matrix, sms_accounts):
    """Published content of branch SX-02 only, and a draft of SX-01."""
    b2 = matrix["branch2"]
    PackageFactory(code="PKG-02", organisation=b2, published=True)
    BusinessFactory(code="BIZ-02", organisation=b2, published=True)
    ArticleFactory(code="ART-02", organisation=b2, channels=[], published=True)
    SmsTemplateFactory(code="TPL-02", organisation=b2, published=True)
    AutoReplyFactory(account=matrix["account_branch2"], keyword="宝鸡", published=True)
    TemplateMessageFactory(code="TM-02", organisation=b2, accounts=[matrix["account_branch2"]], published=True)
    PackageFactory(code="PKG-01-DRAFT", organisation=matrix["branch1"], live=False)
    ArticleFactory(code="ART-01-DRAFT", organisation=matrix["branch1"], channels=[], live=False)


def test_branch_token_cannot_list_sibling_branch_content(sibling_content, branch1_api):
    # when the SX-01 front end lists everything it can
    data = branch1_api.data(
        "{ packages { edges { node { code } } } businesses { edges { node { code } } }"
        " articles { edges { node { code } } } organisations { edges { node { code } } }"
        " channelAccounts { edges { node { code } } } }"
    )
    # then nothing of SX-02 (and no draft) is there
    seen = {e["node"]["code"] for conn in data.values() for e in conn["edges"]}
    assert not seen & {"PKG-02", "BIZ-02", "ART-02", "SX-02", "wx-sx-02", "PKG-01-DRAFT", "ART-01-DRAFT"}


def test_branch_token_cannot_read_sibling_content_by_code(sibling_content, branch1_api):
    data = branch1_api.data(
        '{ package(code: "PKG-02") { code } business(code: "BIZ-02") { code } article(code: "ART-02") { code }'
        ' organisation(code: "SX-02") { code } channelAccount(code: "wx-sx-02") { code } }'
    )
    assert data == {"package": None, "business": None, "article": None, "organisation": None, "channelAccount": None}


def test_branch_token_cannot_read_drafts(sibling_content, branch1_api):
    data = branch1_api.data('{ package(code: "PKG-01-DRAFT") { code } article(code: "ART-01-DRAFT") { code } }')
    assert data == {"package": None, "article": None}


@pytest.mark.parametrize(
    "query",
    [
        '{ menu(account: "wx-sx-02") { account } }',
        '{ keywordReplies(account: "wx-sx-02") { edges { node { keyword } } } }',
        '{ templateMessages(account: "wx-sx-02") { edges { node { code } } } }',
        '{ smsTemplates(account: "sms-sx-02") { edges { node { code } } } }',
        '{ changes(account: "wx-sx-02", since: 0) { edges { node { code } } } }',
        '{ currentVersion(account: "wx-sx-02") }',
        '{ bundle(account: "wx-sx-02") { version } }',
        '{ bundleDelta(account: "wx-sx-02", since: 0) { version } }',
    ],
)
def test_branch_token_cannot_name_a_sibling_account(sibling_content, branch1_api, query):
    status, payload = branch1_api.post(query)
    assert status == 403
    assert error_codes(payload) == ["FORBIDDEN"]
    assert payload["errors"][0]["extensions"]["field"] == "account"
    assert "data" not in payload or payload["data"] is None


def test_secrets_are_not_in_the_schema(branch1_api):
    for field in SECRET_FIELDS:
        status, payload = branch1_api.post(f'{{ channelAccount(code: "wx-sx-01") {{ {field} }} }}')
        assert status == 400 and error_codes(payload) == ["GRAPHQL_VALIDATION_FAILED"], field


def test_secrets_never_appear_in_answers(matrix, branch1_api):
    from content.services.accounts import set_secret

    # given an account with every secret set
    account = matrix["account_branch1"]
    for field in ("app_secret", "callback_token", "webhook_key"):
        set_secret(account, field, f"s3cr3t-{field}")
    set_secret(account, "encoding_aes_key", "s3cr3t" + "k" * 37)
    account.save()
    # when the front end reads its account and bundle
    status, payload = branch1_api.post(
        '{ viewer { accounts { code appId } } channelAccount(code: "wx-sx-01") { code appId }'
        ' bundle(account: "wx-sx-01") { document } }'
    )
    # then no secret is in the answer
    assert status == 200 and "s3cr3t" not in str(payload)


def test_province_token_reads_province_wide_offers_and_branch_offers(matrix, sibling_content, province_api):
    PackageFactory(code="PKG-ALL", organisation=matrix["province"], sale_orgs=[matrix["province"]], published=True)
    data = province_api.data("{ packages { edges { node { code } } } }")
    assert [e["node"]["code"] for e in data["packages"]["edges"]] == ["PKG-02", "PKG-ALL"]


def test_branch_token_reads_what_the_province_shared_down_to_it_not_to_its_outlet(matrix, branch1_api, branch2_api):
    # given a province article shared down to SX-01, and one shared to an outlet of SX-01 only
    ArticleFactory(code="ART-SHARED", organisation=matrix["province"], channels=[], shared_to=[matrix["branch1"]],
                   published=True)
    ArticleFactory(code="ART-OUTLET", organisation=matrix["province"], channels=[], shared_to=[matrix["outlet"]],
                   published=True)
    query = '{ article(code: "ART-SHARED") { code } }'
    # then SX-01's official account reads it, SX-02's does not
    assert branch1_api.data(query)["article"] == {"code": "ART-SHARED"}
    assert branch2_api.data(query)["article"] is None
    # an official account broadcasts its own organisation's articles: the outlet's is not SX-01's
    assert branch1_api.data('{ article(code: "ART-OUTLET") { code } }')["article"] is None


def test_article_for_another_channel_is_not_read_by_an_official_account(matrix, branch1_api):
    ArticleFactory(code="ART-SMS", organisation=matrix["branch1"], channels=["sms"], published=True)
    assert branch1_api.data('{ article(code: "ART-SMS") { code } }')["article"] is None


def test_editor_session_reads_its_organisation_published_content(client, matrix, branch_editor, sibling_content):
    # given an SX-01 editor signed in to the admin
    PackageFactory(code="PKG-01", organisation=matrix["branch1"], published=True)
    client.force_login(branch_editor)
    # when they query in GraphiQL
    response = client.post("/graphql/", {"query": "{ viewer { kind } packages { edges { node { code } } } }"},
                           content_type="application/json")
    # then they see their branch's published packages, not SX-02's, not drafts
    data = response.json()["data"]
    assert data["viewer"]["kind"] == "editor"
    assert [e["node"]["code"] for e in data["packages"]["edges"]] == ["PKG-01"]


def test_client_for_two_accounts_reads_both(matrix, sms_accounts):
    _, token = make_api_client("西安全渠道", matrix["branch1"], [matrix["account_branch1"], sms_accounts["branch1"]])
    SmsTemplateFactory(code="TPL-01", organisation=matrix["branch1"], published=True)
    api = Api(token)
    data = api.data('{ smsTemplates(account: "sms-sx-01") { edges { node { code } } } viewer { accounts { code } } }')
    assert [e["node"]["code"] for e in data["smsTemplates"]["edges"]] == ["TPL-01"]
    assert [a["code"] for a in data["viewer"]["accounts"]] == ["sms-sx-01", "wx-sx-01"]
