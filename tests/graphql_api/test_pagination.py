"""Relay cursor pagination on every list: keyset cursors both ways, page size
limits, and bad cursors refused with a typed error."""

import pytest
from django.test import override_settings

from api.pagination import encode_cursor
from tests.support.api import codes, error_codes
from tests.support.factories import PackageFactory

pytestmark = pytest.mark.django_db
QUERY = """query($first: Int, $after: String, $last: Int, $before: String) {
  packages(first: $first, after: $after, last: $last, before: $before) {
    totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { code } } } }"""


@pytest.fixture
def packages(matrix):
    return [PackageFactory(code=f"PKG-{i}", organisation=matrix["branch1"], published=True) for i in range(5)]


def page(api, **variables):
    return api.data(QUERY, variables)["packages"]


def test_forward_pages_cover_the_list_once(packages, branch1_api):
    first = page(branch1_api, first=2)
    second = page(branch1_api, first=2, after=first["pageInfo"]["endCursor"])
    third = page(branch1_api, first=2, after=second["pageInfo"]["endCursor"])
    assert codes(first) + codes(second) + codes(third) == [f"PKG-{i}" for i in range(5)]
    assert first["pageInfo"]["hasNextPage"] and not third["pageInfo"]["hasNextPage"]
    assert second["pageInfo"]["hasPreviousPage"] and first["totalCount"] == 5


def test_backward_pages(packages, branch1_api):
    last = page(branch1_api, last=2)
    before = page(branch1_api, last=2, before=last["pageInfo"]["startCursor"])
    assert codes(last) == ["PKG-3", "PKG-4"] and codes(before) == ["PKG-1", "PKG-2"]
    assert before["pageInfo"]["hasPreviousPage"]


def test_a_page_is_stable_when_items_are_published_before_the_cursor(packages, matrix, branch1_api):
    first = page(branch1_api, first=2)
    PackageFactory(code="PKG-0A", organisation=matrix["branch1"], published=True)  # sorts before the cursor
    assert codes(page(branch1_api, first=2, after=first["pageInfo"]["endCursor"])) == ["PKG-2", "PKG-3"]


def test_default_page_size_applies_without_first(packages, branch1_api):
    with override_settings(GRAPHQL_DEFAULT_PAGE_SIZE=3):
        assert len(codes(page(branch1_api))) == 3


@pytest.mark.parametrize(
    "variables, code",
    [
        ({"first": 101}, "PAGE_SIZE_EXCEEDED"),
        ({"last": 101}, "PAGE_SIZE_EXCEEDED"),
        ({"first": -1}, "INVALID_ARGUMENT"),
        ({"first": 1, "last": 1}, "INVALID_ARGUMENT"),
        ({"after": "not-a-cursor"}, "BAD_CURSOR"),
        ({"after": "%%%"}, "BAD_CURSOR"),
        ({"after": encode_cursor([1])}, "BAD_CURSOR"),
        ({"after": encode_cursor(["a", "b"])}, "BAD_CURSOR"),
        ({"before": "eyJ4IjoxfQ"}, "BAD_CURSOR"),
    ],
)
def test_bad_page_arguments_are_typed_400s(packages, branch1_api, variables, code):
    status, payload = branch1_api.post(QUERY, variables)
    assert status == 400 and error_codes(payload) == [code]


def test_changes_allow_larger_pages(matrix, branch1_api):
    query = 'query($n: Int) { changes(account: "wx-sx-01", since: 0, first: $n) { edges { cursor } } }'
    assert branch1_api.post(query, {"n": 1000})[0] == 200
    status, payload = branch1_api.post(query, {"n": 1001})
    assert status == 400 and error_codes(payload) == ["PAGE_SIZE_EXCEEDED"]


# A page's promotion slots are read whole: a handful per channel and organisation, each
# at most 20 entries (content.models.promotions.MAX_SLOT_ENTRIES), and a page of slots would cut a
# page layout in two. The answer-size limits bound them like any other field.
WHOLE_LISTS = {"slots"}


def test_every_list_field_is_a_connection():
    from cms.schema import schema

    for name, field in schema.graphql_schema.query_type.fields.items():
        if name in WHOLE_LISTS:
            continue
        type_ = field.type
        while hasattr(type_, "of_type"):
            assert not type_.__class__.__name__ == "GraphQLList", f"{name} is a plain list"
            type_ = type_.of_type
