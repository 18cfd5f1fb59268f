"""Menus scheduled like every other kind: a draft tree frozen to go live at a time,
published by beat's ``publish_scheduled`` then; a menu version going live is refused
while a node answers with a template that is not live by then."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Revision

from menus import scheduling
from menus.services import live_version, publish, published_tree, replace_draft
from menus.validation import MenuValidationError
from tests.support.content import committed
from tests.support.menus import make_menu, make_template, node, tree


def names(nodes):
    return [(n["key"], n["name"]) for n in nodes]


def run_beat():
    out = StringIO()
    with committed():
        call_command("publish_scheduled", stdout=out)
    return out.getvalue()


def come_due(revisions):
    """The planned go-live time of ``revisions`` has come (without waiting for it)."""
    past = timezone.now() - timedelta(seconds=1)
    for revision in revisions:
        revision.content["go_live_at"] = past.isoformat()
        revision.approved_go_live_at = past
        revision.save(update_fields=["content", "approved_go_live_at"])


def make_due(menu):
    come_due([scheduling.scheduled_revision(menu)])


def test_scheduled_tree_goes_live_when_beat_reaches_its_time(
    sms_account, templates, sms_nodes, superuser
):
    # given: a live menu whose draft renames node 2, scheduled for an hour from now
    menu = make_menu(sms_account, sms_nodes)
    publish(menu, superuser)
    sms_nodes[1]["name"] = "使用帮助"
    replace_draft(menu, tree(*sms_nodes))
    at = (timezone.now() + timedelta(hours=1)).replace(microsecond=0)
    scheduling.schedule(menu, superuser, at, expire_at=at + timedelta(days=30))
    # then: nothing changes before the time
    menu.refresh_from_db()
    assert live_version(menu).number == 1
    assert names(published_tree(sms_account))[1] == ("2", "帮助")
    assert scheduling.schedule_of(menu).go_live_at == at
    assert run_beat() == ""
    assert live_version(menu).number == 1
    # when: the time comes
    make_due(menu)
    run_beat()
    # then: the scheduled tree serves as version 2, with its expiry
    menu.refresh_from_db()
    assert live_version(menu).number == 2
    assert names(published_tree(sms_account))[1] == ("2", "使用帮助")
    assert menu.expire_at == at + timedelta(days=30)
    assert scheduling.scheduled_revision(menu) is None


def test_a_never_published_menu_can_be_scheduled(
    sms_account, templates, sms_nodes, superuser
):
    menu = make_menu(sms_account, sms_nodes)
    scheduling.schedule(menu, superuser, timezone.now() + timedelta(minutes=5))
    menu.refresh_from_db()
    assert (
        not menu.live
        and live_version(menu) is None
        and published_tree(sms_account) == []
    )
    make_due(menu)
    run_beat()
    menu.refresh_from_db()
    assert menu.live and live_version(menu).number == 1


def test_schedule_in_the_past_or_expiry_before_go_live_is_refused(
    sms_account, templates, sms_nodes, superuser
):
    menu = make_menu(sms_account, sms_nodes)
    with pytest.raises(ValidationError) as past:
        scheduling.schedule(menu, superuser, timezone.now() - timedelta(minutes=1))
    assert past.value.message_dict == {"go_live_at": ["定时上线时间须晚于当前时间"]}
    at = timezone.now() + timedelta(hours=1)
    with pytest.raises(ValidationError) as early:
        scheduling.schedule(menu, superuser, at, expire_at=at - timedelta(minutes=1))
    assert early.value.message_dict == {"expire_at": ["下线时间须晚于上线时间"]}
    assert scheduling.scheduled_revision(menu) is None


def test_menu_publish_is_refused_for_a_template_not_live(
    sms_account, templates, matrix, superuser
):
    # given: node 1 answers with a template that is not live (TPL-DRAFT)
    menu = make_menu(
        sms_account,
        [node("1", "查询", "command", command="CX", reply_template="TPL-DRAFT")],
    )
    # when / then: refused naming the node key and the template; nothing serves
    with pytest.raises(MenuValidationError) as refused:
        publish(menu, superuser)
    assert [str(e) for e in refused.value.errors] == [
        "1.reply_template: 回复模板 TPL-DRAFT 未发布"
    ]
    assert live_version(menu) is None


def test_menu_scheduled_before_its_template_goes_live_is_refused(
    sms_account, matrix, superuser
):
    template = make_template(
        "TPL-LATER", "明天上线。", organisation=matrix["province"], live=False
    )
    template.go_live_at = timezone.now() + timedelta(days=1)
    template.save_revision(clean=False).publish()
    menu = make_menu(
        sms_account,
        [node("1", "预告", "command", command="YG", reply_template="TPL-LATER")],
    )
    with pytest.raises(MenuValidationError):
        scheduling.schedule(menu, superuser, timezone.now() + timedelta(hours=1))
    assert scheduling.scheduled_revision(menu) is None
    # after the template: accepted; beat publishes the template first, then the menu
    scheduling.schedule(menu, superuser, timezone.now() + timedelta(days=2))
    come_due(Revision.objects.exclude(approved_go_live_at=None))
    run_beat()
    template.refresh_from_db()
    menu.refresh_from_db()
    assert template.live and menu.live and live_version(menu).number == 1


def test_tree_editor_schedules_and_shows_the_plan(
    client, sms_account, templates, sms_nodes, superuser
):
    menu = make_menu(sms_account, sms_nodes)
    client.force_login(superuser)
    at = timezone.localtime(timezone.now() + timedelta(days=1)).replace(
        second=0, microsecond=0
    )
    response = client.post(
        reverse("menus_admin:schedule", args=[menu.pk]),
        {"go_live_at": at.strftime("%Y-%m-%dT%H:%M"), "expire_at": ""},
        follow=True,
    )
    html = response.content.decode()
    assert f"已计划于 {at:%Y-%m-%d %H:%M} 上线" in html
    assert scheduling.schedule_of(menu).go_live_at == at
    # cancelling keeps nothing planned
    html = client.post(
        reverse("menus_admin:unschedule", args=[menu.pk]), follow=True
    ).content.decode()
    assert "已取消菜单" in html and "data-scheduled" not in html
    assert scheduling.scheduled_revision(menu) is None


def test_tree_editor_refuses_a_schedule_in_the_past(
    client, sms_account, templates, sms_nodes, superuser
):
    menu = make_menu(sms_account, sms_nodes)
    client.force_login(superuser)
    past = timezone.localtime(timezone.now() - timedelta(hours=1))
    html = client.post(
        reverse("menus_admin:schedule", args=[menu.pk]),
        {"go_live_at": past.strftime("%Y-%m-%dT%H:%M")},
        follow=True,
    ).content.decode()
    assert "菜单未定时:定时上线时间须晚于当前时间" in html
    assert scheduling.scheduled_revision(menu) is None


def test_edit_page_publishing_panel_schedules_instead_of_publishing(
    client, sms_account, templates, sms_nodes, superuser
):
    # given: a live menu
    menu = make_menu(sms_account, sms_nodes)
    publish(menu, superuser)
    client.force_login(superuser)
    at = timezone.localtime(timezone.now() + timedelta(hours=2)).replace(
        second=0, microsecond=0
    )
    # when: the edit page is published with a go-live time ahead (Wagtail's publishing panel)
    response = client.post(
        reverse(type(menu).snippet_viewset.get_url_name("edit"), args=[menu.pk]),
        {
            "code": menu.code,
            "name": "新名称",
            "account": sms_account.pk,
            "brand": "",
            "go_live_at": at.strftime("%Y-%m-%d %H:%M"),
            "expire_at": "",
            "action-publish": "action-publish",
        },
    )
    assert response.status_code == 302
    # then: planned, not published: version 1 keeps serving
    menu.refresh_from_db()
    assert scheduling.schedule_of(menu).go_live_at == at
    assert live_version(menu).number == 1 and menu.name == "菜单"
