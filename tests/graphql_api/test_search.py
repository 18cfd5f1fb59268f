"""Search and suggest over what a token may read: per token scope (province web hall,
branch web hall, a branch's official account), kinds and channel filters, ranking and
snippets, paging, bad input, a constant number of queries, and the bigram indexes
(each write path keeps them: save, publish, bulk insert)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from content.models import ChannelAccount
from content.search import services
from tests.support.api import BUDGET_QUERIES, Api, error_codes, make_api_client
from tests.support.factories import (
    ArticleFactory,
    BusinessFactory,
    ChannelAccountFactory,
    PackageFactory,
    SmsTemplateFactory,
)

pytestmark = pytest.mark.django_db

SEARCH = """query ($text: String!, $kinds: [SearchKind!], $channel: ChannelType, $first: Int, $after: String) {
  search(text: $text, kinds: $kinds, channel: $channel, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { kind code title snippet rank commands
      article { code organisation { code } } package { code orderCommand brands { code } }
      business { code } smsTemplate { code commands } } }
  }
}"""
SUGGEST = "query ($prefix: String!) { suggest(prefix: $prefix) { prefix suggestions { text kind code } } }"


def web_api(name, organisation):
    account = ChannelAccountFactory(code=f"web-{organisation.code.lower()}", type=ChannelAccount.Type.WEB,
                                    organisation=organisation, app_id="")
    _, token = make_api_client(name, organisation, [account])
    return Api(token)


@pytest.fixture
def catalogue(matrix, sms_accounts):
    """流量 items of the province and both branches, with a branch draft of each kind."""
    province, b1, b2 = matrix["province"], matrix["branch1"], matrix["branch2"]
    PackageFactory(code="PKG-SX", name="流量畅享套餐", organisation=province, order_command="KTTC", published=True)
    PackageFactory(code="PKG-01", name="西安5G流量包", organisation=b1, order_command="KTXA", published=True)
    PackageFactory(code="PKG-02", name="宝鸡流量包", organisation=b2, published=True)
    PackageFactory(code="PKG-01-DRAFT", name="流量草稿", organisation=b1, live=False)
    BusinessFactory(code="BIZ-01", name="夜间流量", organisation=b1, order_command="KTYJ", published=True)
    ArticleFactory(code="ART-SX", title="全省流量新政", organisation=province, channels=[], published=True)
    ArticleFactory(code="ART-01", title="西安<b>流量</b>优惠", digest="办理流量 & 通话", organisation=b1,
                   channels=[], published=True)
    ArticleFactory(code="ART-01-WX", title="公众号专享流量", organisation=b1,
                   channels=["wechat_official_account"], published=True)
    ArticleFactory(code="ART-02", title="宝鸡流量", organisation=b2, channels=[], published=True)
    ArticleFactory(code="ART-01-DRAFT", title="流量草稿", organisation=b1, channels=[], live=False)
    SmsTemplateFactory(code="TPL-01", organisation=b1, text="您已订购流量包。", parameters=[], commands=["KTLL", "CXLL"],
                       published=True)
    SmsTemplateFactory(code="TPL-02", organisation=b2, text="宝鸡流量提醒。", parameters=[], commands=["KTBJ"], published=True)


def hits(api, text="流量", **variables):
    return api.data(SEARCH, {"text": text, **variables})["search"]


def found(api, text="流量", **variables):
    return {edge["node"]["code"] for edge in hits(api, text, **variables)["edges"]}


def test_province_web_hall_finds_every_branch_but_never_drafts(matrix, catalogue):
    province = web_api("省网厅", matrix["province"])
    # packages, businesses and articles of the whole tree reach a pull channel; SMS templates only SMS accounts
    assert found(province) == {"PKG-SX", "PKG-01", "PKG-02", "BIZ-01", "ART-SX", "ART-01", "ART-02"}


def test_branch_web_hall_never_sees_a_sibling_branch(matrix, catalogue):
    branch = web_api("西安网厅", matrix["branch1"])
    # (a province package reaches a branch only when sold there: content.reach)
    assert found(branch) == {"PKG-01", "BIZ-01", "ART-01"}


def test_official_account_token_finds_only_its_own_broadcast_articles(catalogue, branch1_api):
    # a province article is not broadcast on the branch's official account (content.reach OWN)
    assert found(branch1_api, kinds=["ARTICLE"]) == {"ART-01", "ART-01-WX"}


def test_sms_hall_token_finds_templates_by_command(matrix, catalogue, sms_accounts):
    _, token = make_api_client("西安短厅", matrix["branch1"], [sms_accounts["branch1"]])
    data = hits(Api(token), "ktxa")
    assert [(e["node"]["code"], e["node"]["rank"]) for e in data["edges"]] == [("PKG-01", 90)]
    data = hits(Api(token), "KTLL", kinds=["SMS_TEMPLATE"])
    node = data["edges"][0]["node"]
    assert (node["kind"], node["code"], node["rank"], node["commands"]) == ("SMS_TEMPLATE", "TPL-01", 90, ["KTLL", "CXLL"])
    assert node["title"] == "KTLL / CXLL" and node["smsTemplate"]["commands"] == ["KTLL", "CXLL"]
    assert "TPL-02" not in found(Api(token), kinds=["SMS_TEMPLATE"])


def test_kinds_filter_keeps_only_those_kinds(matrix, catalogue):
    province = web_api("省网厅", matrix["province"])
    assert found(province, kinds=["PACKAGE", "BUSINESS"]) == {"PKG-SX", "PKG-01", "PKG-02", "BIZ-01"}


def test_channel_filter_keeps_items_reaching_accounts_of_that_channel(matrix, catalogue, sms_accounts):
    _, token = make_api_client("西安全渠道", matrix["branch1"], [matrix["account_branch1"], sms_accounts["branch1"]])
    api = Api(token)
    assert found(api, kinds=["ARTICLE", "SMS_TEMPLATE"]) == {"ART-01", "ART-01-WX", "TPL-01"}
    assert found(api, kinds=["ARTICLE", "SMS_TEMPLATE"], channel="SMS") == {"ART-01", "TPL-01"}
    assert found(api, kinds=["ARTICLE", "SMS_TEMPLATE"], channel="WECHAT_OFFICIAL_ACCOUNT") == {"ART-01", "ART-01-WX"}
    assert found(api, channel="WEB") == set()


def test_hits_are_ranked_code_then_command_then_title_start_then_title(matrix, catalogue):
    province = web_api("省网厅", matrix["province"])
    PackageFactory(code="LLB", name="其他", organisation=matrix["province"], published=True)
    ranked = [(e["node"]["code"], e["node"]["rank"]) for e in hits(province, "llb")["edges"]]
    assert ranked == [("LLB", 100)]
    ranked = [(e["node"]["code"], e["node"]["rank"]) for e in hits(province, "流量", kinds=["PACKAGE"])["edges"]]
    assert ranked == [("PKG-SX", 70), ("PKG-01", 50), ("PKG-02", 50)]
    assert hits(province, "kttc")["edges"][0]["node"]["rank"] == 90


def test_snippet_wraps_the_match_in_em_and_escapes_the_rest(matrix, catalogue):
    province = web_api("省网厅", matrix["province"])
    node = next(e["node"] for e in hits(province, "流量")["edges"] if e["node"]["code"] == "ART-01")
    assert node["snippet"] == "西安&lt;b&gt;<em>流量</em>&lt;/b&gt;优惠"
    node = hits(province, "通话")["edges"][0]["node"]
    assert node["snippet"] == "办理流量 &amp; <em>通话</em>"


def test_pages_follow_the_ranking_without_overlap(matrix, catalogue):
    province = web_api("省网厅", matrix["province"])
    everything = [e["node"]["code"] for e in hits(province, first=50)["edges"]]
    first = hits(province, first=3)
    assert first["pageInfo"]["hasNextPage"] and first["totalCount"] == 7
    rest = hits(province, first=50, after=first["pageInfo"]["endCursor"])
    assert [e["node"]["code"] for e in first["edges"] + rest["edges"]] == everything
    assert not rest["pageInfo"]["hasNextPage"]


def test_a_cursor_of_another_list_is_refused(matrix, catalogue, branch1_api):
    _status, payload = branch1_api.post(SEARCH, {"text": "流量", "after": "bm90LWEtY3Vyc29y"})
    assert error_codes(payload) == ["BAD_CURSOR"]


@pytest.mark.parametrize("text", ["流", " 量 ", "x" * 200, "流" * 65])
def test_too_short_or_too_long_a_text_is_an_invalid_argument_naming_it(catalogue, branch1_api, text):
    status, payload = branch1_api.post(SEARCH, {"text": text})
    assert status == 400 and error_codes(payload) == ["INVALID_ARGUMENT"]
    assert payload["errors"][0]["extensions"]["field"] == "text"


@pytest.mark.parametrize("text", ["%%", "__", ".*", "[流]", "(?i)", "\\\\", "'; --", "<>"])
def test_punctuation_and_pattern_characters_are_literal(matrix, catalogue, text):
    province = web_api("省网厅", matrix["province"])
    assert found(province, text) == set()


def test_one_reader_searching_one_text_after_another_gets_each_texts_answer(matrix, catalogue):
    # the SQL is compiled once per reader and reused with each text (content.search.statements)
    province = web_api("省网厅", matrix["province"])
    assert found(province, "流量", kinds=["PACKAGE"]) == {"PKG-SX", "PKG-01", "PKG-02"}
    assert found(province, "%量", kinds=["PACKAGE"]) == set()
    assert found(province, "_量", kinds=["PACKAGE"]) == set()
    assert found(province, "量包", kinds=["PACKAGE"]) == {"PKG-01", "PKG-02"}
    # two characters are answered by the index alone: in a command, a name, any case
    assert [(e["node"]["code"], e["node"]["rank"]) for e in hits(province, "xa", kinds=["PACKAGE"])["edges"]] == [
        ("PKG-01", 40)]
    assert found(province, "5g") == {"PKG-01"}
    assert [e["node"]["rank"] for e in hits(province, "PKG-01", kinds=["PACKAGE"])["edges"]] == [100]


def test_nul_is_refused_as_an_invalid_argument(catalogue, branch1_api):
    status, payload = branch1_api.post(SEARCH, {"text": "流\x00量"})
    assert status == 400 and error_codes(payload) == ["INVALID_ARGUMENT"]


def test_mixed_scripts_and_case_match(matrix, catalogue):
    province = web_api("省网厅", matrix["province"])
    assert found(province, "5g流量") == {"PKG-01"}


def test_suggest_offers_commands_codes_and_names_the_token_may_read(matrix, catalogue, sms_accounts):
    _, token = make_api_client("西安全渠道", matrix["branch1"], [matrix["account_branch1"], sms_accounts["branch1"]])
    api = Api(token)
    texts = [s["text"] for s in api.data(SUGGEST, {"prefix": "kt"})["suggest"]["suggestions"]]
    assert set(texts) == {"KTXA", "KTYJ", "KTLL"}  # never KTBJ of the sibling branch
    names = api.data(SUGGEST, {"prefix": "西安"})["suggest"]["suggestions"]
    assert names[0] == {"text": "西安5G流量包", "kind": "PACKAGE", "code": "PKG-01"}
    assert "流量草稿" not in {s["text"] for s in names}


@pytest.mark.parametrize("prefix", ["", "x" * 33])
def test_suggest_refuses_an_empty_or_long_prefix(catalogue, branch1_api, prefix):
    _status, payload = branch1_api.post(SUGGEST, {"prefix": prefix})
    assert error_codes(payload) == ["INVALID_ARGUMENT"] and payload["errors"][0]["extensions"]["field"] == "prefix"


def test_suggest_of_punctuation_is_empty(catalogue, branch1_api):
    assert branch1_api.data(SUGGEST, {"prefix": "%"})["suggest"]["suggestions"] == []


def test_query_count_does_not_grow_with_the_results(matrix, catalogue, django_assert_max_num_queries):
    province = web_api("省网厅", matrix["province"])

    def count():
        province.post(SEARCH, {"text": "流量", "first": 50})  # the token's last use is recorded once a minute
        with CaptureQueriesContext(connection) as captured:
            data = hits(province, first=50)
        return len(captured.captured_queries), data

    few, data = count()
    assert data["totalCount"] == 7
    for n in range(12):
        PackageFactory(code=f"PKG-X{n}", name=f"流量加油包{n}", organisation=matrix["branch2"], published=True)
        BusinessFactory(code=f"BIZ-X{n}", name=f"流量业务{n}", organisation=matrix["branch1"], published=True)
    many, data = count()
    assert data["totalCount"] == 31 and len(data["edges"]) == 31
    # the principal (tests/graphql_api/test_query_counts.py), then the union counted with
    # its page, the packages with their brand pairs and brands, the same for businesses,
    # the articles
    assert few == many == 3 + BUDGET_QUERIES + 8
    with django_assert_max_num_queries(3 + BUDGET_QUERIES + 8):
        hits(province, first=50)


def test_total_count_past_the_last_page(matrix, catalogue):
    province = web_api("省网厅", matrix["province"])
    last = hits(province, first=50)["pageInfo"]["endCursor"]
    after_all = hits(province, first=5, after=last)
    assert after_all["edges"] == [] and after_all["totalCount"] == 7 and not after_all["pageInfo"]["hasNextPage"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the bigram indexes are PostgreSQL's")
@pytest.mark.parametrize("spec", services.SEARCHED, ids=lambda spec: spec.kind)
def test_a_two_character_chinese_search_is_served_by_the_bigram_index(matrix, catalogue, spec):
    qs = services.matches(spec, spec.model.objects.filter(live=True), "流量")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = qs.explain()
    assert f"{spec.model._meta.model_name}_search_bigrams" in plan


def test_a_match_never_spans_two_columns(matrix, catalogue):
    province = web_api("省网厅", matrix["province"])
    # code "PKG-SX" then name "流量畅享套餐": the grams of one column never join the next
    assert found(province, "SX流") == set()


def test_templates_inserted_in_bulk_are_found(matrix, sms_accounts):
    """The importer writes templates with bulk inserts: the index follows every write."""
    from content.models import SmsTemplate

    _, token = make_api_client("西安短厅", matrix["branch1"], [sms_accounts["branch1"]])
    SmsTemplate.objects.bulk_create([
        SmsTemplate(code=f"BULK-{n}", organisation=matrix["branch1"], text=f"冰雪畅游包第{n}期", parameters=[],
                    commands=[f"KTBX{n}"], live=True) for n in range(3)
    ])
    assert found(Api(token), "畅游", kinds=["SMS_TEMPLATE"]) == {"BULK-0", "BULK-1", "BULK-2"}
    assert found(Api(token), "ktbx1", kinds=["SMS_TEMPLATE"]) == {"BULK-1"}
    SmsTemplate.objects.filter(code="BULK-1").update(text="夏日特惠")
    assert found(Api(token), "畅游", kinds=["SMS_TEMPLATE"]) == {"BULK-0", "BULK-2"}


def test_search_follows_publish_and_unpublish(matrix, catalogue):
    province = web_api("省网厅", matrix["province"])
    package = PackageFactory(code="PKG-NEW", name="冰雪流量季", organisation=matrix["province"], published=True)
    assert found(province, "冰雪") == {"PKG-NEW"}
    package.refresh_from_db()
    package.name = "春暖流量季"
    package.save_revision().publish()
    assert found(province, "冰雪") == set() and found(province, "春暖") == {"PKG-NEW"}
    package.refresh_from_db()
    package.unpublish()
    assert found(province, "春暖") == set()


def test_a_draft_revision_of_a_live_item_is_not_searched(matrix, catalogue):
    province = web_api("省网厅", matrix["province"])
    package = PackageFactory(code="PKG-LIVE", name="冰雪流量季", organisation=matrix["province"], published=True)
    package.refresh_from_db()
    package.name = "秘密草稿名"
    package.save_revision()
    assert found(province, "秘密") == set()
    assert found(province, "冰雪") == {"PKG-LIVE"}
