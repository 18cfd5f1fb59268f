"""Every query of the schema answers published content the caller may read."""

import datetime

import pytest

from tests.support.api import Api, codes, error_codes, make_api_client
from tests.support.content import unpublish
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


def test_viewer_names_the_client_and_its_accounts(branch1_api):
    data = branch1_api.data("{ viewer { name kind organisation { code } accounts { code type } } }")
    assert data["viewer"] == {
        "name": "西安公众号", "kind": "client", "organisation": {"code": "SX-01"},
        "accounts": [{"code": "wx-sx-01", "type": "WECHAT_OFFICIAL_ACCOUNT"}],
    }


def test_organisations_lists_own_subtree_with_parents(branch1_api):
    data = branch1_api.data("{ organisations { edges { node { code level parent { code } } } } }")
    nodes = [e["node"] for e in data["organisations"]["edges"]]
    assert nodes == [
        {"code": "SX-01", "level": "BRANCH", "parent": {"code": "SX"}},
        {"code": "SX-01-01", "level": "OUTLET", "parent": {"code": "SX-01"}},
    ]
    assert branch1_api.data('{ organisation(code: "SX-02") { code } }') == {"organisation": None}


def test_organisations_filter_by_level(province_api):
    data = province_api.data("{ organisations(level: BRANCH) { edges { node { code } } } }")
    assert codes(data["organisations"]) == ["SX-01", "SX-02"]


def test_brands_and_channel_accounts_show_public_fields(matrix, branch1_api):
    data = branch1_api.data(
        '{ brands { edges { node { code name } } } channelAccounts { edges { node { code type organisation { code } } } }'
        ' channelAccount(code: "wx-sx-01") { code appId } }'
    )
    assert codes(data["brands"]) == ["easyown", "gotone", "mzone"]
    assert codes(data["channelAccounts"]) == ["wx-sx-01"]
    assert data["channelAccount"]["code"] == "wx-sx-01"


def test_channel_accounts_filter_by_type(matrix, sms_accounts, province_api):
    data = province_api.data("{ channelAccounts(type: SMS) { edges { node { code } } } }")
    assert codes(data["channelAccounts"]) == ["sms-sx", "sms-sx-01", "sms-sx-02"]


def test_packages_filter_by_brand_organisation_family_and_sale_date(matrix, province_api):
    # given packages of the province (province-wide), of SX-01 and of SX-02, brands and dates varying
    PackageFactory(code="PKG-ALL", organisation=matrix["province"], sale_orgs=[matrix["province"]],
                   brands=["gotone", "mzone"], published=True)
    PackageFactory(code="PKG-01", organisation=matrix["branch1"], brands=["gotone"], family="5G", published=True)
    PackageFactory(code="PKG-01-OLD", organisation=matrix["branch1"], brands=["gotone"],
                   valid_to=datetime.date(2024, 6, 30), published=True)
    PackageFactory(code="PKG-01-MZ", organisation=matrix["branch1"], brands=["mzone"], published=True)
    PackageFactory(code="PKG-02", organisation=matrix["branch2"], brands=["gotone"], published=True)
    PackageFactory(code="PKG-DRAFT", organisation=matrix["branch1"], brands=["gotone"], live=False)
    query = "query($b: String, $o: String, $fam: String, $d: Date) { packages(brand: $b, organisation: $o, family: $fam, onSaleAt: $d) { totalCount edges { node { code } } } }"
    # when / then
    sold_in_01 = province_api.data(query, {"b": "gotone", "o": "SX-01"})["packages"]
    assert codes(sold_in_01) == ["PKG-01", "PKG-01-OLD", "PKG-ALL"] and sold_in_01["totalCount"] == 3
    assert codes(province_api.data(query, {"o": "SX-01-01", "b": "mzone"})["packages"]) == ["PKG-01-MZ", "PKG-ALL"]
    assert codes(province_api.data(query, {"fam": "5G"})["packages"]) == ["PKG-01"]
    assert "PKG-01-OLD" not in codes(province_api.data(query, {"d": "2025-01-01"})["packages"])
    assert "PKG-01-OLD" in codes(province_api.data(query, {"d": "2024-03-01"})["packages"])


