"""Admin views of menus with the Django client: isolation, the tree editor's JSON
edits, publishing from the editor, versions and rollback, the simulator page."""

from django.utils import timezone
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from menus.models import Menu, MenuNode
from menus.services import live_version, publish
from tests.support.factories import ChannelAccountFactory
from tests.support.menus import make_menu, node

pytestmark = pytest.mark.django_db


@pytest.fixture
def branch_menu(matrix, templates):
    """The SMS menu of branch SX-01's own SMS account."""
    account = ChannelAccountFactory(code="sms-sx01", name="西安短信厅", type="sms", organisation=matrix["branch1"],
                                    service_number="1008601", signature="【中国移动】", app_id="")
    return make_menu(account, [node("1", "话费", children=[
        node("1.1", "余额", "command", command="CXYE", reply_template="TPL-BALANCE")])])


def ops(client, menu, body):
    return client.post(reverse("menus_admin:tree_ops", args=[menu.pk]), json.dumps(body),
                       content_type="application/json")


def editor_data(response):
    html = response.content.decode()
    marker = '<script id="menu-editor-data" type="application/json">'
    start = html.index(marker) + len(marker)
    return json.loads(html[start:html.index("</script>", start)])


def test_editor_page_carries_the_draft_and_its_violations(client, branch_menu, branch_editor):
    client.force_login(branch_editor)
    MenuNode.objects.filter(menu=branch_menu, key="1", parent__isnull=False).update(command="")
    response = client.get(reverse("menus_admin:tree_editor", args=[branch_menu.pk]))
    assert response.status_code == 200
    data = editor_data(response)
    assert [r["name"] for r in data["rows"]] == ["话费", "余额"]
    assert [(v["record"], v["field"]) for v in data["violations"]] == [("1.1", "command")]
    assert data["editable"] is True


def test_editor_page_queries_do_not_grow_with_the_tree(client, branch_menu, superuser):
    client.force_login(superuser)
    url = reverse("menus_admin:tree_editor", args=[branch_menu.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    parent = MenuNode.objects.get(menu=branch_menu, key="1", parent=None)
    MenuNode.objects.bulk_create([MenuNode(menu=branch_menu, parent=parent, key=f"x{i}", name=f"扩展{i}", order=i,
                                           type="command", command=f"EXT{i}") for i in range(1, 300)])
    with CaptureQueriesContext(connection) as large:
        client.get(url)
    assert len(large.captured_queries) == len(small.captured_queries)


def test_other_branch_cannot_open_or_edit_the_menu(client, branch_menu, sibling_editor):
    client.force_login(sibling_editor)
    assert client.get(reverse("menus_admin:tree_editor", args=[branch_menu.pk])).status_code == 404
    assert ops(client, branch_menu, {"op": "add", "data": {"name": "入侵"}}).status_code == 404
    assert client.get(reverse("menus_admin:versions", args=[branch_menu.pk])).status_code == 404
    assert client.get(reverse("wagtailsnippets_menus_menu:edit", args=[branch_menu.pk])).status_code == 404
    assert not MenuNode.objects.filter(name="入侵").exists()


def test_menu_list_shows_only_own_menus(client, branch_menu, sms_account, sibling_editor, branch_editor):
    make_menu(sms_account, [node("1", "省公司菜单", "command", command="C", reply_template="TPL-PLAIN")],
              code="menu-province")
    client.force_login(branch_editor)
    body = client.get(reverse("wagtailsnippets_menus_menu:list")).content.decode()
    assert branch_menu.code in body and "menu-province" not in body


def test_editor_edits_through_the_json_endpoint(client, branch_menu, branch_editor):
    client.force_login(branch_editor)
    parent = MenuNode.objects.get(menu=branch_menu, key="1", parent=None)
    # add
    answer = ops(client, branch_menu, {"op": "add", "parent_id": parent.pk, "data": {"name": "套餐", "type": "command"}})
    assert answer.status_code == 200
    added = answer.json()["rows"][0]
    assert (added["key"], added["name"]) == ("2", "套餐")
    # the new leaf has no command nor template yet: violations name it
    assert {(v["record"], v["field"]) for v in answer.json()["violations"]} == {("1.2", "command"),
                                                                               ("1.2", "reply_template")}
    # edit
    answer = ops(client, branch_menu, {"op": "update", "id": added["id"],
                                       "data": {"command": "CXTC", "reply_template": "TPL-PACKAGE"}})
    assert answer.json()["violations"] == []
    # move, hide, bad input
    assert ops(client, branch_menu, {"op": "move", "id": added["id"], "parent_id": parent.pk, "position": 0}).json()["ok"]
    assert ops(client, branch_menu, {"op": "hide", "id": added["id"], "hidden": True}).json()["rows"][0]["hidden"]
    bad = ops(client, branch_menu, {"op": "update", "id": added["id"], "data": {"reply_template": "NOPE"}})
    assert bad.status_code == 400 and "reply_template" in bad.json()["errors"]
    assert ops(client, branch_menu, {"op": "explode"}).status_code == 400


def test_editor_without_publish_permission_cannot_publish(client, branch_menu, branch_editor):
    client.force_login(branch_editor)
    response = client.post(reverse("menus_admin:publish", args=[branch_menu.pk]), {"comment": "x"})
    # Wagtail's admin answers a permission denial with a redirect to the dashboard.
    assert (response.status_code, response.url) == (302, reverse("wagtailadmin_home"))
    assert live_version(branch_menu) is None


def test_publisher_publishes_from_the_editor_and_a_broken_tree_is_refused(client, branch_menu, branch_publisher):
    client.force_login(branch_publisher)
    url = reverse("menus_admin:publish", args=[branch_menu.pk])
    response = client.post(url, {"comment": "上线"}, follow=True)
    assert "已发布版本 1" in response.content.decode()
    assert live_version(branch_menu).comment == "上线"
    MenuNode.objects.filter(menu=branch_menu, parent__isnull=False).update(command="")
    response = client.post(url, {"comment": "坏的"}, follow=True)
    assert "菜单未发布" in response.content.decode()
    assert live_version(branch_menu).number == 1


def test_versions_page_diffs_and_rolls_back(client, branch_menu, branch_publisher):
    # given: v1 and v2 (a rename)
    publish(branch_menu)
    MenuNode.objects.filter(menu=branch_menu, key="1", parent=None).update(name="话费服务")
    publish(branch_menu)
    client.force_login(branch_publisher)
    url = reverse("menus_admin:versions", args=[branch_menu.pk])
    # when
    page = client.get(url, {"a": 1, "b": 2}).content.decode()
    # then
    assert 'data-kind="renamed"' in page and "话费服务" in page
    # and rolling back publishes v3 with the old name
    client.post(reverse("menus_admin:rollback", args=[branch_menu.pk, 1]))
    assert live_version(branch_menu).number == 3
    assert Menu.objects.get(pk=branch_menu.pk).nodes.get(parent=None).name == "话费"


def test_simulator_page_replays_the_inputs(client, branch_menu, branch_editor):
    publish(branch_menu)
    client.force_login(branch_editor)
    url = reverse("menus_admin:simulator")
    page = client.get(url, {"account": branch_menu.account_id, "brand": "gotone", "i": ["1", "1"]}).content.decode()
    assert "【中国移动】您的话费余额为58.00元,截至" + timezone.localdate().isoformat() + "。" in page
    assert "1.1 余额" in page


def test_simulator_page_refuses_accounts_of_other_branches(client, branch_menu, sibling_editor):
    client.force_login(sibling_editor)
    assert client.get(reverse("menus_admin:simulator"), {"account": branch_menu.account_id}).status_code == 404
