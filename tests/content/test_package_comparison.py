"""Package comparison is one implementation (content.services.catalogue.compare_packages):
the admin's comparison page and the API's packageComparison give the same rows."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from content.services.catalogue import MAX_COMPARED, compare_packages
from tests.support.factories import PackageFactory
from tests.support.api import Api, error_codes, make_api_client

pytestmark = pytest.mark.django_db

QUERY = "query($c: [String!]!) { packageComparison(codes: $c) { packages { code } rows { field values differs } } }"


@pytest.fixture
def packages(matrix):
    return [
        PackageFactory(code="PKG-A", organisation=matrix["branch1"], data_mb=1024, brands=["gotone", "mzone"], published=True),
        PackageFactory(code="PKG-B", organisation=matrix["branch1"], data_mb=2048, monthly_fee=Decimal("88.00"), valid_to=datetime.date(2026, 12, 31), published=True),
        PackageFactory(code="PKG-C", organisation=matrix["branch1"], data_mb=2048, family="5G", brands=[], published=True),
    ]


@pytest.fixture
def api(matrix):
    _, token = make_api_client("西安公众号", matrix["branch1"], [matrix["account_branch1"]])
    return Api(token)


def test_api_comparison_is_the_service_table(packages, api):
    # given packages asked in an order of the caller's choosing
    codes = ["PKG-C", "PKG-A", "PKG-B"]
    # when the API compares them
    data = api.data(QUERY, {"c": codes})["packageComparison"]
    # then its rows are the service's rows for those fields, values in plain form, packages in the order asked
    table = compare_packages([next(p for p in packages if p.code == code) for code in codes])
    service = {row.field: {"field": row.field, "values": row.plain, "differs": row.differs} for row in table.rows}
    assert [p["code"] for p in data["packages"]] == codes
    assert data["rows"] == [service[row["field"]] for row in data["rows"]]
    assert {r["field"]: r["values"] for r in data["rows"]}["brands"] == ["", "gotone,mzone", "gotone"]
    assert [r["field"] for r in data["rows"] if r["differs"]] == [
        "monthly_fee", "data_mb", "family", "valid_to", "order_command", "brands"
    ]


def test_admin_and_api_mark_the_same_rows_as_differing(client, packages, api, superuser):
    # given the admin's comparison page and the API over the same packages
    client.force_login(superuser)
    table = client.get(reverse("wagtailsnippets_content_package:compare"), {"packages": [p.pk for p in packages]}).context["table"]
    data = api.data(QUERY, {"c": [p.code for p in packages]})["packageComparison"]
    # then every row the API gives differs exactly where the admin's does
    admin = {row.field: row.differs for row in table.rows}
    assert {row["field"]: row["differs"] for row in data["rows"]} == {row["field"]: admin[row["field"]] for row in data["rows"]}


def test_both_refuse_the_same_lists(packages, api):
    # one package, too many, or the same one twice: the service's check, with the API's field
    for bad in (["PKG-A"], ["PKG-A"] * 2, [f"PKG-{i}" for i in range(MAX_COMPARED + 1)]):
        status, payload = api.post(QUERY, {"c": bad})
        assert status == 400 and error_codes(payload) == ["INVALID_ARGUMENT"], bad
        assert payload["errors"][0]["extensions"]["field"] == "codes"
        assert "套餐" in payload["errors"][0]["message"]