def test_package_by_code_with_comparison_fields(matrix, branch1_api):
    PackageFactory(code="PKG-01", organisation=matrix["branch1"], highlights=["5G 优先"], description="<p>说明</p>",
                   published=True)
    data = branch1_api.data(
        '{ package(code: "PKG-01") { code name monthlyFee dataMb voiceMinutes smsCount contractMonths orderCommand '
        "validFrom validTo highlights description isPreview brands { code } saleOrganisations { code } organisation { code } } }"
    )
    assert data["package"] == {
        "code": "PKG-01", "name": "套餐PKG-01", "monthlyFee": "58.00", "dataMb": 10240, "voiceMinutes": 300,
        "smsCount": 100, "contractMonths": 12, "orderCommand": "KTPKG01", "validFrom": "2024-01-01", "validTo": None,
        "highlights": ["5G 优先"], "description": "<p>说明</p>", "isPreview": False, "brands": [{"code": "gotone"}],
        "saleOrganisations": [{"code": "SX-01"}], "organisation": {"code": "SX-01"},
    }


def test_package_comparison_of_two_to_five_packages(matrix, branch1_api):
    PackageFactory(code="PKG-A", organisation=matrix["branch1"], data_mb=1024, published=True)
    PackageFactory(code="PKG-B", organisation=matrix["branch1"], data_mb=2048, published=True)
    query = "query($c: [String!]!) { packageComparison(codes: $c) { packages { code } rows { field values differs } } }"
    data = branch1_api.data(query, {"c": ["PKG-B", "PKG-A"]})["packageComparison"]
    assert [p["code"] for p in data["packages"]] == ["PKG-B", "PKG-A"]
    rows = {r["field"]: r for r in data["rows"]}
    assert rows["data_mb"] == {"field": "data_mb", "values": ["2048", "1024"], "differs": True}
    assert rows["monthly_fee"]["differs"] is False
    # one package, six packages, or an unknown code are refused with the field named
    for bad in (["PKG-A"], ["PKG-A", "PKG-B", "C", "D", "E", "F"], ["PKG-A", "PKG-A"]):
        status, payload = branch1_api.post(query, {"c": bad})
        assert status == 400 and error_codes(payload) == ["INVALID_ARGUMENT"]
        assert payload["errors"][0]["extensions"]["field"] == "codes"
    status, payload = branch1_api.post(query, {"c": ["PKG-A", "PKG-X"]})
    assert status == 404 and error_codes(payload) == ["NOT_FOUND"]


def test_businesses_filter_and_by_code(matrix, branch1_api):
    BusinessFactory(code="BIZ-1", organisation=matrix["branch1"], kind="流量包", brands=["gotone"], published=True)
    BusinessFactory(code="BIZ-2", organisation=matrix["branch1"], kind="视频会员", brands=["mzone"], published=True)
    data = branch1_api.data(
        '{ a: businesses(kind: "流量包") { edges { node { code } } } b: businesses(brand: "mzone", organisation: "SX-01")'
        ' { edges { node { code } } } one: business(code: "BIZ-2") { code kind monthlyFee brands { code } } }'
    )
    assert codes(data["a"]) == ["BIZ-1"] and codes(data["b"]) == ["BIZ-2"]
    assert data["one"] == {"code": "BIZ-2", "kind": "视频会员", "monthlyFee": "10.00", "brands": [{"code": "mzone"}]}


@pytest.fixture
def province_all_channels(matrix):
    """A province front end bound to its official account, web hall and mini-program."""
    web = ChannelAccountFactory(code="web-sx", type="web", organisation=matrix["province"])
    mp = ChannelAccountFactory(code="mp-sx", type="wechat_miniprogram", organisation=matrix["province"])
    _, token = make_api_client("省全渠道", matrix["province"], [matrix["account_province"], web, mp])
    return Api(token)


def test_articles_newest_first_with_filters(matrix, province_all_channels):
    province_api = province_all_channels
    pkg = PackageFactory(code="PKG-1", organisation=matrix["province"], sale_orgs=[matrix["province"]], published=True)
    ArticleFactory(code="ART-1", organisation=matrix["province"], channels=["web"], published=True)
    ArticleFactory(code="ART-2", organisation=matrix["province"], channels=[], shared_to=[matrix["branch2"]],
                   related_packages=[pkg], published=True)
    ArticleFactory(code="ART-3", organisation=matrix["branch1"], channels=["wechat_miniprogram"], published=True)
    query = "query($c: ChannelType, $o: String, $p: String) { articles(channel: $c, organisation: $o, package: $p) { edges { node { code } } } }"
    assert codes(province_api.data(query)["articles"]) == ["ART-3", "ART-2", "ART-1"]
    assert codes(province_api.data(query, {"c": "WEB"})["articles"]) == ["ART-2", "ART-1"]
    assert codes(province_api.data(query, {"o": "SX-02"})["articles"]) == ["ART-2"]
    assert codes(province_api.data(query, {"p": "PKG-1"})["articles"]) == ["ART-2"]


