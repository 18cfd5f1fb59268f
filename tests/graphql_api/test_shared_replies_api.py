"""A front end reading an official account's replies over GraphQL, its bundle or its
change feed gets what the account answers with (content.services.replies): its own
rules and the rules shared down to it, without a shared rule an account overrides;
publishing or withdrawing the override moves the shared rule in the feed."""

import pytest

from content.models import AutoReply
from publishing.changes.bundle import build_bundle
from publishing.changes.models import Change
from tests.support.content import publish, unpublish

REPLIES = '{ keywordReplies(account: "wx-sx-01") { edges { node { keyword replyText account sharedBy } } } }'


@pytest.fixture
def province_rules(matrix):
    rules = {}
    for keyword in ("流量", "话费"):
        rule = AutoReply.objects.create(organisation=matrix["province"], keyword=keyword, reply_text=f"省:{keyword}",
                                        live=False)
        rules[keyword] = publish(rule)
    return rules


def replies(api):
    return sorted((n["keyword"], n["replyText"], n["account"], n["sharedBy"])
                  for n in (e["node"] for e in api.data(REPLIES)["keywordReplies"]["edges"]))


def own_rule(account, keyword, text):
    return publish(AutoReply.objects.create(account=account, keyword=keyword, reply_text=text, live=False))


def feed(account, rule):
    return list(Change.objects.filter(account=account, kind=Change.Kind.AUTO_REPLY, object_id=rule.pk)
                .order_by("version").values_list("action", flat=True))


def test_an_account_reads_the_rules_shared_down_to_it(matrix, province_rules, branch1_api):
    assert replies(branch1_api) == [("流量", "省:流量", "", "SX"), ("话费", "省:话费", "", "SX")]


def test_an_override_replaces_the_shared_rule_of_its_keyword_only(matrix, province_rules, branch1_api, branch2_api):
    own_rule(matrix["account_branch1"], "流量", "西安:流量")
    assert replies(branch1_api) == [("流量", "西安:流量", "wx-sx-01", ""), ("话费", "省:话费", "", "SX")]
    # the sibling branch's account still answers with the province's rule
    assert ("流量", "省:流量", "", "SX") in [
        (n["keyword"], n["replyText"], n["account"], n["sharedBy"])
        for n in (e["node"] for e in branch2_api.data(REPLIES.replace("wx-sx-01", "wx-sx-02"))["keywordReplies"]["edges"])
    ]


def test_the_feed_withdraws_a_shared_rule_where_an_override_hides_it_and_restores_it_after(matrix, province_rules):
    shared = province_rules["流量"]
    account, sibling = matrix["account_branch1"], matrix["account_branch2"]
    assert feed(account, shared) == [Change.Action.UPSERT]
    # when the branch's account publishes its own 流量 rule
    override = own_rule(account, "流量", "西安:流量")
    # then the province's rule is withdrawn there, and nowhere else
    assert feed(account, shared) == [Change.Action.UPSERT, Change.Action.UNPUBLISH]
    assert feed(sibling, shared) == [Change.Action.UPSERT]
    assert feed(account, province_rules["话费"]) == [Change.Action.UPSERT]
    # and when the override is withdrawn, the province's rule is back on that account
    unpublish(override)
    assert feed(account, shared) == [Change.Action.UPSERT, Change.Action.UNPUBLISH, Change.Action.UPSERT]
    assert feed(sibling, shared) == [Change.Action.UPSERT]


def test_the_bundle_carries_the_effective_rules(matrix, province_rules):
    own_rule(matrix["account_branch1"], "流量", "西安:流量")
    rules = build_bundle(matrix["account_branch1"])["autoReplies"]
    assert sorted((r["keyword"], r["replyText"], r["sharedBy"]) for r in rules) == [
        ("流量", "西安:流量", ""), ("话费", "省:话费", "SX"),
    ]
