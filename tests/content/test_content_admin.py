"""The content admin: every model isolated by organisation, forms that create
records, list views whose query count does not grow with the page, substring
search in Chinese, the SMS measuring endpoint and the package comparison page."""

import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from content.models import Article, AutoReply, Business, Package, SmsTemplate, TemplateMessage
from content.services.library import share_down
from tests.support.factories import (
    ArticleFactory,
    AutoReplyFactory,
    BusinessFactory,
    PackageFactory,
    SmsAccountFactory,
    SmsTemplateFactory,
    TemplateMessageFactory,
)

pytestmark = pytest.mark.django_db


def url(model, view, *args):
    return reverse(f"wagtailsnippets_content_{model._meta.model_name}:{view}", args=args)


def branch1_record(model, matrix):
    """A record of each editorial model owned by branch 1."""
    org = matrix["branch1"]
    if model is AutoReply:
        return AutoReplyFactory(account=matrix["account_branch1"], keyword="分公司专属词")
    factory = {Article: ArticleFactory, Package: PackageFactory, Business: BusinessFactory,
               SmsTemplate: SmsTemplateFactory, TemplateMessage: TemplateMessageFactory}[model]
    return factory(code="BRANCH1-REC", organisation=org)


EDITORIAL = [Article, Package, Business, SmsTemplate, AutoReply, TemplateMessage]


# --- isolation of every model -----------------------------------------------------------


@pytest.mark.parametrize("model", EDITORIAL, ids=lambda m: m.__name__)
def test_sibling_branch_editor_never_sees_the_record(client, matrix, sibling_editor, model):
    record = branch1_record(model, matrix)
    client.force_login(sibling_editor)
    listing = client.get(url(model, "list"))
    assert listing.status_code == 200
    assert str(record) not in listing.content.decode()
    for view in ("edit", "history", "delete", "usage"):
        assert client.get(url(model, view, record.pk)).status_code == 404, view
    response = client.post(url(model, "edit", record.pk), {"code": "HIJACK"})
    assert response.status_code == 404


@pytest.mark.parametrize("model", EDITORIAL, ids=lambda m: m.__name__)
def test_own_branch_editor_sees_and_opens_the_record(client, matrix, branch_editor, model):
    record = branch1_record(model, matrix)
    client.force_login(branch_editor)
    assert str(record) in client.get(url(model, "list")).content.decode()
    assert client.get(url(model, "edit", record.pk)).status_code == 200


@pytest.mark.parametrize("model", [Package, Business], ids=lambda m: m.__name__)
def test_province_offer_sold_in_a_branch_is_read_only_there(client, matrix, branch_editor, sibling_editor, model):
    factory = PackageFactory if model is Package else BusinessFactory
    offer = factory(code="PROV-OFFER", organisation=matrix["province"])
    offer.sale_orgs.set([matrix["branch1"]])
    offer.save()
    client.force_login(branch_editor)
    assert str(offer) in client.get(url(model, "list")).content.decode()
    assert client.get(url(model, "edit", offer.pk)).status_code in (302, 403)
    client.force_login(sibling_editor)
    assert str(offer) not in client.get(url(model, "list")).content.decode()


def test_article_chooser_lists_only_readable_articles(client, matrix, branch_editor):
    own = ArticleFactory(code="ART-OWN", title="本分公司图文", organisation=matrix["branch1"])
    sibling = ArticleFactory(code="ART-SIB", title="兄弟分公司图文", organisation=matrix["branch2"])
    client.force_login(branch_editor)
    body = json.loads(client.get(reverse("wagtailsnippetchoosers_content_article:choose")).content)["html"]
    assert own.title in body and sibling.title not in body
    assert client.get(reverse("wagtailsnippetchoosers_content_article:chosen", args=[sibling.pk])).status_code == 404


def test_organisation_filter_offers_only_readable_organisations(client, matrix, branch_editor):
    client.force_login(branch_editor)
    response = client.get(url(SmsTemplate, "list"))
    choices = response.context["filters"].form.fields["organisation"].queryset
    assert set(choices.values_list("code", flat=True)) == {"SX", "SX-01", "SX-01-01"}


