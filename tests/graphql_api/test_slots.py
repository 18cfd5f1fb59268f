"""``slots(channel, code, brand, organisation)``: the live promotion slots of a channel
reaching the token's accounts, with the entries live now for the asked brand and
region; packages and businesses only while on sale there (the one rule, channel
limits included); images rendered for the channel; a fixed number of queries
whatever the number of slots and entries; a branch never sees a sibling's slot."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from content.models import ChannelAccount
from tests.support.api import Api, error_codes, make_api_client
from tests.support.factories import ArticleFactory, BusinessFactory, ChannelAccountFactory, PackageFactory
from tests.support.images import make_image
from tests.support.promotions import make_slot

pytestmark = pytest.mark.django_db

SLOTS = """query($channel: ChannelType!, $code: String, $brand: String, $org: String) {
  slots(channel: $channel, code: $code, brand: $brand, organisation: $org) {
    code title channel organisation
    entries { position title subtitle target url brands regions startsAt endsAt
              image { url width height alt }
              article { code title } package { code name brands { code } } business { code } }
  }
}"""
HOUR = datetime.timedelta(hours=1)


@pytest.fixture
def webs(matrix):
    return {
        "province": ChannelAccountFactory(
            code="web-sx",
            type=ChannelAccount.Type.WEB,
            organisation=matrix["province"],
            base_url="https://www.sx.example/",
        ),
        "branch1": ChannelAccountFactory(
            code="web-sx-01",
            type=ChannelAccount.Type.WEB,
            organisation=matrix["branch1"],
            base_url="https://xa.sx.example/",
        ),
        "branch2": ChannelAccountFactory(
            code="web-sx-02",
            type=ChannelAccount.Type.WEB,
            organisation=matrix["branch2"],
            base_url="https://bj.sx.example/",
        ),
    }


def api_of(name, org, accounts):
    return Api(make_api_client(name, org, accounts)[1])


@pytest.fixture
def web_api(matrix, webs):
    return api_of("网厅", matrix["province"], [webs["province"]])


def slots(api, channel="WEB", **variables):
    return api.data(SLOTS, {"channel": channel, **variables})["slots"]


def titles(slot):
    return [entry["title"] for entry in slot["entries"]]


def test_a_home_banner_shows_its_items_links_and_images_for_the_web(matrix, webs, web_api):
    # given a province slot with a package, an article, a business and a link, an image on the first
    image = make_image(matrix["province"], code="IMG-BANNER", title="五一横幅", size=(1600, 600))
    package = PackageFactory(
        code="P-5G", organisation=matrix["province"], sale_orgs=[matrix["province"]], brands=[], published=True
    )
    article = ArticleFactory(
        code="ART-5G", title="5G 指南", organisation=matrix["province"], channels=["web"], published=True
    )
    business = BusinessFactory(
        code="B-VID", organisation=matrix["province"], sale_orgs=[matrix["province"]], brands=[], published=True
    )
    make_slot(
        "web-home-banner",
        matrix["province"],
        entries=[
            {"target": "package", "package": package, "image": image, "subtitle": "每月 58 元"},
            {"target": "article", "article": article, "title": "读懂 5G"},
            {"target": "business", "business": business},
            {"target": "link", "link": "https://act.example/may", "title": "五一活动"},
        ],
    )
    # when the web hall asks for its slots
    [slot] = slots(web_api)
    # then each entry shows its item, its web URL and, for the package, the web rendition of its image
    assert (slot["code"], slot["channel"], slot["organisation"]) == ("web-home-banner", "WEB", "SX")
    first, second, third, fourth = slot["entries"]
    assert [e["position"] for e in slot["entries"]] == [1, 2, 3, 4]
    assert first["title"] == "套餐P-5G" and first["package"]["code"] == "P-5G" and first["target"] == "PACKAGE"
    assert first["url"] == "https://www.sx.example/packages/P-5G"
    assert first["image"]["width"] == 1200 and first["image"]["height"] == 450 and first["image"]["alt"] == "五一横幅"
    assert first["image"]["url"].endswith(".png") and "width-1200" in first["image"]["url"]
    assert second["title"] == "读懂 5G" and second["article"]["code"] == "ART-5G" and second["image"] is None
    assert third["business"]["code"] == "B-VID" and third["url"] == "https://www.sx.example/businesses/B-VID"
    assert (fourth["target"], fourth["url"], fourth["package"]) == ("LINK", "https://act.example/may", None)


def test_only_live_slots_and_entries_live_now_for_the_audience_are_shown(matrix, webs, web_api):
    now = timezone.now()
    link = {"target": "link", "link": "https://e.example/"}
    make_slot(
        "web-home-banner",
        matrix["province"],
        entries=[
            {**link, "title": "always"},
            {**link, "title": "ended", "ends_at": now - HOUR},
            {**link, "title": "later", "starts_at": now + HOUR},
            {**link, "title": "gotone", "brands": ["gotone"]},
            {**link, "title": "xian", "regions": ["SX-01"]},
        ],
    )
    make_slot("web-home-draft", matrix["province"], entries=[{**link, "title": "draft"}], published=False)
    # every brand and region
    [slot] = slots(web_api)
    assert titles(slot) == ["always", "gotone", "xian"]
    assert slot["entries"][1]["brands"] == ["gotone"] and slot["entries"][2]["regions"] == ["SX-01"]
    # one brand in a region below SX-01, and in SX-02
    assert titles(slots(web_api, brand="mzone", org="SX-01-01")[0]) == ["always", "xian"]
    assert titles(slots(web_api, brand="gotone", org="SX-02")[0]) == ["always", "gotone"]


def test_packages_off_sale_in_the_region_or_on_the_channel_are_left_out(matrix, webs, web_api):
    # given a package sold in SX-01 only, one limited to the mini-program, one for mzone only
    xian = PackageFactory(
        code="P-XA", organisation=matrix["province"], sale_orgs=[matrix["branch1"]], brands=[], published=True
    )
    mini = PackageFactory(
        code="P-MINI",
        organisation=matrix["province"],
        sale_orgs=[matrix["province"]],
        brands=[],
        channels=["wechat_miniprogram"],
        published=True,
    )
    mzone = PackageFactory(
        code="P-MZ", organisation=matrix["province"], sale_orgs=[matrix["province"]], brands=["mzone"], published=True
    )
    make_slot(
        "web-cross-sell",
        matrix["province"],
        entries=[
            {"target": "package", "package": xian},
            {"target": "package", "package": mini},
            {"target": "package", "package": mzone},
        ],
    )
    codes = lambda slot: [e["package"]["code"] for e in slot["entries"]]  # noqa: E731
    # then the web never shows the mini-program's package; a region and a brand narrow the rest
    assert codes(slots(web_api)[0]) == ["P-XA", "P-MZ"]
    assert codes(slots(web_api, org="SX-02")[0]) == ["P-MZ"]
    assert codes(slots(web_api, org="SX-01", brand="gotone")[0]) == ["P-XA"]
    # and the mini-program is shown its own package, its positions as edited
    mini_account = ChannelAccountFactory(
        code="mp-sx", type=ChannelAccount.Type.WECHAT_MINIPROGRAM, organisation=matrix["province"]
    )
    make_slot(
        "mp-home",
        matrix["province"],
        channel="wechat_miniprogram",
        entries=[{"target": "package", "package": xian}, {"target": "package", "package": mini}],
    )
    [mp_slot] = slots(api_of("小程序", matrix["province"], [mini_account]), channel="WECHAT_MINIPROGRAM")
    assert [(e["position"], e["package"]["code"]) for e in mp_slot["entries"]] == [(1, "P-XA"), (2, "P-MINI")]


def test_a_branch_front_end_never_sees_a_sibling_branchs_slot(matrix, webs, web_api):
    link = {"target": "link", "link": "https://e.example/", "title": "x"}
    make_slot("web-xa", matrix["branch1"], entries=[link])
    make_slot("web-bj", matrix["branch2"], entries=[link])
    make_slot("web-sx", matrix["province"], entries=[link])
    # a branch's web hall carries its own region's slots (content.reach: a pull channel serves its subtree)
    xian_api = api_of("西安网厅", matrix["branch1"], [webs["branch1"]])
    assert [s["code"] for s in slots(xian_api)] == ["web-xa"]
    # the province's web hall serves every region; asked for one, the slots shown there
    assert [s["code"] for s in slots(web_api)] == ["web-bj", "web-sx", "web-xa"]
    assert [s["code"] for s in slots(web_api, org="SX-02")] == ["web-bj", "web-sx"]
    assert [s["code"] for s in slots(web_api, code="web-xa")] == ["web-xa"]
    # a channel the token has no account of, and an unknown region, show nothing
    assert slots(web_api, channel="SMS") == [] and slots(web_api, org="NOWHERE") == []


def test_a_missing_or_wrong_channel_is_a_typed_error(web_api):
    status, payload = web_api.post("{ slots { code } }")
    assert status == 400 and error_codes(payload) == ["GRAPHQL_VALIDATION_FAILED"]
    status, payload = web_api.post("{ slots(channel: FAX) { code } }")
    assert status == 400 and error_codes(payload) == ["GRAPHQL_VALIDATION_FAILED"]


def make_slots(matrix, count, per_slot, first=0):
    for n in range(first, first + count):
        entries = []
        for m in range(per_slot):
            package = PackageFactory(
                code=f"P-{n}-{m}", organisation=matrix["province"], sale_orgs=[matrix["province"]], published=True
            )
            article = ArticleFactory(code=f"ART-{n}-{m}", organisation=matrix["province"], channels=[], published=True)
            image = make_image(matrix["province"], code=f"IMG-{n}-{m}", size=(800, 400))
            entries += [
                {"target": "package", "package": package, "image": image},
                {"target": "article", "article": article},
            ]
        make_slot(f"web-{n:02d}", matrix["province"], entries=entries)


def counted(api):
    api.post(SLOTS, {"channel": "WEB"})  # renditions are made once, on the first read
    with CaptureQueriesContext(connection) as captured:
        answer = slots(api)
    return len(captured.captured_queries), answer


def test_slots_cost_the_same_queries_for_one_slot_or_many(matrix, webs, web_api):
    make_slots(matrix, 1, 1)
    few, small = counted(web_api)
    make_slots(matrix, 3, 3, first=1)
    many, large = counted(web_api)
    assert sum(len(s["entries"]) for s in small) == 2 and sum(len(s["entries"]) for s in large) == 20
    assert all(e["image"] for s in large for e in s["entries"] if e["target"] == "PACKAGE")
    assert many == few


def test_bad_text_in_slot_arguments_is_a_typed_refusal_or_an_empty_answer(matrix, webs, web_api):
    make_slot("web-a", matrix["province"], entries=[{"target": "link", "link": "https://e.example/", "title": "x"}])
    status, payload = web_api.post(SLOTS, {"channel": "WEB", "org": "SX\x00"})
    assert status == 400 and error_codes(payload) == ["INVALID_ARGUMENT"]
    assert slots(web_api, code="web-a' OR '1'='1") == [] and slots(web_api, code="x" * 5000) == []
    assert slots(web_api, brand="%", org="S_") == []
    assert [e["title"] for e in slots(web_api, brand="%")[0]["entries"]] == ["x"]