def test_article_by_code_with_cover_related_packages_and_body(matrix, province_api):
    pkg = PackageFactory(code="PKG-1", organisation=matrix["province"], sale_orgs=[matrix["province"]], published=True)
    hidden = PackageFactory(code="PKG-2", organisation=matrix["branch2"], sale_orgs=[matrix["branch2"]], published=True)
    ArticleFactory(code="ART-1", organisation=matrix["province"], related_packages=[pkg, hidden], body="<p>你好</p>",
                   channels=["wechat_official_account"], published=True)
    data = province_api.data(
        '{ article(code: "ART-1") { code title author digest body channels publishedAt isPreview coverImage { url } '
        "relatedPackages { code } organisation { code } } }"
    )["article"]
    assert data["body"] == "<p>你好</p>" and data["channels"] == ["WECHAT_OFFICIAL_ACCOUNT"]
    assert data["coverImage"] is None and data["publishedAt"] and data["isPreview"] is False
    # the province's official account reaches PKG-2? It is sold in SX-02 only, so its accounts and the province's.
    assert [p["code"] for p in data["relatedPackages"]] == ["PKG-1", "PKG-2"]


def test_sms_templates_of_an_account_with_filters(matrix, sms_accounts):
    _, token = make_api_client("短厅网关", matrix["province"], [sms_accounts["province"]])
    api = Api(token)
    SmsTemplateFactory(code="TPL-1", organisation=matrix["branch1"], commands=["CXLL"], brands=["gotone"],
                       published=True)
    SmsTemplateFactory(code="TPL-2", organisation=matrix["branch2"], category="marketing", text="优惠{x}拒收请回复R",
                       parameters=[{"name": "x", "type": "text", "max_length": 5}], published=True)
    query = "query($c: SmsCategory, $b: String, $cmd: String) { smsTemplates(account: \"sms-sx\", category: $c, brand: $b, command: $cmd) { edges { node { code category text commands parameters { name type maxLength } brands { code } } } } }"
    assert codes(api.data(query)["smsTemplates"]) == ["TPL-1", "TPL-2"]
    assert codes(api.data(query, {"c": "MARKETING"})["smsTemplates"]) == ["TPL-2"]
    assert codes(api.data(query, {"b": "gotone"})["smsTemplates"]) == ["TPL-1"]
    # a command answers through the account's bindings: TPL-1 is bound on SX-01's hall, which serves branch1
    assert codes(api.data(query, {"cmd": "CXLL", "b": "gotone"})["smsTemplates"]) == []
    one = api.data('{ smsTemplate(account: "sms-sx", code: "TPL-2") { code parameters { name maxLength } } }')
    assert one["smsTemplate"] == {"code": "TPL-2", "parameters": [{"name": "x", "maxLength": 5}]}


def test_keyword_replies_of_an_account_by_priority(matrix, branch1_api):
    account = matrix["account_branch1"]
    article = ArticleFactory(code="ART-1", organisation=matrix["branch1"], channels=[], published=True)
    AutoReplyFactory(account=account, keyword="流量", priority=1, published=True)
    AutoReplyFactory(account=account, keyword="话费", priority=5, reply_type="article", reply_article=article,
                     published=True)
    AutoReplyFactory(account=account, keyword="", kind="subscribe", priority=0, published=True)
    AutoReplyFactory(account=account, keyword="草稿", live=False)
    data = branch1_api.data(
        '{ keywordReplies(account: "wx-sx-01") { edges { node { keyword kind priority replyType replyArticle { code } account } } }'
        ' subscribe: keywordReplies(account: "wx-sx-01", kind: SUBSCRIBE) { edges { node { kind } } } }'
    )
    nodes = [e["node"] for e in data["keywordReplies"]["edges"]]
    assert [n["keyword"] for n in nodes] == ["话费", "流量", ""]
    assert nodes[0]["replyArticle"] == {"code": "ART-1"} and nodes[0]["account"] == "wx-sx-01"
    assert [e["node"]["kind"] for e in data["subscribe"]["edges"]] == ["SUBSCRIBE"]


