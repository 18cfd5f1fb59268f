"""Shared reply sets in the admin: a branch editor sees and edits only their branch's
shared rules and their accounts' own, and reads an account's effective rules with
where each comes from."""

import re

import pytest
from django.urls import reverse

from content.models import AutoReply
from tests.support.content import publish


@pytest.fixture
def rules(matrix):
    def make(**fields):
        fields.setdefault("reply_text", "x")
        return publish(AutoReply.objects.create(live=False, **fields))

    return {
        "province": make(organisation=matrix["province"], keyword="省共享词"),
        "province_hours": make(organisation=matrix["province"], keyword="营业时间"),
        "branch1": make(organisation=matrix["branch1"], keyword="营业时间", reply_text="西安"),
        "branch2": make(organisation=matrix["branch2"], keyword="宝鸡共享词"),
        "account1": make(account=matrix["account_branch1"], keyword="西安本号词"),
        "account2": make(account=matrix["account_branch2"], keyword="宝鸡本号词"),
    }


def _list_url():
    return reverse(AutoReply.snippet_viewset.get_url_name("list"))


def _effective_url(account=None):
    url = reverse(AutoReply.snippet_viewset.get_url_name("effective"))
    return f"{url}?account={account.pk}" if account is not None else url


def test_branch_editor_lists_own_branch_shared_rules_and_own_accounts_rules_only(client, branch_editor, rules):
    # given
    client.force_login(branch_editor)
    # when
    body = client.get(_list_url()).content.decode()
    # then
    assert "西安本号词" in body and "营业时间" in body
    assert "省共享词" not in body and "宝鸡共享词" not in body and "宝鸡本号词" not in body


def test_branch_editor_cannot_open_the_province_or_a_sibling_shared_rule(client, branch_editor, rules):
    client.force_login(branch_editor)
    for name in ("province", "branch2"):
        url = reverse(AutoReply.snippet_viewset.get_url_name("edit"), args=[rules[name].pk])
        assert client.get(url).status_code == 404, name
    own = reverse(AutoReply.snippet_viewset.get_url_name("edit"), args=[rules["branch1"].pk])
    assert client.get(own).status_code == 200


def test_branch_editor_may_share_only_with_own_organisations(client, branch_editor, matrix):
    client.force_login(branch_editor)
    body = client.get(reverse(AutoReply.snippet_viewset.get_url_name("add"))).content.decode()
    select = re.search(r'<select name="organisation".*?</select>', body, re.DOTALL).group(0)
    offered = set(re.findall(r'<option value="(\d+)"', select))
    assert offered == {str(matrix["branch1"].pk), str(matrix["outlet"].pk)}
    assert "selected" not in select.replace('value="" selected', "")  # no owner preset


def test_effective_view_shows_each_rule_and_where_it_comes_from(client, branch_editor, matrix, rules):
    # given
    client.force_login(branch_editor)
    # when
    response = client.get(_effective_url(matrix["account_branch1"]))
    # then
    assert response.status_code == 200
    body = response.content.decode()
    effective, overridden = body.split("data-overridden-rules")
    rows = dict(re.findall(r'<tr data-rule="(\d+)".*?<td data-source>(.*?)</td>', effective, re.DOTALL))
    assert rows == {
        str(rules["province"].pk): "陕西省公司(上级组织共享)",
        str(rules["branch1"].pk): "西安分公司(所属组织共享)",
        str(rules["account1"].pk): "本公众号",
    }
    assert f'data-rule="{rules["province_hours"].pk}"' in overridden


def test_effective_view_of_a_sibling_account_is_not_found(client, branch_editor, matrix, rules):
    client.force_login(branch_editor)
    assert client.get(_effective_url(matrix["account_branch2"])).status_code == 404
    body = client.get(_effective_url()).content.decode()
    assert "wx-sx-01" in body and "wx-sx-02" not in body


def test_effective_view_is_linked_from_the_listing_and_the_channel_accounts(client, branch_publisher, matrix, rules):
    client.force_login(branch_publisher)
    assert _effective_url() in client.get(_list_url()).content.decode()
    accounts = client.get(reverse("wagtailsnippets_content_channelaccount:list")).content.decode()
    assert _effective_url(matrix["account_branch1"]) in accounts.replace("&amp;", "&")