# --- forms create records ------------------------------------------------------------------


def test_editor_creates_a_package_through_the_form(client, matrix, branch_editor):
    client.force_login(branch_editor)
    response = client.post(url(Package, "add"), {
        "code": "PKG-XA", "name": "西安畅享58", "family": "畅享套餐", "organisation": matrix["branch1"].pk,
        "monthly_fee": "58.00", "contract_months": 12, "data_mb": 20480, "voice_minutes": 300, "sms_count": 100,
        "brands": [_brand("gotone")], "sale_orgs": [matrix["outlet"].pk],
        "order_command": "KTXA58", "cancel_command": "QXXA58", "valid_from": "2026-01-01", "valid_to": "",
        "highlights": "全国通用流量\n副卡共享",
    })
    assert response.status_code == 302, response.context["form"].errors
    pkg = Package.objects.get(code="PKG-XA")
    assert pkg.highlights == ["全国通用流量", "副卡共享"] and pkg.monthly_fee == Decimal("58.00")
    assert list(pkg.sale_orgs.values_list("code", flat=True)) == ["SX-01-01"]


def test_package_form_refuses_a_sibling_sale_organisation(client, matrix, branch_editor):
    client.force_login(branch_editor)
    response = client.post(url(Package, "add"), {
        "code": "PKG-XA", "name": "x", "organisation": matrix["branch1"].pk, "monthly_fee": "-1",
        "contract_months": 0, "data_mb": 0, "voice_minutes": 0, "sms_count": 0, "sale_orgs": [matrix["branch2"].pk],
    })
    errors = response.context["form"].errors
    assert "sale_orgs" in errors and "monthly_fee" in errors


def _brand(code):
    from content.models import Brand

    return Brand.objects.get(code=code).pk


def test_editor_creates_an_article_shared_to_an_outlet(client, matrix, branch_editor):
    client.force_login(branch_editor)
    response = client.post(url(Article, "add"), {
        "code": "ART-XA", "title": "西安5G", "author": "西安移动", "organisation": matrix["branch1"].pk,
        "digest": "摘要", "body": '{"blocks":[{"key":"a","type":"unstyled","text":"正文","depth":0,'
                                  '"inlineStyleRanges":[],"entityRanges":[]}],"entityMap":{}}',
        "channels": ["wechat_official_account", "web"], "shared_to": [matrix["outlet"].pk],
    })
    assert response.status_code == 302, response.context["form"].errors
    article = Article.objects.get(code="ART-XA")
    assert article.channels == ["wechat_official_account", "web"] and "正文" in article.body
    assert list(article.shared_to.values_list("code", flat=True)) == ["SX-01-01"]


def test_editor_creates_an_auto_reply_only_on_own_accounts(client, matrix, branch_editor):
    client.force_login(branch_editor)
    form = client.get(url(AutoReply, "add")).context["form"]
    assert set(form.fields["account"].queryset.values_list("code", flat=True)) == {"wx-sx-01"}
    response = client.post(url(AutoReply, "add"), {
        "account": matrix["account_branch1"].pk, "kind": "keyword", "keyword": "流量", "match": "contains",
        "priority": 5, "reply_type": "text", "reply_text": "回复2查询流量", "event_key": "",
    })
    assert response.status_code == 302, response.context["form"].errors
    assert AutoReply.objects.get(keyword="流量").account == matrix["account_branch1"]


