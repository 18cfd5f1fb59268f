"""Shared reply sets through the real endpoint, on several accounts of the matrix:
the province's rules reach every official account below it, a branch or an account
overrides one keyword (or the welcome) without copying the rest, and a publish of a
shared rule reaches the tables of every account below."""

import time

import pytest
import xmltodict
from django.core.exceptions import ValidationError

from callback import table
from content.models import AutoReply
from content.services.accounts import set_secret
from content.services.replies import effective_rules
from tests.support.content import committed, publish, unpublish
from tests.support.factories import ChannelAccountFactory

from .conftest import TOKEN, WeChatSender, event_xml, text_xml


def _content(sender, xml):
    body = sender.reply(sender.post(xml))
    return body if body == "success" else xmltodict.parse(body)["xml"]["Content"]


def say(sender, text):
    return _content(sender, text_xml(text))


@pytest.fixture
def senders(client, matrix, account):
    """A sender to the province's, both branches' and an outlet's official account."""
    outlet_account = ChannelAccountFactory(code="wx-sx-01-01", organisation=matrix["outlet"])
    accounts = {
        "province": matrix["account_province"],
        "branch1": account,
        "branch2": matrix["account_branch2"],
        "outlet": outlet_account,
    }
    with committed():
        for item in accounts.values():
            if item.pk != account.pk:
                set_secret(item, "callback_token", TOKEN)
    return {name: WeChatSender(client, item) for name, item in accounts.items()}


@pytest.fixture
def shared(matrix):
    """Create and publish a rule shared by an organisation of the matrix (by key)."""

    def make(org="province", kind="keyword", publish_it=True, **fields):
        fields.setdefault("reply_text", f"{org}: {fields.get('keyword') or kind}")
        reply = AutoReply.objects.create(organisation=matrix[org], kind=kind, live=False, **fields)
        return publish(reply) if publish_it else reply

    return make


def test_province_keyword_answers_on_every_official_account_below(senders, shared):
    # given
    shared(keyword="营业时间", reply_text="每日9:00-18:00")
    # when / then
    for sender in senders.values():
        assert say(sender, "营业时间") == "每日9:00-18:00"


def test_account_rule_overrides_one_shared_keyword_and_keeps_the_others(senders, shared, rule):
    # given
    shared(keyword="营业时间", reply_text="省:9:00-18:00")
    shared(keyword="漫游", match="contains", reply_text="省:漫游")
    rule(keyword="营业时间", reply_text="西安:8:30-20:00")
    # when / then: the account's own answer, the rest of the shared set still applies
    assert say(senders["branch1"], "营业时间") == "西安:8:30-20:00"
    assert say(senders["branch1"], "国际漫游怎么开") == "省:漫游"
    # and other accounts keep the province's
    assert say(senders["branch2"], "营业时间") == "省:9:00-18:00"
    assert say(senders["outlet"], "营业时间") == "省:9:00-18:00"


def test_branch_rule_overrides_the_province_for_its_accounts_and_outlets(senders, shared):
    # given
    shared(keyword="营业时间", reply_text="省")
    shared(org="branch1", keyword="营业时间", reply_text="西安分公司")
    # when / then
    assert say(senders["branch1"], "营业时间") == "西安分公司"
    assert say(senders["outlet"], "营业时间") == "西安分公司"
    assert say(senders["branch2"], "营业时间") == "省"
    assert say(senders["province"], "营业时间") == "省"


def test_override_is_by_keyword_and_match_type(senders, shared, rule):
    # given: the account's rule has the same keyword but another match type
    shared(keyword="流量", match="exact", reply_text="省:流量")
    rule(keyword="流量", match="contains", reply_text="本号:流量")
    # when / then: both apply; the exact one first, as always
    assert say(senders["branch1"], "流量") == "省:流量"
    assert say(senders["branch1"], "剩余流量") == "本号:流量"


def test_keyword_override_ignores_case_and_width(senders, shared, rule):
    shared(keyword="VIP", reply_text="省")
    rule(keyword="ｖｉｐ", reply_text="本号")
    assert say(senders["branch1"], "vip") == "本号"
    assert [e.rule.reply_text for e in effective_rules(senders["branch1"].account)] == ["本号"]


def test_welcome_replaced_by_the_account_and_default_inherited(senders, shared, rule):
    # given
    shared(kind="subscribe", reply_text="欢迎关注山西移动")
    shared(kind="default", reply_text="回复“人工”转人工服务")
    rule(kind="subscribe", reply_text="欢迎关注西安移动")
    # when / then
    assert _content(senders["branch1"], event_xml("subscribe")) == "欢迎关注西安移动"
    assert _content(senders["branch2"], event_xml("subscribe")) == "欢迎关注山西移动"
    assert say(senders["branch1"], "随便问问") == "回复“人工”转人工服务"
    assert say(senders["outlet"], "随便问问") == "回复“人工”转人工服务"


