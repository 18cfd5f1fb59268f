""""On sale" is one rule (content.services.catalogue.on_sale_q, and is_on_sale for
one item): the service, the GraphQL API, the admin, renditions and bundles give
the same answer on the same data. A second copy of the rule that disagreed (a
package with no brands missing from packages(brand:), one with no sale
organisations missing from packages(organisation:)) fails here."""

import datetime
import itertools
from decimal import Decimal

import pytest
from django.urls import reverse

from content.models import Brand, Business, Organisation, Package
from content.services.catalogue import is_on_sale, is_sold_by, on_sale_q, packages_on_sale
from publishing.changes.services import build_bundle
from renditions.services import render
from renditions.sources import Source
from tests.support.content import publish
from tests.support.factories import ArticleFactory, ChannelAccountFactory
from tests.support.api import Api, error_codes, make_api_client

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 3, 1)
BRANDS = ("gotone", "mzone", "easyown")
ORGS = ("SX", "SX-01", "SX-02", "SX-01-01")
PACKAGES = """{ packages(brand: $b, organisation: $o, onSaleAt: $d, first: 50) { edges { node { code } } } }"""
QUERY = "query($b: String, $o: String, $d: Date) " + PACKAGES


def offer(model, code, owner, brands=(), sale_orgs=(), live=True, **fields):
    """A package or business published as the admin does it, with exactly these
    brands and sale organisations (none means none)."""
    defaults = {"name": f"套餐{code}", "monthly_fee": Decimal("58.00"), "order_command": "KT" + code.replace("-", "")}
    defaults.update(fields)
    item = model(live=False, code=code, organisation=owner, **defaults)
    item.brands.set(Brand.objects.filter(code__in=brands))
    item.sale_orgs.set(sale_orgs)
    item.save()
    return publish(item) if live else item


@pytest.fixture
def catalogue(matrix):
    p, b1, b2, outlet = matrix["province"], matrix["branch1"], matrix["branch2"], matrix["outlet"]
    return {
        item.code: item
        for item in [
            offer(Package, "P-ALL", p, sale_orgs=[p]),  # every brand, province-wide
            offer(Package, "P-GT", p, brands=["gotone"]),  # no sale organisations: where the owner is
            offer(Package, "P-01", b1, brands=["gotone", "mzone"]),
            offer(Package, "P-02", p, brands=["mzone"], sale_orgs=[b2]),
            offer(Package, "P-OUT", b1, sale_orgs=[outlet]),
            offer(Package, "P-OLD", b1, brands=["gotone"], valid_to=datetime.date(2025, 12, 31)),
            offer(Package, "P-NEW", p, valid_from=datetime.date(2026, 7, 1)),
            offer(Package, "P-DRAFT", b1, brands=["gotone"], live=False),
            offer(Business, "B-ALL", p),
            offer(Business, "B-02", b2, brands=["mzone"]),
        ]
    }


@pytest.fixture
def province_api(matrix):
    _, token = make_api_client("省公众号", matrix["province"], [matrix["account_province"]])
    return Api(token)


def codes(connection):
    return {edge["node"]["code"] for edge in connection["edges"]}


def test_a_package_for_every_brand_and_one_sold_where_its_owner_is_are_on_sale(catalogue, province_api):
    # when the API is asked by brand, then by organisation
    by_brand = codes(province_api.data(QUERY, {"b": "gotone"})["packages"])
    by_org = codes(province_api.data(QUERY, {"o": "SX-01"})["packages"])
    # then the package naming no brand is sold for gotone, the one naming no sale organisation in its owner
    assert {"P-ALL", "P-GT", "P-01"} <= by_brand and "P-02" not in by_brand
    assert {"P-ALL", "P-GT", "P-01"} <= by_org and not {"P-02", "P-OUT"} & by_org
    assert codes(province_api.data(QUERY, {"o": "SX-01-01"})["packages"]) >= {"P-OUT", "P-01", "P-ALL"}


def test_service_and_api_agree_for_every_brand_organisation_and_day(catalogue, province_api):
    for brand, org, day in itertools.product(BRANDS, ORGS, (DAY, datetime.date(2025, 6, 1), datetime.date(2026, 8, 1))):
        # when the service and the API are asked the same question
        service = {p.code for p in packages_on_sale(brand, org, day)}
        api = codes(province_api.data(QUERY, {"b": brand, "o": org, "d": day.isoformat()})["packages"])
        # then they answer the same
        assert service == api, (brand, org, day)
    assert {p.code for p in packages_on_sale("easyown", "SX-02", DAY)} == {"P-ALL"}


