"""The small sample as a front end sees it after ``make run``: the web hall's and the
mini-program's navigation (categories and shelves whose families have offers on
sale on that channel), online-only packages, and the promotion slots loaded from the
builder's ``slots.json`` by ``import_slots`` (all or none, errors naming the record)."""

import json

import pytest
from django.core.management import CommandError, call_command

from content.models import ChannelAccount, PromotionSlot
from importing.promotions import load_slots
from importing.runner import import_export
from importing.samples.builder import build
from tests.support.api import Api, make_api_client

pytestmark = pytest.mark.django_db

MENU = """query($a: String!) { menu(account: $a) { items { key type shelfKind family parentKey } } }"""
SLOTS = """query($c: ChannelType!) { slots(channel: $c) { code entries { target url title
  package { code channels } article { code } image { url width } } } }"""
SHELF = """query($f: String, $k: String, $c: ChannelType) {
  packages(family: $f, channel: $c, first: 50) { edges { node { code channels } } }
  businesses(kind: $k, channel: $c) { edges { node { code } } } }"""


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    out = tmp_path_factory.mktemp("sample") / "small"
    build(out, "small")
    return out


@pytest.fixture
def imported(sample, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    report = import_export(sample)
    assert report.refused == [], [str(e) for e in report.refused]
    call_command("import_slots", str(sample))
    return sample


def api_for(code):
    account = ChannelAccount.objects.get(code=code)
    return Api(make_api_client(f"front end {code}", account.organisation, [account])[1])


@pytest.mark.parametrize(("account", "channel"), [("web-sx", "WEB"), ("mp-sx", "WECHAT_MINIPROGRAM")])
def test_every_shelf_of_the_navigation_lists_offers_sold_on_its_channel(imported, account, channel):
    api = api_for(account)
    items = api.data(MENU, {"a": account})["menu"]["items"]
    shelves = [i for i in items if i["type"] == "shelf"]
    assert {i["type"] for i in items} >= {"category", "shelf"} and shelves
    for shelf in shelves:
        if shelf["shelfKind"] == "package":
            found = api.data(SHELF, {"f": shelf["family"], "c": channel})["packages"]["edges"]
        else:
            found = api.data(SHELF, {"k": shelf["family"], "c": channel})["businesses"]["edges"]
        assert found, shelf
    assert all(i["shelfKind"] == "" and i["family"] == "" for i in items if i["type"] != "shelf")


def test_online_only_packages_are_on_the_web_and_not_on_the_sms_hall(imported):
    web = api_for("web-sx").data(SHELF, {"c": "WEB"})["packages"]["edges"]
    online = [e["node"]["code"] for e in web if e["node"]["channels"] == ["WEB", "WECHAT_MINIPROGRAM"]]
    assert online
    sms = api_for("sms-10086")
    on_sms = {e["node"]["code"] for e in sms.data(SHELF, {})["packages"]["edges"]}
    assert not set(online) & on_sms


def test_the_sample_slots_are_published_and_served_to_the_web_hall(imported):
    assert set(PromotionSlot.objects.filter(live=True).values_list("code", flat=True)) >= {
        "web-home-banner",
        "web-home-cross-sell",
        "mp-home-banner",
        "wx-menu-entry",
        "sms-tail",
    }
    slots = {s["code"]: s for s in api_for("web-sx").data(SLOTS, {"c": "WEB"})["slots"]}
    banner = slots["web-home-banner"]["entries"]
    assert [e["target"] for e in banner][:3] == ["PACKAGE", "ARTICLE", "LINK"]
    assert banner[0]["image"]["width"] > 0 and banner[0]["url"].endswith(f"/packages/{banner[0]['package']['code']}")
    assert len(slots["web-home-cross-sell"]["entries"]) == 4


def test_import_slots_again_replaces_the_slots_and_a_bad_file_stores_nothing(imported, tmp_path):
    call_command("import_slots", str(imported))
    assert PromotionSlot.objects.filter(code="web-home-banner").count() == 1
    document = json.loads((imported / "slots.json").read_text(encoding="utf-8"))
    document["slots"][0]["code"] = "web-new"
    document["slots"][0]["entries"][0]["item"] = "PKG9999"
    document["slots"][1]["entries"][0]["link"] = "javascript:alert(1)"
    document["slots"][1]["entries"][0]["target"] = "link"
    codes, errors = load_slots(document)
    assert codes == [] and not PromotionSlot.objects.filter(code="web-new").exists()
    assert [(e.record, e.field) for e in errors][:1] == [("web-new#1", "package")]
    assert any("第 1 条「外部链接」" in e.message for e in errors)
    (tmp_path / "slots.json").write_text("{}", encoding="utf-8")
    with pytest.raises(CommandError, match="promotion-slots/1"):
        call_command("import_slots", str(tmp_path))
