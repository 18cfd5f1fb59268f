"""Bad input to the GraphQL API is refused with a typed 4xx, never a server error:
text PostgreSQL cannot store (a NUL character, a lone surrogate) in a string literal
or a variable, and a BigInt variable that is not a whole number in range."""

import json

import pytest

from api import persisted
from tests.support.api import error_codes
from tests.support.factories import PackageFactory

pytestmark = pytest.mark.django_db

PACKAGE = "query($code: String!) { package(code: $code) { code } }"


def _refusal(payload):
    (error,) = payload["errors"]
    return error["extensions"]["code"], error["extensions"].get("field")


def test_nul_in_a_string_literal_is_an_invalid_argument(matrix, branch1_api):
    status, payload = branch1_api.post('{ package(code: "PKG\\u0000X") { code } }')
    assert status == 400 and _refusal(payload) == ("INVALID_ARGUMENT", "code")


def test_nul_in_a_nested_literal_names_the_argument(matrix, branch1_api):
    status, payload = branch1_api.post('{ packages(first: 5, organisation: "SX\\u0000") { edges { node { code } } } }')
    assert status == 400 and _refusal(payload) == ("INVALID_ARGUMENT", "organisation")


def test_nul_in_a_variable_is_an_invalid_argument(matrix, branch1_api):
    status, payload = branch1_api.post(PACKAGE, {"code": "PKG\x00X"})
    assert status == 400 and _refusal(payload) == ("INVALID_ARGUMENT", "variables.code")


def test_lone_surrogate_in_a_variable_is_an_invalid_argument(matrix, branch1_api):
    # json.dumps writes the surrogate as the escape \ud800, as a careless client would
    status, payload = branch1_api.post(PACKAGE, {"code": "PKG\ud800"})
    assert status == 400 and _refusal(payload) == ("INVALID_ARGUMENT", "variables.code")


def test_nul_in_a_persisted_get_variable_is_an_invalid_argument(matrix, branch1_api):
    response = branch1_api.get({"id": persisted.by_name("sms_templates").sha256,
                                "variables": json.dumps({"account": "sms\x00"})})
    assert response.status_code == 400 and _refusal(response.json()) == ("INVALID_ARGUMENT", "variables.account")


def test_a_storable_string_is_still_answered(matrix, branch1_api):
    PackageFactory(code="PKG-OK", organisation=matrix["branch1"], published=True)
    assert branch1_api.data(PACKAGE, {"code": "PKG-OK"}) == {"package": {"code": "PKG-OK"}}


CHANGES = 'query($since: BigInt!) { changes(account: "wx-sx-01", since: $since, first: 1) { currentVersion } }'


@pytest.mark.parametrize("since", [1.5, "1", "1.5", True, 2**63, -(2**63) - 1])
def test_bigint_variable_that_is_not_a_whole_number_in_range_is_refused(matrix, branch1_api, since):
    status, payload = branch1_api.post(CHANGES, {"since": since})
    assert status == 400 and error_codes(payload) == ["GRAPHQL_VALIDATION_FAILED"], payload


@pytest.mark.parametrize("literal", ["1.5", '"1"', str(2**63)])
def test_bigint_literal_that_is_not_a_whole_number_in_range_is_refused(matrix, branch1_api, literal):
    query = f'{{ changes(account: "wx-sx-01", since: {literal}, first: 1) {{ currentVersion }} }}'
    status, payload = branch1_api.post(query)
    assert status == 400 and error_codes(payload) == ["GRAPHQL_VALIDATION_FAILED"], payload


@pytest.mark.parametrize("since", [0, 2.0, 2**63 - 1])
def test_bigint_variable_that_is_a_whole_number_is_answered(matrix, branch1_api, since):
    assert branch1_api.data(CHANGES, {"since": since})["changes"]["currentVersion"] == 0