def test_template_message_form_with_account_mappings(client, matrix, branch_editor):
    client.force_login(branch_editor)
    data = {
        "code": "bill_xa", "title": "账单提醒", "organisation": matrix["branch1"].pk, "template_id_short": "OPENTM200654400",
        "fields": "thing1 账单月份 thing\namount2 消费金额 amount",
        "account_mappings-TOTAL_FORMS": "1", "account_mappings-INITIAL_FORMS": "0",
        "account_mappings-MIN_NUM_FORMS": "0", "account_mappings-MAX_NUM_FORMS": "1000",
        "account_mappings-0-account": matrix["account_branch1"].pk,
        "account_mappings-0-wechat_template_id": "TPL-xa-001", "account_mappings-0-id": "",
        "account_mappings-0-ORDER": "1", "account_mappings-0-DELETE": "",
    }
    response = client.post(url(TemplateMessage, "add"), data)
    assert response.status_code == 302, response.context["form"].errors
    definition = TemplateMessage.objects.get(code="bill_xa")
    assert definition.fields[1] == {"key": "amount2", "label": "消费金额", "type": "amount"}
    # the template id is obtained from WeChat on publication: a typed one is not taken
    assert definition.account_mappings.get().wechat_template_id == ""
    assert definition.template_id_short == "OPENTM200654400"
    # a malformed field line is refused naming the line
    data.update({"code": "bill_xa2", "fields": "thing1 账单月份"})
    response = client.post(url(TemplateMessage, "add"), data)
    assert any("第1行" in m for m in response.context["form"].errors["fields"])


# --- lists at scale: bounded queries, search --------------------------------------------------


def list_queries(client, model, **params):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url(model, "list"), params)
    assert response.status_code == 200
    return len(queries), response


def test_sms_list_query_count_does_not_grow_with_the_page(client, matrix, branch_editor, django_assert_max_num_queries):
    SmsAccountFactory(code="sms-10086", organisation=matrix["province"])
    client.force_login(branch_editor)
    for i in range(3):
        SmsTemplateFactory(code=f"SMS-A{i}", organisation=matrix["branch1"])
    client.get(url(SmsTemplate, "list"))  # warm per-process caches (content types, permissions)
    few, _ = list_queries(client, SmsTemplate)
    for i in range(40):
        SmsTemplateFactory(code=f"SMS-B{i:02d}", organisation=matrix["outlet"] if i % 2 else matrix["branch1"])
    many, response = list_queries(client, SmsTemplate)
    assert len(response.context["object_list"]) == 25  # paginated
    assert many == few
    with django_assert_max_num_queries(30):
        client.get(url(SmsTemplate, "list"))


def test_article_list_with_shared_and_copied_articles_has_bounded_queries(client, matrix, branch_editor, superuser):
    client.force_login(branch_editor)
    ArticleFactory(code="ART-OWN1", organisation=matrix["branch1"])
    ArticleFactory(code="ART-OWN2", organisation=matrix["branch1"])
    first = ArticleFactory(code="ART-PX", organisation=matrix["province"])
    share_down(first, [matrix["branch1"]])
    client.get(url(Article, "list"))
    few, _ = list_queries(client, Article)
    for i in range(15):
        shared = ArticleFactory(code=f"ART-P{i}", organisation=matrix["province"])
        share_down(shared, [matrix["branch1"]])
        ArticleFactory(code=f"ART-C{i}", organisation=matrix["branch1"], origin=shared)
    many, response = list_queries(client, Article)
    assert len(response.context["object_list"]) == 25
    assert many == few


@pytest.mark.parametrize("model", [Package, Business, AutoReply, TemplateMessage], ids=lambda m: m.__name__)
def test_other_lists_have_bounded_queries(client, matrix, branch_editor, model):
    client.force_login(branch_editor)

    def add(i):
        if model is AutoReply:
            AutoReplyFactory(account=matrix["account_branch1"], keyword=f"词{i}")
        else:
            factory = {Package: PackageFactory, Business: BusinessFactory, TemplateMessage: TemplateMessageFactory}[model]
            factory(code=f"REC{i:02d}", organisation=matrix["branch1"])

    add(98), add(99)
    client.get(url(model, "list"))
    few, _ = list_queries(client, model)
    for i in range(30):
        add(i)
    many, _ = list_queries(client, model)
    assert many == few