def test_branch_default_replaces_the_province_default_below_it(senders, shared):
    shared(kind="default", reply_text="省默认")
    shared(org="branch1", kind="default", reply_text="西安默认")
    assert say(senders["outlet"], "？") == "西安默认"
    assert say(senders["branch2"], "？") == "省默认"


def test_draft_shared_rule_is_not_served_and_does_not_override(senders, shared):
    shared(keyword="营业时间", reply_text="省")
    shared(org="branch1", keyword="营业时间", reply_text="草稿", publish_it=False)
    assert say(senders["branch1"], "营业时间") == "省"


def test_publishing_a_shared_rule_reaches_every_account_below(senders, shared):
    # given: every account answers from a warm table
    for sender in senders.values():
        assert say(sender, "营业时间") == "success"
    # when
    reply = shared(keyword="营业时间", reply_text="每日9:00-18:00")
    # then
    for sender in senders.values():
        assert say(sender, "营业时间") == "每日9:00-18:00"
    # and unpublishing takes it back everywhere
    unpublish(reply)
    for sender in senders.values():
        assert say(sender, "营业时间") == "success"


def test_a_branch_publish_reaches_other_processes_within_a_second(senders, shared):
    # given: this process holds the compiled tables of every account
    for sender in senders.values():
        say(sender, "营业时间")
    held = dict(table._compiled)
    # when: another process publishes a branch rule (its rebuild leaves our memo alone)
    shared(org="branch1", keyword="营业时间", reply_text="西安")
    table._compiled.update(held)
    # then: once the recheck delay passed, the accounts below the branch answer it
    for compiled in held.values():
        compiled.checked_at = time.monotonic() - table.RECHECK_SECONDS
    assert say(senders["branch1"], "营业时间") == "西安"
    assert say(senders["outlet"], "营业时间") == "西安"
    assert say(senders["branch2"], "营业时间") == "success"


def test_deleting_a_shared_rule_removes_it_below(senders, shared):
    reply = shared(keyword="营业时间", reply_text="x")
    assert say(senders["outlet"], "营业时间") == "x"
    with committed():
        reply.delete()
    assert say(senders["outlet"], "营业时间") == "success"


def test_effective_rules_name_where_each_rule_comes_from(senders, shared, rule, matrix):
    # given
    province_rule = shared(keyword="营业时间", reply_text="省")
    branch_rule = shared(org="branch1", keyword="营业时间", reply_text="西安")
    kept = shared(keyword="漫游", reply_text="省:漫游")
    own = rule(keyword="话费", reply_text="本号")
    overridden = []
    # when
    effective = effective_rules(senders["outlet"].account, overridden=overridden)
    outlet_effective = {e.rule.pk: (e.distance, e.source) for e in effective}
    # then: the outlet's organisation (distance 1) has none; the branch is 2, the province 3
    assert outlet_effective == {branch_rule.pk: (2, matrix["branch1"]), kept.pk: (3, matrix["province"])}
    assert [e.rule.pk for e in overridden] == [province_rule.pk]
    assert {e.rule.pk: e.distance for e in effective_rules(senders["branch1"].account)}[own.pk] == 0


def test_a_rule_of_both_an_account_and_an_organisation_is_refused(account, matrix):
    reply = AutoReply(account=account, organisation=matrix["branch1"], keyword="k", reply_text="x")
    with pytest.raises(ValidationError) as refused:
        reply.full_clean()
    assert "共享组织" in refused.value.message_dict["organisation"][0]


def test_a_rule_of_neither_is_refused_on_the_account_field(db):
    reply = AutoReply(keyword="k", reply_text="x")
    with pytest.raises(ValidationError) as refused:
        reply.full_clean()
    assert refused.value.message_dict["account"] == ["必须选择公众号,或选择共享组织(共享规则)"]


def test_a_shared_set_holds_one_rule_per_keyword(matrix, shared):
    shared(keyword="营业时间")
    duplicate = AutoReply(organisation=matrix["province"], keyword="营业时间", reply_text="again")
    with pytest.raises(ValidationError) as refused:
        duplicate.full_clean()
    assert "组织 SX 的共享规则" in refused.value.message_dict["keyword"][0]


def test_moving_a_shared_rule_to_another_owner_leaves_its_former_accounts(senders, shared, matrix):
    # given: a province rule answered everywhere
    reply = shared(keyword="营业时间", reply_text="x")
    assert say(senders["branch1"], "营业时间") == "x"
    # when: it is given to the second branch and published
    reply.organisation = matrix["branch2"]
    publish(reply)
    # then
    assert say(senders["branch2"], "营业时间") == "x"
    assert say(senders["branch1"], "营业时间") == "success"
    assert say(senders["province"], "营业时间") == "success"
