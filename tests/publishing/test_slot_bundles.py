"""Promotion slots in the change log, bundles and deltas: a slot is carried by the
accounts of its channel type at or above its organisation, with every entry, its
schedule and audience (a receiver applies them); the change feed gives it as its
channel serves it now."""

import datetime

import pytest
from django.utils import timezone

from content.models import ChannelAccount
from publishing.changes.bundle import build_bundle, bundle_delta
from tests.support.api import Api, make_api_client
from tests.support.content import publish, unpublish
from tests.support.factories import ChannelAccountFactory, PackageFactory
from tests.support.images import make_image
from tests.support.promotions import make_slot

pytestmark = pytest.mark.django_db
LINK = {"target": "link", "link": "https://act.example/", "title": "活动"}


@pytest.fixture
def web(matrix):
    return ChannelAccountFactory(
        code="web-sx", type=ChannelAccount.Type.WEB, organisation=matrix["province"], base_url="https://www.sx.example/"
    )


def test_a_web_slot_is_in_the_web_halls_bundle_with_every_entry_and_not_on_other_channels(matrix, web):
    # given a web slot with a package entry (an image, gotone only) and a scheduled link
    package = PackageFactory(
        code="P-5G", organisation=matrix["province"], sale_orgs=[matrix["province"]], published=True
    )
    image = make_image(matrix["province"], code="IMG-B", size=(800, 400))
    later = timezone.now() + datetime.timedelta(days=1)
    make_slot(
        "web-home-banner",
        matrix["branch1"],
        entries=[
            {"target": "package", "package": package, "image": image, "brands": ["gotone"], "regions": ["SX-01"]},
            {**LINK, "starts_at": later},
        ],
    )
    # when the bundles are built
    bundle = build_bundle(web)
    # then the web hall carries it, entries in order with what a receiver needs to show them
    [slot] = bundle["slots"]
    assert (slot["code"], slot["channel"], slot["organisation"]) == ("web-home-banner", "web", "SX-01")
    first, second = slot["entries"]
    assert (first["position"], first["target"], first["item"], first["brands"], first["regions"]) == (
        1,
        "package",
        "P-5G",
        ["gotone"],
        ["SX-01"],
    )
    assert first["image"]["code"] == "IMG-B" and first["image"]["width"] == 800
    assert (second["target"], second["link"], second["startsAt"]) == ("link", "https://act.example/", later.isoformat())
    # the official accounts of the matrix do not carry a web slot
    assert build_bundle(matrix["account_province"])["slots"] == []


def test_a_delta_upserts_a_published_slot_and_removes_a_withdrawn_one(matrix, web):
    since = build_bundle(web)["version"]
    kept = make_slot("web-a", matrix["province"], entries=[LINK])
    gone = make_slot("web-b", matrix["province"], entries=[LINK])
    kept.title = "改名"
    publish(kept)
    unpublish(gone)
    delta = bundle_delta(web, since)
    assert [s["code"] for s in delta["upserts"]["slots"]] == ["web-a"]
    assert delta["upserts"]["slots"][0]["title"] == "改名"
    assert delta["removed"] == {"slots": ["web-b"]}


def test_the_change_feed_gives_the_slot_as_its_channel_serves_it_now(matrix, web):
    make_slot(
        "web-a",
        matrix["province"],
        entries=[LINK, {**LINK, "title": "已结束", "ends_at": timezone.now() - datetime.timedelta(hours=1)}],
    )
    api = Api(make_api_client("网厅", matrix["province"], [web])[1])
    query = """{ changes(account: "web-sx", since: 0) { edges { node { kind code item {
      ... on PromotionSlot { code channel entries { title url } } } } } } }"""
    [edge] = [e for e in api.data(query)["changes"]["edges"] if e["node"]["kind"] == "SLOT"]
    assert edge["node"]["item"] == {
        "code": "web-a",
        "channel": "WEB",
        "entries": [{"title": "活动", "url": "https://act.example/"}],
    }
