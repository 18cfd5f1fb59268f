"""The queryset form of reach (content.reach) agrees with
content.reach.target_accounts on every kind of item and account."""

import pytest

from content.models import Article, AutoReply, Business, ChannelAccount, Package, SmsTemplate, TemplateMessage
from content.reach import target_accounts
from content.reach import audience_for, reach_q
from tests.factories import ChannelAccountFactory
from tests.graphql_api import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def items(matrix, sms_accounts):
    p, b1, b2, outlet = matrix["province"], matrix["branch1"], matrix["branch2"], matrix["outlet"]
    ChannelAccountFactory(code="mp-sx", type=ChannelAccount.Type.WECHAT_MINIPROGRAM, organisation=p)
    ChannelAccountFactory(code="web-sx-01", type=ChannelAccount.Type.WEB, organisation=b1)
    ChannelAccountFactory(code="wx-off", organisation=b1, enabled=False)
    return [
        f.package("PKG-P", p, sale_orgs=[p]),
        f.package("PKG-B1", b1),
        f.package("PKG-P-B2", p, sale_orgs=[b2]),
        f.package("PKG-OUT", outlet),
        f.business("BIZ-B2", b2),
        f.business("BIZ-P-B1B2", p, sale_orgs=[b1, b2]),
        f.article("ART-ALL", p),
        f.article("ART-SHARED", p, shared_to=[outlet], channels=["wechat_official_account"]),
        f.article("ART-MP", b1, channels=["wechat_miniprogram", "web"]),
        f.article("ART-SMS", b2, channels=["sms"]),
        f.sms_template("TPL-P", p),
        f.sms_template("TPL-B1", b1),
        f.sms_template("TPL-OUT", outlet),
        f.auto_reply(matrix["account_branch1"], "流量"),
        f.auto_reply(ChannelAccount.objects.get(code="wx-off"), "关闭"),
        f.template_message("TM-1", p, account_ids=[matrix["account_branch2"].pk]),
    ]


def test_reach_filter_matches_target_accounts_for_every_item_and_account(items):
    # given every account, one at a time
    for account in ChannelAccount.objects.all():
        audience = audience_for([account])
        for item in items:
            model = type(item)
            # when the filter is asked whether the item reaches the account
            reached = model.objects.filter(reach_q(model, audience)).filter(pk=item.pk).exists()
            # then it says what target_accounts says
            expected = target_accounts(item).filter(pk=account.pk).exists()
            assert reached == expected, (item, account.code)


def test_reach_of_several_accounts_is_the_union(items, matrix, sms_accounts):
    # given two accounts of different channels
    accounts = [matrix["account_branch1"], sms_accounts["branch1"]]
    audience = audience_for(accounts)
    for model in (Package, Business, Article, SmsTemplate, AutoReply, TemplateMessage):
        # when
        together = set(model.objects.filter(reach_q(model, audience)).values_list("pk", flat=True))
        # then
        apart = set()
        for account in accounts:
            apart |= set(model.objects.filter(reach_q(model, audience_for([account]))).values_list("pk", flat=True))
        assert together == apart, model
