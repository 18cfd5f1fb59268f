"""Only authenticated callers get answers; every refusal is a typed 401."""

import datetime

import pytest
from django.utils import timezone
from wagtail.models import APIToken

from cms.callers.clients import create_client, issue_token, revoke_tokens
from tests.support.api import Api, error_codes

pytestmark = pytest.mark.django_db
QUERY = "{ viewer { name } }"


def test_unauthenticated_request_gets_only_an_error(anonymous_api):
    status, payload = anonymous_api.post(QUERY)
    assert status == 401
    assert payload == {"errors": [{"message": "authentication required", "extensions": {"code": "UNAUTHENTICATED"}}]}


@pytest.mark.parametrize(
    "header, code",
    [
        ("Bearer not-a-token", "UNAUTHENTICATED"),
        ("Bearer wagtail_" + "A" * 34, "UNAUTHENTICATED"),
        ("Basic dXNlcjpwYXNz", "UNAUTHENTICATED"),
        ("Bearer ", "UNAUTHENTICATED"),
    ],
)
def test_malformed_or_unknown_tokens_are_refused(db, header, code):
    status, payload = Api().post(QUERY, HTTP_AUTHORIZATION=header)
    assert status == 401 and error_codes(payload) == [code]


def test_well_formed_but_unknown_token_is_refused(db):
    status, payload = Api(APIToken.generate_token()).post(QUERY)
    assert status == 401 and error_codes(payload) == ["UNAUTHENTICATED"]


def test_revoked_token_is_refused(matrix):
    client = create_client(name="客户端", organisation=matrix["branch1"], accounts=[matrix["account_branch1"]])
    _, token = issue_token(client)
    api = Api(token)
    assert api.data(QUERY)["viewer"]["name"] == "客户端"
    # when
    revoke_tokens(client)
    # then
    status, payload = api.post(QUERY)
    assert status == 401 and error_codes(payload) == ["TOKEN_REVOKED"]


def test_expired_client_is_refused(matrix):
    client = create_client(
        name="过期", organisation=matrix["branch1"], accounts=[matrix["account_branch1"]],
        expires_at=timezone.now() - datetime.timedelta(minutes=1),
    )
    _, token = issue_token(client)
    status, payload = Api(token).post(QUERY)
    assert status == 401 and error_codes(payload) == ["TOKEN_EXPIRED"]


def test_deactivated_service_user_is_refused(matrix):
    client = create_client(name="停用", organisation=matrix["branch1"], accounts=[matrix["account_branch1"]])
    _, token = issue_token(client)
    client.user.is_active = False
    client.user.save()
    status, payload = Api(token).post(QUERY)
    assert status == 401 and error_codes(payload) == ["UNAUTHENTICATED"]


def test_deleting_a_client_revokes_its_tokens(matrix):
    from tests.support.content import committed

    client = create_client(name="删除", organisation=matrix["branch1"], accounts=[matrix["account_branch1"]])
    token, plaintext = issue_token(client)
    with committed():
        client.delete()
    token.refresh_from_db()
    assert token.revoked_at is not None
    status, payload = Api(plaintext).post(QUERY)
    assert status == 401


def test_only_a_hash_of_the_token_is_stored(matrix):
    client = create_client(name="哈希", organisation=matrix["branch1"], accounts=[matrix["account_branch1"]])
    token, plaintext = issue_token(client)
    stored = APIToken.objects.filter(pk=token.pk).values().get()
    assert plaintext not in str(stored)
    assert stored["key_hash"] == APIToken.hash_token(plaintext)


def test_token_use_is_recorded(matrix):
    client = create_client(name="使用", organisation=matrix["branch1"], accounts=[matrix["account_branch1"]])
    token, plaintext = issue_token(client)
    Api(plaintext).data(QUERY)
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_client_accounts_must_belong_to_its_organisation(matrix):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        create_client(name="越权", organisation=matrix["branch1"], accounts=[matrix["account_branch2"]])
    assert "wx-sx-02" in str(error.value.message_dict["accounts"])


def test_graphiql_is_served_to_signed_in_admin_users_only(client, superuser, settings):
    settings.GRAPHQL_GRAPHIQL = True
    anonymous = client.get("/graphql/", HTTP_ACCEPT="text/html")
    assert anonymous.status_code == 401
    client.force_login(superuser)
    page = client.get("/graphql/", HTTP_ACCEPT="text/html")
    assert page.status_code == 200 and b"graphiql" in page.content.lower()


def test_validation_errors_of_services_name_their_field(matrix, branch1_api, monkeypatch):
    from django.core.exceptions import ValidationError

    from content.schema import queries as schema

    def refuse(*args, **kwargs):
        raise ValidationError({"brand": ValidationError("未知品牌 %(code)s", params={"code": "x"})})

    monkeypatch.setattr(schema, "packages_on_sale", refuse)
    status, payload = branch1_api.post("{ packages { totalCount } }")
    assert status == 400
    assert payload["errors"][0]["extensions"] == {"code": "INVALID_ARGUMENT", "field": "brand"}
    assert payload["errors"][0]["message"] == "未知品牌 x"
