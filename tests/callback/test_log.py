"""The message log: what it keeps, how long, and who sees it in the admin."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from callback import logbook
from callback.models import MessageLog

from .conftest import OPENID, event_xml, text_xml


def test_log_row_names_the_rule_and_keeps_no_phone_numbers(account, wechat, rule):
    # given
    reply = rule(keyword="话费", match="contains", reply_text="x")
    # when
    wechat.post(text_xml("查询13912345678的话费,身份证610102199001011234"), "safe")
    # then
    log = MessageLog.objects.get()
    assert log.account_id == account.pk and log.openid == OPENID and log.encrypted
    assert log.matched_kind == "keyword" and log.matched_rule_id == reply.pk and log.matched_label == "话费"
    assert "13912345678" not in log.excerpt and "610102" not in log.excerpt
    assert log.excerpt.startswith("查询***********的话费")


def test_excerpt_is_bounded(account, wechat):
    wechat.post(text_xml("长" * 500))
    assert len(MessageLog.objects.get().excerpt) == 60


def test_click_logs_its_event_key(account, wechat, rule):
    rule(kind="click", event_key="BILL", reply_text="x")
    wechat.post(event_xml("CLICK", event_key="BILL"))
    log = MessageLog.objects.get()
    assert (log.event, log.excerpt, log.matched_kind, log.matched_label) == ("CLICK", "BILL", "click", "BILL")


def _old_row(account, days):
    row = MessageLog.objects.create(account=account, openid="o-old", msg_type="text")
    MessageLog.objects.filter(pk=row.pk).update(created_at=timezone.now() - timedelta(days=days))
    return row


def test_purge_command_deletes_rows_past_retention(account, settings):
    # given
    settings.WECHAT_CALLBACK_LOG_DAYS = 7
    _old_row(account, 8)
    kept = _old_row(account, 6)
    # when
    call_command("purge_callback_log")
    # then
    assert list(MessageLog.objects.values_list("pk", flat=True)) == [kept.pk]


def test_writing_purges_at_most_once_an_hour(account, wechat):
    # given
    _old_row(account, 30)
    # when: the first message of the hour purges
    wechat.post(text_xml("a"))
    # then
    assert not MessageLog.objects.filter(openid="o-old").exists()
    # and the next message within the hour does not
    _old_row(account, 30)
    wechat.post(text_xml("b"))
    assert MessageLog.objects.filter(openid="o-old").exists()
    # and after the hour (and the per-process minute) the next one does again
    cache.delete("wechat_callback:purged")
    logbook._purge_checked_at = float("-inf")
    wechat.post(text_xml("c"))
    assert not MessageLog.objects.filter(openid="o-old").exists()


LIST = "wagtailsnippets_wechat_callback_messagelog:list"


@pytest.fixture
def logs(matrix):
    own = MessageLog.objects.create(account=matrix["account_branch1"], openid="o-own-branch", msg_type="text")
    sibling = MessageLog.objects.create(account=matrix["account_branch2"], openid="o-sibling", msg_type="text")
    return own, sibling


def test_branch_editor_sees_only_own_accounts_log(client, branch_editor, logs):
    client.force_login(branch_editor)
    body = client.get(reverse(LIST)).content.decode()
    assert "o-own-branch" in body and "o-sibling" not in body


def test_branch_editor_cannot_open_sibling_log_row(client, branch_editor, logs):
    client.force_login(branch_editor)
    own, sibling = logs
    assert client.get(reverse("wagtailsnippets_wechat_callback_messagelog:inspect", args=[own.pk])).status_code == 200
    assert client.get(reverse("wagtailsnippets_wechat_callback_messagelog:inspect", args=[sibling.pk])).status_code == 404


def test_account_filter_offers_only_visible_accounts(client, branch_editor, logs, matrix):
    client.force_login(branch_editor)
    body = client.get(reverse(LIST), {"account": matrix["account_branch2"].pk}).content.decode()
    assert "o-sibling" not in body
    assert "wx-sx-02" not in body


def test_province_editor_filters_the_log_by_account(client, province_editor, logs, matrix):
    client.force_login(province_editor)
    body = client.get(reverse(LIST), {"account": matrix["account_branch2"].pk}).content.decode()
    assert "o-sibling" in body and "o-own-branch" not in body


def test_log_is_read_only_even_for_superusers(client, superuser, logs):
    client.force_login(superuser)
    own, _sibling = logs
    assert client.get(reverse("wagtailsnippets_wechat_callback_messagelog:add")).status_code in (302, 403)
    response = client.post(reverse("wagtailsnippets_wechat_callback_messagelog:edit", args=[own.pk]), {"excerpt": "x"})
    assert response.status_code in (302, 403)
    own.refresh_from_db()
    assert own.excerpt == ""
