"""Isolation of the organisation matrix, from the services and from the admin."""

from django.urls import reverse

from content.models import ChannelAccount, Organisation
from content.permissions import scope_for_user, visible


def test_branch_editor_scope_is_own_subtree_and_reads_ancestors(matrix, branch_editor):
    scope = scope_for_user(branch_editor)
    assert scope.editable == {matrix["branch1"].pk, matrix["outlet"].pk}
    assert matrix["province"].pk in scope.readable
    assert matrix["branch2"].pk not in scope.readable


def test_branch_editor_never_sees_sibling_accounts(matrix, branch_editor):
    codes = set(visible(ChannelAccount.objects.all(), scope_for_user(branch_editor)).values_list("code", flat=True))
    assert codes == {"wx-sx-01"}


def test_province_editor_sees_everything(matrix, province_editor):
    codes = set(visible(ChannelAccount.objects.all(), scope_for_user(province_editor)).values_list("code", flat=True))
    assert codes == {"wx-sx", "wx-sx-01", "wx-sx-02"}


def test_user_without_organisation_sees_nothing(matrix, db):
    from tests.support.factories import UserFactory

    user = UserFactory(username="nobody")
    assert not visible(Organisation.objects.all(), scope_for_user(user)).exists()


def test_branch_editor_account_list_shows_only_own_accounts(client, matrix, branch_publisher):
    client.force_login(branch_publisher)
    response = client.get(reverse("wagtailsnippets_content_channelaccount:list"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "wx-sx-01" in body
    assert "wx-sx-02" not in body


def test_branch_editor_cannot_open_sibling_account_edit_url(client, matrix, branch_publisher):
    client.force_login(branch_publisher)
    sibling = matrix["account_branch2"]
    for view in ("edit", "delete", "history", "inspect", "usage"):
        try:
            url = reverse(f"wagtailsnippets_content_channelaccount:{view}", args=[sibling.pk])
        except Exception:
            continue
        assert client.get(url).status_code == 404, view
    response = client.post(
        reverse("wagtailsnippets_content_channelaccount:edit", args=[sibling.pk]), {"name": "被篡改"}
    )
    assert response.status_code == 404
    sibling.refresh_from_db()
    assert sibling.name != "被篡改"


def test_branch_editor_cannot_edit_parent_account_it_can_only_read(client, matrix, branch_publisher):
    client.force_login(branch_publisher)
    # the province account is not shared down, so it is not even visible
    url = reverse("wagtailsnippets_content_channelaccount:edit", args=[matrix["account_province"].pk])
    assert client.get(url).status_code == 404


def test_branch_publisher_can_edit_own_account(client, matrix, branch_publisher):
    client.force_login(branch_publisher)
    url = reverse("wagtailsnippets_content_channelaccount:edit", args=[matrix["account_branch1"].pk])
    assert client.get(url).status_code == 200


def test_organisation_choices_limited_to_own_subtree(client, matrix, branch_publisher):
    client.force_login(branch_publisher)
    url = reverse("wagtailsnippets_content_channelaccount:edit", args=[matrix["account_branch1"].pk])
    form = client.get(url).context["form"]
    assert set(form.fields["organisation"].queryset.values_list("code", flat=True)) == {"SX-01", "SX-01-01"}


def test_branch_publisher_cannot_move_account_to_sibling(client, matrix, branch_publisher):
    client.force_login(branch_publisher)
    account = matrix["account_branch1"]
    url = reverse("wagtailsnippets_content_channelaccount:edit", args=[account.pk])
    client.post(url, {"code": account.code, "name": account.name, "type": account.type,
                      "organisation": matrix["branch2"].pk, "app_id": account.app_id, "max_segments": 3})
    account.refresh_from_db()
    assert account.organisation == matrix["branch1"]


def test_superuser_assigns_an_editor_to_a_branch_in_the_admin(client, matrix, superuser):
    from content.models import EditorProfile
    from tests.support.factories import UserFactory

    newcomer = UserFactory(username="newcomer")
    client.force_login(superuser)
    response = client.post(reverse("wagtailsnippets_content_editorprofile:add"),
                           {"user": newcomer.pk, "organisation": matrix["branch2"].pk})
    assert response.status_code == 302
    assert EditorProfile.objects.get(user=newcomer).organisation == matrix["branch2"]


def test_branch_publisher_sees_only_own_branch_people(client, matrix, branch_publisher, sibling_editor):
    client.force_login(branch_publisher)
    body = client.get(reverse("wagtailsnippets_content_editorprofile:list")).content.decode()
    assert "publisher-sx01" in body and "editor-sx02" not in body
