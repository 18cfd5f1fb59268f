"""Keyword replies with ``org`` instead of ``account``: rules an organisation shares with
every official account of it and below, imported, refused with the field named, kept
once on re-import, and answered by the callback of the accounts below."""

import io

import pytest
import xmltodict
from django.core.cache import cache
from django.core.management import call_command

from callback import table
from content.models import AutoReply, ChannelAccount
from content.services.accounts import set_secret
from harness.export import read
from tests.callback.conftest import TOKEN, WeChatSender, text_xml
from tests.support.content import committed

KEPT_LISTS = ("organisations", "brands", "channel_accounts", "keyword_replies")


def _matrix_and_replies(extra):
    """An edit keeping the matrix and the keyword replies, plus ``extra`` records."""

    def change(data):
        for name in data:
            if name not in KEPT_LISTS and isinstance(data[name], list):
                data[name] = []
        data["keyword_replies"] += extra

    return change


def _reply(keyword, text, **owner):
    return {**owner, "keyword": keyword, "match": "exact", "reply": {"type": "text", "text": text}}


@pytest.fixture
def shared_export(small_export, edit_export):
    return edit_export(small_export, _matrix_and_replies([
        _reply("共享测试", "branch1 answer", org="SX-01"),
        _reply("坏组织", "x", org="NOPE"),
        _reply("两个都有", "x", org="SX", account="wx-sx"),
        _reply("都没有", "x"),
    ]))


def test_sample_export_carries_shared_rules_of_the_province_and_a_branch(small_export):
    data = read(small_export)
    orgs = {r["org"] for r in data["keyword_replies"] if "org" in r}
    assert orgs == {"SX", "SX-01"}
    assert all("account" not in r for r in data["keyword_replies"] if "org" in r)


def test_import_with_org_writes_shared_rules_and_refuses_bad_owners_naming_the_field(run_import, shared_export):
    # when
    report = run_import(shared_export)
    # then
    refused = {(e.record, e.field) for e in report.refused}
    assert refused == {("org=NOPE:坏组织", "org"), ("wx-sx:两个都有", "org"), ("-:都没有", "account")}, refused
    messages = {e.record: e.message for e in report.refused}
    assert "NOPE" in messages["org=NOPE:坏组织"]
    assert "account 和 org 只能填写一个" in messages["wx-sx:两个都有"]
    assert "必须填写 account" in messages["-:都没有"]
    rule = AutoReply.objects.get(keyword="共享测试")
    assert (rule.account_id, rule.organisation.code, rule.live) == (None, "SX-01", True)
    assert not AutoReply.objects.filter(keyword__in=["坏组织", "两个都有", "都没有"]).exists()
    province_shared = read(shared_export)["keyword_replies"][0]
    assert AutoReply.objects.filter(organisation__code="SX", keyword=province_shared["keyword"]).count() == 1


def test_reimporting_shared_rules_changes_nothing(run_import, shared_export):
    # given
    run_import(shared_export)
    count = AutoReply.objects.count()
    # when
    report = run_import(shared_export)
    # then
    assert report.counts["keyword_replies"]["created"] == 0
    assert report.counts["keyword_replies"]["updated"] == 0
    assert AutoReply.objects.count() == count


def test_importing_a_branch_keeps_its_shared_rules_and_leaves_the_provinces(run_import, shared_export):
    run_import(shared_export, org="SX-01")
    assert AutoReply.objects.filter(organisation__code="SX-01").exists()
    assert not AutoReply.objects.filter(organisation__code="SX").exists()


def _answer(client, account, text):
    body = WeChatSender(client, account).post(text_xml(text)).content
    return body.decode() if body == b"success" else xmltodict.parse(body)["xml"]["Content"]


def test_imported_shared_rules_answer_on_the_accounts_below_after_rebuild(client, run_import, shared_export):
    # given: imported, then the two branches' official accounts take callbacks
    run_import(shared_export)
    cache.clear()
    table._compiled.clear()
    branch1, branch2 = ChannelAccount.objects.get(code="wx-sx-01"), ChannelAccount.objects.get(code="wx-sx-02")
    with committed():
        for item in (branch1, branch2):
            set_secret(item, "callback_token", TOKEN)
    hours = next(r for r in read(shared_export)["keyword_replies"] if r.get("org") == "SX" and r["keyword"] == "营业时间")
    # when
    call_command("rebuild_reply_tables", stdout=io.StringIO())
    # then: the branch's shared rule on its account only
    assert _answer(client, branch1, "共享测试") == "branch1 answer"
    assert _answer(client, branch2, "共享测试") == "success"
    # and the sample's province rule, overridden by the first branch's own
    assert _answer(client, branch2, "营业时间") == hours["reply"]["text"]
    assert _answer(client, branch1, "营业时间") != hours["reply"]["text"]
    assert _answer(client, branch1, "营业时间").startswith(branch1.organisation.name)
    cache.clear()
    table._compiled.clear()