def test_businesses_follow_the_same_rule_in_the_api(catalogue, province_api):
    query = "query($b: String, $o: String) { businesses(brand: $b, organisation: $o) { edges { node { code } } } }"
    for brand, org in itertools.product(BRANDS, ORGS):
        expected = set(Business.objects.filter(on_sale_q(Business, brand, org)).values_list("code", flat=True))
        assert codes(province_api.data(query, {"b": brand, "o": org})["businesses"]) == expected, (brand, org)
    assert "B-ALL" in expected


def test_the_rule_for_one_item_matches_the_filter(catalogue):
    orgs = {org.code: org for org in Organisation.objects.all()}
    for item, brand, org, day in itertools.product(
        catalogue.values(), (None, *BRANDS), (None, *ORGS), (None, datetime.date(2026, 8, 1))
    ):
        model = type(item)
        # codes and instances name the same brand and organisation
        for brand_arg, org_arg in ((brand, org), (brand and Brand.objects.get(code=brand), org and orgs[org])):
            in_filter = model.objects.filter(on_sale_q(model, brand_arg, org_arg, day), pk=item.pk).exists()
            assert is_on_sale(item, brand_arg, org_arg, day) == in_filter, (item.code, brand, org, day)


def test_admin_comparison_shows_the_rule_for_items_naming_no_brand_or_no_sale_organisation(client, catalogue, superuser):
    # given two packages, one for every brand, one sold where its owner is
    client.force_login(superuser)
    url = reverse("wagtailsnippets_content_package:compare")
    # when an editor compares them
    table = client.get(url, {"packages": [catalogue["P-ALL"].pk, catalogue["P-01"].pk]}).context["table"]
    shown = {row.field: dict(zip((p.code for p in table.packages), row.values)) for row in table.rows}
    # then the admin says what the rule says: every brand, the owner's organisation
    assert shown["brands"]["P-ALL"] == "全部品牌" and is_on_sale(catalogue["P-ALL"], "easyown")
    assert shown["sale_orgs"]["P-01"] == "本组织" and is_on_sale(catalogue["P-01"], None, "SX-01")


def test_api_renditions_and_bundles_show_the_same_related_packages_of_an_article(matrix, catalogue, province_api):
    # given an article relating packages on sale, out of date, and a draft
    related = [catalogue[code] for code in ("P-ALL", "P-OLD", "P-DRAFT", "P-02")]
    article = ArticleFactory(code="ART-1", organisation=matrix["province"], related_packages=related, channels=["wechat_official_account"], published=True)
    expected = {p.code for p in related if is_on_sale(p)}
    # when the API (one article, and a page), the rendition and the bundle show it
    one = province_api.data('{ article(code: "ART-1") { relatedPackages { code } } }')["article"]
    page = province_api.data("{ articles { edges { node { relatedPackages { code } } } } }")["articles"]
    rendition = render(article, matrix["account_province"])
    bundle = build_bundle(matrix["account_province"])
    # then they show the same packages: those on sale (a card shows its own validity, so no day is asked)
    assert {p["code"] for p in one["relatedPackages"]} == expected == {"P-ALL", "P-OLD", "P-02"}
    assert {p["code"] for p in page["edges"][0]["node"]["relatedPackages"]} == expected
    assert {card.code for card in Source(article).cards} == expected
    assert "套餐P-ALL" in rendition.html and "套餐P-DRAFT" not in rendition.html
    assert set(bundle["articles"][0]["relatedPackages"]) == expected


def test_bundle_packages_carry_what_the_rule_reads(catalogue, matrix):
    # the province account's bundle holds every published package with its brands and sale organisations,
    # empty lists meaning every brand and the owner's organisation, as the rule reads them
    documents = {doc["code"]: doc for doc in build_bundle(matrix["account_province"])["packages"]}
    live = set(Package.objects.filter(on_sale_q(Package)).values_list("code", flat=True))
    assert set(documents) == live
    assert documents["P-ALL"]["brands"] == [] and documents["P-01"]["saleOrganisations"] == []


