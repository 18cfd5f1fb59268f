"""The queryset form of reach (content.reach) agrees with
content.reach.target_accounts on every kind of item and account."""

import pytest

from content.models import Article, AutoReply, Business, ChannelAccount, Package, SmsTemplate, TemplateMessage
from content.reach import target_accounts
from content.reach import audience_for, reach_q
from tests.support.promotions import make_slot
from tests.support.factories import (
    ArticleFactory,
    AutoReplyFactory,
    BusinessFactory,
    ChannelAccountFactory,
    PackageFactory,
    SmsTemplateFactory,
    TemplateMessageFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def items(matrix, sms_accounts):
    p, b1, b2, outlet = matrix["province"], matrix["branch1"], matrix["branch2"], matrix["outlet"]
    ChannelAccountFactory(code="mp-sx", type=ChannelAccount.Type.WECHAT_MINIPROGRAM, organisation=p)
    ChannelAccountFactory(code="web-sx-01", type=ChannelAccount.Type.WEB, organisation=b1)
    ChannelAccountFactory(code="wx-off", organisation=b1, enabled=False)
    return [
        PackageFactory(code="PKG-P", organisation=p, sale_orgs=[p], published=True),
        PackageFactory(code="PKG-B1", organisation=b1, published=True),
        PackageFactory(code="PKG-P-B2", organisation=p, sale_orgs=[b2], published=True),
        PackageFactory(code="PKG-OUT", organisation=outlet, published=True),
        # offers limited to channels reach those channels' accounts only
        PackageFactory(code="PKG-ONLINE", organisation=p, sale_orgs=[p], channels=["web", "wechat_miniprogram"],
                       published=True),
        BusinessFactory(code="BIZ-SMS-B1", organisation=b1, channels=["sms"], published=True),
        BusinessFactory(code="BIZ-B2", organisation=b2, published=True),
        BusinessFactory(code="BIZ-P-B1B2", organisation=p, sale_orgs=[b1, b2], published=True),
        ArticleFactory(code="ART-ALL", organisation=p, channels=[], published=True),
        ArticleFactory(code="ART-SHARED", organisation=p, shared_to=[outlet], channels=["wechat_official_account"],
                       published=True),
        ArticleFactory(code="ART-B1-ALL", organisation=b1, channels=[], published=True),
        shared := ArticleFactory(code="ART-TO-B1B2", organisation=p, shared_to=[b1, b2], channels=[], published=True),
        ArticleFactory(code="ART-B1-COPY", organisation=b1, origin=shared, channels=[], published=True),
        ArticleFactory(code="ART-MP", organisation=b1, channels=["wechat_miniprogram", "web"], published=True),
        ArticleFactory(code="ART-SMS", organisation=b2, channels=["sms"], published=True),
        SmsTemplateFactory(code="TPL-P", organisation=p, published=True),
        SmsTemplateFactory(code="TPL-B1", organisation=b1, published=True),
        SmsTemplateFactory(code="TPL-OUT", organisation=outlet, published=True),
        AutoReplyFactory(account=matrix["account_branch1"], keyword="流量", published=True),
        AutoReplyFactory(account=ChannelAccount.objects.get(code="wx-off"), keyword="关闭", published=True),
        TemplateMessageFactory(code="TM-1", organisation=p, accounts=[matrix["account_branch2"]], published=True),
        # a promotion slot reaches accounts of its own channel type, at or above its organisation
        make_slot("web-b1", b1, channel="web"),
        make_slot("sms-p", p, channel="sms"),
        make_slot("wx-out", outlet, channel="wechat_official_account"),
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


def test_official_accounts_carry_own_and_shared_down_items_never_a_descendants(items, matrix):
    by_code = {item.code: item for item in items if hasattr(item, "code")}
    # a branch's article reaches the branch's official account and the province's web hall, not the province's official account
    reached = set(target_accounts(by_code["ART-B1-ALL"]).values_list("code", flat=True))
    assert "wx-sx-01" in reached and "web-sx-01" in reached and "mp-sx" in reached
    assert "wx-sx" not in reached
    # a province article shared to both branches: branch 1's live local copy replaces it on branch 1's account
    shared = set(target_accounts(by_code["ART-TO-B1B2"]).values_list("code", flat=True))
    assert {"wx-sx", "wx-sx-02"} <= shared and "wx-sx-01" not in shared
    assert "wx-sx-01" in set(target_accounts(by_code["ART-B1-COPY"]).values_list("code", flat=True))


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


def test_an_online_only_package_never_reaches_the_sms_hall(items, sms_accounts):
    sms, web = audience_for([sms_accounts["province"]]), audience_for([ChannelAccount.objects.get(code="mp-sx")])
    assert not Package.objects.filter(reach_q(Package, sms), code="PKG-ONLINE").exists()
    assert Package.objects.filter(reach_q(Package, web), code="PKG-ONLINE").exists()
    assert {a.type for a in target_accounts(Package.objects.get(code="PKG-ONLINE"))} == {"wechat_miniprogram"}