def test_search_finds_chinese_substrings_and_codes(client, matrix, branch_editor):
    SmsTemplateFactory(code="SMS-FLOW", organisation=matrix["branch1"], text="您本月已使用流量{used}MB。",
                       parameters=[{"name": "used", "type": "data_volume", "max_length": 8}])
    SmsTemplateFactory(code="SMS-BAL", organisation=matrix["branch1"])
    SmsTemplateFactory(code="SMS-SIB", organisation=matrix["branch2"], text="流量提醒", parameters=[])
    client.force_login(branch_editor)
    found = client.get(url(SmsTemplate, "list"), {"q": "使用流量"}).context["object_list"]
    assert [t.code for t in found] == ["SMS-FLOW"]
    found = client.get(url(SmsTemplate, "list"), {"q": "sms-ba"}).context["object_list"]
    assert [t.code for t in found] == ["SMS-BAL"]
    # a sibling's template never turns up in a search
    assert [t.code for t in client.get(url(SmsTemplate, "list"), {"q": "流量"}).context["object_list"]] == ["SMS-FLOW"]


# --- the SMS measuring endpoint ----------------------------------------------------------------


def test_measure_endpoint_reports_length_segments_and_preview(client, matrix, branch_editor):
    SmsAccountFactory(code="sms-10086", organisation=matrix["province"], max_segments=1)
    client.force_login(branch_editor)
    response = client.post(url(SmsTemplate, "measure"), {
        "text": "您好{name}", "parameters": "name text 63", "category": "reply", "organisation": matrix["branch1"].pk,
    })
    data = json.loads(response.content)
    assert data["length"] == 8 and data["account"] == "sms-10086"
    assert data["preview"] == "【中国移动】您好示例内容"
    assert (data["worst_units"], data["worst_segments"], data["max_segments"]) == (71, 2, 1)
    assert any("超过账号上限1条" in p for p in data["problems"])


def test_measure_endpoint_needs_template_permissions(client, matrix):
    from tests.support.factories import UserFactory

    client.force_login(UserFactory(username="plain", is_staff=True))
    assert client.post(url(SmsTemplate, "measure"), {"text": "x"}).status_code in (302, 403)


def test_sms_edit_page_shows_length_segments_and_preview(client, matrix, branch_editor):
    SmsAccountFactory(code="sms-10086", organisation=matrix["province"])
    template = SmsTemplateFactory(code="SMS-SHOW", organisation=matrix["branch1"])
    client.force_login(branch_editor)
    body = client.get(url(SmsTemplate, "edit", template.pk)).content.decode()
    assert "data-sms-measure" in body and "sms_measure.js" in body
    assert "【中国移动】尊敬的客户,您当前话费余额为58.00元" in body


# --- package comparison page --------------------------------------------------------------------


def test_compare_page_shows_the_table_with_differences(client, matrix, branch_editor):
    a = PackageFactory(code="PKG-A", organisation=matrix["branch1"], monthly_fee=Decimal("58"))
    b = PackageFactory(code="PKG-B", organisation=matrix["branch1"], monthly_fee=Decimal("88"))
    client.force_login(branch_editor)
    response = client.get(url(Package, "compare"), {"packages": [a.pk, b.pk]})
    body = response.content.decode()
    assert response.status_code == 200 and "data-comparison" in body
    differing = response.context["table"].differing_fields
    assert "monthly_fee" in differing and "data_mb" not in differing
    one = client.get(url(Package, "compare"), {"packages": [a.pk]})
    assert "2到5" in one.context["error"]


def test_compare_page_picks_packages_with_the_scoped_snippet_chooser(client, matrix, branch_editor):
    a = PackageFactory(code="PKG-A", organisation=matrix["branch1"])
    b = PackageFactory(code="PKG-B", organisation=matrix["branch1"])
    sibling = PackageFactory(code="PKG-SIB", organisation=matrix["branch2"])
    client.force_login(branch_editor)
    # the slots are Wagtail's searchable snippet choosers
    body = client.get(url(Package, "compare")).content.decode()
    assert 'data-controller="w-chooser"' in body or "data-chooser-url" in body
    assert reverse("wagtailsnippetchoosers_content_package:choose") in body
    # two chosen packages are compared
    response = client.get(url(Package, "compare"), {"package_1": a.pk, "package_2": b.pk})
    assert [p.code for p in response.context["table"].packages] == ["PKG-A", "PKG-B"]
    # a sibling branch's package put in a slot is refused, named by its slot
    refused = client.get(url(Package, "compare"), {"package_1": a.pk, "package_2": sibling.pk})
    assert refused.context["table"] is None and "package_2" in refused.context["form"].errors
