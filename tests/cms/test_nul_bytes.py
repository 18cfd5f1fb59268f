"""Text PostgreSQL cannot store, sent to the admin in a path, a filter, a search or a
form, is a bad request (400), never a server error (cms.bad_input)."""

import pytest
from django.urls import reverse

from content.models import Package

pytestmark = pytest.mark.django_db


def test_nul_in_the_publishing_dashboard_filter_is_a_bad_request(client, matrix, branch_publisher):
    client.force_login(branch_publisher)
    response = client.get("/admin/publishing/?account=%00")
    assert response.status_code == 400
    assert "account" in response.content.decode() and "NUL" in response.content.decode()


@pytest.mark.parametrize("query", ["q=probe%00", "organisation=%00", "%00=1"])
def test_nul_in_a_snippet_listing_search_or_filter_is_a_bad_request(client, matrix, branch_editor, query):
    client.force_login(branch_editor)
    response = client.get(reverse("wagtailsnippets_content_package:list") + "?" + query)
    assert response.status_code == 400


def test_nul_in_a_path_is_a_bad_request(client, matrix, branch_editor):
    client.force_login(branch_editor)
    assert client.get("/admin/snippets/content/package/edit/1%00/").status_code == 400


def test_nul_in_a_posted_form_is_a_bad_request_and_saves_nothing(client, matrix, branch_editor):
    client.force_login(branch_editor)
    response = client.post(reverse("wagtailsnippets_content_package:add"), {
        "code": "PKG-NUL", "name": "套餐\x00", "organisation": matrix["branch1"].pk, "monthly_fee": "58.00",
    })
    assert response.status_code == 400
    assert not Package.objects.filter(code="PKG-NUL").exists()


def test_clean_parameters_are_answered_as_before(client, matrix, branch_publisher):
    client.force_login(branch_publisher)
    assert client.get("/admin/publishing/?account=wx-sx-01").status_code == 200
    assert client.get(reverse("wagtailsnippets_content_package:list") + "?q=probe").status_code == 200


def test_the_graphql_endpoint_answers_nul_with_its_own_typed_error(client, matrix):
    response = client.get("/graphql/", {"query": "{ viewer { name } }", "operationName": "x\x00"})
    assert response.status_code in (400, 401) and response["Content-Type"].startswith("application/json")