def test_template_messages_with_the_accounts_template_id(matrix, branch1_api):
    account = matrix["account_branch1"]
    TemplateMessageFactory(code="BILL", title="模板BILL", fields=[{"key": "thing1", "label": "账单月份", "type": "thing"}],
                           organisation=matrix["province"], accounts=[account, matrix["account_branch2"]], published=True)
    TemplateMessageFactory(code="OTHER", organisation=matrix["province"], accounts=[matrix["account_branch2"]],
                           published=True)
    data = branch1_api.data('{ templateMessages(account: "wx-sx-01") { edges { node { code title wechatTemplateId fields { key label type } } } } }')
    assert [e["node"] for e in data["templateMessages"]["edges"]] == [
        {"code": "BILL", "title": "模板BILL", "wechatTemplateId": f"TPL-BILL-{account.pk}",
         "fields": [{"key": "thing1", "label": "账单月份", "type": "thing"}]}
    ]


def test_changes_page_through_what_changed_since_a_version(matrix, branch1_api):
    # given three published packages and one withdrawn
    PackageFactory(code="PKG-1", organisation=matrix["branch1"], published=True)
    PackageFactory(code="PKG-2", organisation=matrix["branch1"], published=True)
    withdrawn = PackageFactory(code="PKG-3", organisation=matrix["branch1"], published=True)
    unpublish(withdrawn)
    query = """query($since: BigInt!, $after: String) { changes(account: "wx-sx-01", since: $since, first: 2, after: $after) {
      currentVersion pageInfo { hasNextPage endCursor }
      edges { node { version kind code action item { __typename ... on Package { code name } } } } } }"""
    # when the front end pages from version 0
    first = branch1_api.data(query, {"since": 0})["changes"]
    second = branch1_api.data(query, {"since": 0, "after": first["pageInfo"]["endCursor"]})["changes"]
    # then it gets every change once, in version order, items as published now
    nodes = [e["node"] for e in first["edges"] + second["edges"]]
    assert [(n["code"], n["action"]) for n in nodes] == [
        ("PKG-1", "UPSERT"), ("PKG-2", "UPSERT"), ("PKG-3", "UPSERT"), ("PKG-3", "UNPUBLISH")
    ]
    assert first["pageInfo"]["hasNextPage"] and not second["pageInfo"]["hasNextPage"]
    assert nodes[0]["item"] == {"__typename": "Package", "code": "PKG-1", "name": "套餐PKG-1"}
    assert nodes[2]["item"] is None  # withdrawn since
    assert first["currentVersion"] == nodes[-1]["version"]
    # and from the last version it holds, nothing is new
    assert branch1_api.data(query, {"since": nodes[-1]["version"]})["changes"]["edges"] == []
    assert branch1_api.data('{ currentVersion(account: "wx-sx-01") }')["currentVersion"] == nodes[-1]["version"]


def test_bundle_and_bundle_delta_of_an_account(matrix, branch1_api):
    PackageFactory(code="PKG-1", organisation=matrix["branch1"], published=True)
    data = branch1_api.data('{ bundle(account: "wx-sx-01") { account version document } }')["bundle"]
    assert data["account"] == "wx-sx-01" and data["version"] == data["document"]["version"] > 0
    assert [p["code"] for p in data["document"]["packages"]] == ["PKG-1"]
    PackageFactory(code="PKG-2", organisation=matrix["branch1"], published=True)
    delta = branch1_api.data(
        "query($v: BigInt!) { bundleDelta(account: \"wx-sx-01\", since: $v) { since version document } }", {"v": data["version"]}
    )["bundleDelta"]
    assert [p["code"] for p in delta["document"]["upserts"]["packages"]] == ["PKG-2"]
    assert delta["version"] > data["version"]


def test_rendition_account_must_match_the_channel(matrix, branch1_api):
    ArticleFactory(code="ART-1", organisation=matrix["branch1"], channels=[], published=True)
    status, payload = branch1_api.post('{ article(code: "ART-1") { rendition(channel: SMS) { html } } }')
    assert status == 403 and error_codes(payload) == ["FORBIDDEN"]
    status, payload = branch1_api.post(
        '{ article(code: "ART-1") { rendition(channel: WEB, account: "wx-sx-01") { html } } }'
    )
    assert status == 400 and error_codes(payload) == ["INVALID_ARGUMENT"]


def test_a_disabled_account_gives_nothing(matrix):
    account = ChannelAccountFactory(code="wx-off", organisation=matrix["branch1"], enabled=False)
    _, token = make_api_client("停用", matrix["branch1"], [account])
    PackageFactory(code="PKG-1", organisation=matrix["branch1"], published=True)
    api = Api(token)
    assert api.data("{ packages { edges { node { code } } } }")["packages"]["edges"] == []
