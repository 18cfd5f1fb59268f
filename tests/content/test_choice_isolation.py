"""List filters and form choices of the scoped admin viewsets offer only what the
user may read: a branch editor never sees a sibling branch's organisation or
account among the choices (content.viewsets.limit_choices, one place for every
filter and every model-choice field)."""

import pytest
from django.test import Client

from tests.support.users import make_editor

SIBLING_ORG, OWN_ORG = "宝鸡分公司", "西安分公司"
SIBLING_ACCOUNT, OWN_ACCOUNT = "wx-sx-02", "wx-sx-01"

PAGES = [
    ("/admin/snippets/content/channelaccount/", SIBLING_ORG, OWN_ORG),
    ("/admin/snippets/content/editorprofile/", SIBLING_ORG, OWN_ORG),
    ("/admin/snippets/content/templatemessage/add/", SIBLING_ACCOUNT, OWN_ACCOUNT),
    ("/admin/snippets/menus/menu/", SIBLING_ACCOUNT, OWN_ACCOUNT),
    ("/admin/snippets/publishing/webhookendpoint/", SIBLING_ACCOUNT, OWN_ACCOUNT),
]


# Editors may not open the editor profiles or the webhook endpoints (redirected to
# the dashboard); publishers open all five.
EDITOR_PAGES = [page for page in PAGES if "editorprofile" not in page[0] and "webhookendpoint" not in page[0]]


@pytest.fixture
def publisher_client(matrix):
    # a publisher of SX-01: the wider role (publishers also change channel accounts)
    client = Client()
    client.force_login(make_editor("choice-publisher", matrix["branch1"], "发布审核"))
    return client


@pytest.mark.parametrize(("url", "sibling", "own"), EDITOR_PAGES)
def test_branch_editor_choices_name_only_what_they_may_read(matrix, branch_editor, url, sibling, own):
    # given a branch editor of SX-01 (sibling branch SX-02 has its own account)
    client = Client()
    client.force_login(branch_editor)
    # when they open the page
    response = client.get(url)
    # then its choices offer their own organisation / account and nothing of the sibling's
    assert response.status_code == 200
    body = response.content.decode()
    assert own in body
    assert sibling not in body


@pytest.mark.parametrize(("url", "sibling", "own"), PAGES)
def test_branch_publisher_choices_name_only_what_they_may_read(matrix, publisher_client, url, sibling, own):
    response = publisher_client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert own in body
    assert sibling not in body


def test_filter_by_a_sibling_organisation_is_not_a_valid_choice(matrix, publisher_client):
    # given a branch publisher who crafts the sibling's organisation id into the filter
    response = publisher_client.get("/admin/snippets/content/channelaccount/", {"organisation": matrix["branch2"].pk})
    # then the filter refuses the choice and the listing still shows no sibling account
    filters = response.context["filters"]
    assert not filters.is_valid()
    assert SIBLING_ACCOUNT not in response.content.decode()


def test_filter_choices_include_ancestors_but_no_sibling(matrix, publisher_client):
    response = publisher_client.get("/admin/snippets/content/editorprofile/")
    choices = set(response.context["filters"].form.fields["organisation"].queryset)
    assert choices == {matrix["province"], matrix["branch1"], matrix["outlet"]}


def test_province_editor_still_chooses_every_organisation(matrix):
    client = Client()
    client.force_login(make_editor("choice-province", matrix["province"], "发布审核"))
    body = client.get("/admin/snippets/content/editorprofile/").content.decode()
    assert SIBLING_ORG in body and OWN_ORG in body


def test_new_mapping_row_offers_only_the_editors_accounts(matrix, branch_editor):
    # the template of a new account mapping row is built afresh on each access, from
    # a child form class Wagtail picks: it is narrowed all the same
    client = Client()
    client.force_login(branch_editor)
    response = client.get("/admin/snippets/content/templatemessage/add/")
    empty = response.context["form"].formsets["account_mappings"].empty_form
    assert set(empty.fields["account"].queryset) == {matrix["account_branch1"]}