def test_a_branch_article_shows_no_card_of_a_package_its_branch_cannot_sell(matrix, catalogue):
    # given a branch-1 article relating a package sold province-wide, one sold at its own outlet,
    # and one sold only in branch 2
    related = [catalogue[code] for code in ("P-ALL", "P-OUT", "P-02")]
    article = ArticleFactory(code="ART-B1", organisation=matrix["branch1"], related_packages=related,
                             channels=["web"], published=True)
    # when
    rendition = render(article, matrix["account_branch1"], "web")
    # then only the packages branch 1 can sell (there, above or below it) become cards
    assert {card.code for card in Source(article).cards} == {"P-ALL", "P-OUT"}
    assert "套餐P-ALL" in rendition.html and "套餐P-OUT" in rendition.html and "套餐P-02" not in rendition.html
    assert [is_sold_by(p, matrix["branch1"]) for p in related] == [True, True, False]
    assert is_sold_by(catalogue["P-02"], matrix["province"])


# -- channel limits -------------------------------------------------------------------

CHANNELS = ("web", "wechat_miniprogram", "sms", "wechat_official_account")


@pytest.fixture
def limited(matrix):
    p = matrix["province"]
    return [
        offer(Package, "P-ONLINE", p, sale_orgs=[p], channels=["web", "wechat_miniprogram"]),
        offer(Package, "P-SMS", p, sale_orgs=[p], channels=["sms"]),
        offer(Package, "P-EVERY", p, sale_orgs=[p]),
        offer(Business, "B-WEB", p, sale_orgs=[p], channels=["web"]),
    ]


@pytest.fixture
def every_channel_api(matrix):
    p = matrix["province"]
    accounts = [matrix["account_province"]] + [
        ChannelAccountFactory(code=f"{t}-sx", type=t, organisation=p) for t in CHANNELS if t != "wechat_official_account"
    ]
    return Api(make_api_client("全渠道", p, accounts)[1])


def test_the_channel_limit_is_the_same_rule_in_the_filter_the_item_check_and_the_api(limited, every_channel_api):
    query = """query($c: ChannelType) { packages(channel: $c, first: 50) { edges { node { code channels } } }
                                        businesses(channel: $c) { edges { node { code } } } }"""
    for channel in (None, *CHANNELS):
        for item in limited:
            model = type(item)
            in_filter = model.objects.filter(on_sale_q(model, channel=channel), pk=item.pk).exists()
            assert is_on_sale(item, channel=channel) == in_filter, (item.code, channel)
        data = every_channel_api.data(query, {"c": channel.upper() if channel else None})
        assert codes(data["packages"]) == set(
            Package.objects.filter(on_sale_q(Package, channel=channel)).values_list("code", flat=True)), channel
        assert codes(data["businesses"]) == set(
            Business.objects.filter(on_sale_q(Business, channel=channel)).values_list("code", flat=True)), channel
    # an online-only offer: on the web and the mini-program, never on the SMS hall
    assert {p.code for p in packages_on_sale("gotone", "SX", DAY, channel="web")} == {"P-ONLINE", "P-EVERY"}
    assert {p.code for p in packages_on_sale("gotone", "SX", DAY, channel="sms")} == {"P-SMS", "P-EVERY"}


def test_comparison_on_a_channel_refuses_a_package_not_sold_there(limited, every_channel_api):
    query = 'query($c: ChannelType) { packageComparison(codes: ["P-ONLINE", "P-EVERY"], channel: $c) { packages { code } } }'
    assert every_channel_api.data(query, {"c": "WEB"})["packageComparison"]["packages"] == [
        {"code": "P-ONLINE"}, {"code": "P-EVERY"}]
    _, payload = every_channel_api.post(query, {"c": "SMS"})
    assert error_codes(payload) == ["NOT_FOUND"] and "P-ONLINE" in payload["errors"][0]["message"]


def test_an_sms_halls_bundle_and_an_articles_web_cards_follow_the_channel_limit(matrix, limited):
    sms = ChannelAccountFactory(code="sms-sx", type="sms", organisation=matrix["province"])
    web = ChannelAccountFactory(code="web-sx", type="web", organisation=matrix["province"], base_url="https://w.example/")
    assert {d["code"] for d in build_bundle(sms)["packages"]} == {"P-SMS", "P-EVERY"}
    assert {d["code"]: d["channels"] for d in build_bundle(web)["packages"]} == {
        "P-ONLINE": ["web", "wechat_miniprogram"], "P-EVERY": []}
    article = ArticleFactory(code="ART-CH", organisation=matrix["province"], channels=[], published=True,
                             related_packages=[p for p in limited if isinstance(p, Package)])
    html = render(article, web).html
    assert "套餐P-ONLINE" in html and "套餐P-EVERY" in html and "套餐P-SMS" not in html
    assert {c.code for c in Source(article).cards_on("sms")} == {"P-SMS", "P-EVERY"}
