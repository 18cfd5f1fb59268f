"""Wagtail's machinery around menus: review workflows publish exactly the tree
that was submitted, and the snippet edit view refuses to publish a broken draft."""

import pytest
from django.core.exceptions import PermissionDenied
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from wagtail.models import GroupApprovalTask, Workflow, WorkflowContentType, WorkflowTask

from content import roles
from menus import editing
from menus.models import Menu, MenuNode
from menus.services import live_version, published_tree
from tests.support.menus import make_menu

pytestmark = pytest.mark.django_db


@pytest.fixture
def review_workflow(db):
    roles.sync_role_groups()
    workflow = Workflow.objects.create(name="菜单审核")
    task = GroupApprovalTask.objects.create(name="发布审核")
    task.groups.set([Group.objects.get(name=roles.PUBLISHERS)])
    WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=1)
    WorkflowContentType.objects.create(workflow=workflow, content_type=ContentType.objects.get_for_model(Menu))
    return workflow


def test_approving_a_review_publishes_the_submitted_tree(sms_account, templates, sms_nodes, province_editor,
                                                         superuser, review_workflow):
    # given: an editor submits the menu, then keeps editing the draft
    menu = make_menu(sms_account, sms_nodes)
    menu.save_revision(user=province_editor)
    review_workflow.start(menu, province_editor)
    editing.update_node(menu, MenuNode.objects.get(menu=menu, key="2", parent=None).pk, {"name": "提交后的修改"},
                        user=superuser)
    # when: a reviewer approves
    menu = Menu.objects.get(pk=menu.pk)
    task_state = menu.current_workflow_task_state
    task_state.task.specific.on_action(task_state, superuser, "approve")
    # then
    version = live_version(menu)
    assert version is not None and version.number == 1
    assert [n["name"] for n in published_tree(sms_account)] == ["话费查询", "帮助"]
    menu.refresh_from_db()
    assert menu.live and menu.has_unpublished_changes


def test_edit_view_refuses_to_publish_a_draft_that_breaks_a_rule(client, sms_account, templates, sms_nodes,
                                                                 superuser):
    # given
    sms_nodes[0]["children"][0]["command"] = "CXTC"  # duplicates 1.2's command
    menu = make_menu(sms_account, sms_nodes)
    client.force_login(superuser)
    url = reverse("wagtailsnippets_menus_menu:edit", args=[menu.pk])
    # when
    response = client.post(url, {"code": menu.code, "name": menu.name, "account": sms_account.pk, "brand": "",
                                 "match_tag_id": "", "action-publish": "publish"})
    # then
    assert response.status_code == 200
    assert "1.2.command" in response.content.decode()
    assert live_version(menu) is None


def test_submitter_cannot_edit_the_tree_while_it_is_in_review(sms_account, templates, sms_nodes, province_editor,
                                                              review_workflow):
    menu = make_menu(sms_account, sms_nodes)
    menu.save_revision(user=province_editor)
    review_workflow.start(menu, province_editor)
    menu = Menu.objects.get(pk=menu.pk)
    with pytest.raises(PermissionDenied):
        editing.add_node(menu, {"name": "审核中新增"}, user=province_editor)


def test_edit_view_publishes_a_valid_draft(client, sms_account, templates, sms_nodes, superuser):
    menu = make_menu(sms_account, sms_nodes)
    client.force_login(superuser)
    url = reverse("wagtailsnippets_menus_menu:edit", args=[menu.pk])
    response = client.post(url, {"code": menu.code, "name": "新名称", "account": sms_account.pk, "brand": "",
                                 "match_tag_id": "", "action-publish": "publish"})
    assert response.status_code == 302
    assert live_version(menu).number == 1
    assert Menu.objects.get(pk=menu.pk).name == "新名称"


def test_approving_a_tree_that_no_longer_passes_its_rules_tells_the_reviewer_and_keeps_the_review(
        client, sms_account, templates, sms_nodes, province_editor, superuser, review_workflow):
    # given: an editor submits a valid menu, then its template is unpublished
    menu = make_menu(sms_account, sms_nodes)
    menu.save_revision(user=province_editor)
    review_workflow.start(menu, province_editor)
    templates["balance"].live = False
    templates["balance"].save()
    # when: a reviewer approves in the admin
    client.force_login(superuser)
    menu = Menu.objects.get(pk=menu.pk)
    task_state = menu.current_workflow_task_state
    url = reverse("wagtailsnippets_menus_menu:workflow_action", args=[menu.pk, "approve", task_state.pk])
    response = client.post(url, {"comment": ""}, follow=True)
    # then: the reviewer is told which node and field, nothing is published, the review goes on
    assert response.status_code == 200
    page = response.content.decode()
    assert "1.1.reply_template" in page and "TPL-BALANCE" in page
    assert live_version(menu) is None
    menu = Menu.objects.get(pk=menu.pk)
    assert menu.current_workflow_task_state == task_state and task_state.status == "in_progress"
