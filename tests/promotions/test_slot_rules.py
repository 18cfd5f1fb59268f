"""The rules of a promotion slot (content.services.promotions): each entry points at
exactly the item its target names, links are http(s), the audience names known
brands and regions inside the slot's organisation, a branch's slot never points
at a sibling branch's item, an SMS slot is text only; and which entries a
channel shows at a time, to a brand, in a region."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from content.models import PromotionEntry, PromotionSlot
from content.services.promotions import entry_errors, shown_entries, slot_problems
from tests.support.factories import ArticleFactory, PackageFactory
from tests.support.images import make_image
from tests.support.promotions import make_slot

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(datetime.datetime(2026, 5, 1, 12, 0))
HOUR = datetime.timedelta(hours=1)


def slot_of(org, channel="web", code="S-1"):
    return PromotionSlot(code=code, title="首页横幅", channel=channel, organisation=org)


def test_an_entry_must_hold_the_item_its_target_names(matrix):
    # given an entry pointing at a package without one, and one holding a package and a link
    package = PackageFactory(code="P-1", organisation=matrix["branch1"])
    empty = PromotionEntry(target="package", title="流量包")
    both = PromotionEntry(target="package", package=package, link="https://example.com/a")
    # then each is refused on the target's field with a message saying what to do
    assert entry_errors(empty, slot_of(matrix["branch1"])) == {"package": ["指向资费套餐时须选择资费套餐"]}
    assert "只能指向一项内容" in entry_errors(both, slot_of(matrix["branch1"]))["package"][0]


def test_a_link_must_be_http_and_a_link_entry_needs_a_title(matrix):
    entry = PromotionEntry(target="link", link="javascript:alert(1)")
    errors = entry_errors(entry, slot_of(matrix["province"]))
    assert errors["link"] == ["链接只能是 http 或 https 地址"] and errors["title"] == ["外部链接须填写标题"]
    with pytest.raises(ValidationError) as refused:
        PromotionEntry(target="link", link="ftp://x.example/", title="下载").clean()
    assert "link" in refused.value.message_dict


def test_unknown_brands_and_regions_outside_the_slot_organisation_are_named(matrix):
    entry = PromotionEntry(
        target="link",
        link="https://example.com/",
        title="活动",
        brands=["gotone", "nobrand"],
        regions=["SX-02", "SX-99"],
    )
    errors = entry_errors(entry, slot_of(matrix["branch1"]))
    assert errors["brands"] == ["未知品牌 nobrand"]
    assert errors["regions"] == ["未知地区 SX-99", "地区 SX-02 不在营销位所属组织之下"]
    # the province's slot may name any region of the province
    assert "regions" not in entry_errors(
        PromotionEntry(target="link", link="https://e.cn/", title="x", regions=["SX-02"]), slot_of(matrix["province"])
    )


def test_a_schedule_must_end_after_it_starts(matrix):
    entry = PromotionEntry(target="link", link="https://e.cn/", title="x", starts_at=NOW, ends_at=NOW - HOUR)
    assert list(entry_errors(entry, slot_of(matrix["province"]))) == ["ends_at"]


def test_a_branch_slot_cannot_point_at_a_sibling_branchs_package(matrix):
    # given a package of SX-02 and a slot of SX-01
    theirs = PackageFactory(code="P-02", organisation=matrix["branch2"], published=True)
    province = PackageFactory(
        code="P-SX", organisation=matrix["province"], sale_orgs=[matrix["province"]], published=True
    )
    slot = slot_of(matrix["branch1"])
    # when the slot's entries are checked
    problems = slot_problems(
        slot, [PromotionEntry(target="package", package=province), PromotionEntry(target="package", package=theirs)]
    )
    # then only the sibling's package is refused, naming the slot, the position and the field
    assert problems == ["营销位 S-1 第 2 条「资费套餐」:资费套餐 P-02 不属于 SX-01,也未下发或销售给它"]


def test_an_article_shared_down_may_be_promoted_by_the_branch(matrix):
    article = ArticleFactory(code="ART-P", organisation=matrix["province"], shared_to=[matrix["branch1"]])
    assert slot_problems(slot_of(matrix["branch1"]), [PromotionEntry(target="article", article=article)]) == []
    assert slot_problems(slot_of(matrix["branch2"]), [PromotionEntry(target="article", article=article)]) != []


def test_an_sms_slot_is_text_only(matrix):
    image = make_image(matrix["province"], code="IMG-1")
    entry = PromotionEntry(target="link", link="https://e.cn/", title="回复KTTC办理", image=image)
    assert entry_errors(entry, slot_of(matrix["province"], channel="sms")) == {
        "image": ["短信营业厅的营销位只有文字,不能使用图片"]
    }
    assert entry_errors(entry, slot_of(matrix["province"], channel="web")) == {}


def test_shown_entries_follow_the_schedule_and_the_audience(matrix):
    # given entries: always, started an hour ago, ended an hour ago, starting in an hour; gotone only; SX-01 only
    link = {"target": "link", "link": "https://e.cn/"}
    slot = make_slot(
        "S-HOME",
        matrix["province"],
        entries=[
            {**link, "title": "always"},
            {**link, "title": "started", "starts_at": NOW - HOUR},
            {**link, "title": "ended", "ends_at": NOW - HOUR},
            {**link, "title": "later", "starts_at": NOW + HOUR},
            {**link, "title": "gotone", "brands": ["gotone"]},
            {**link, "title": "xian", "regions": ["SX-01"]},
        ],
    )
    titles = lambda **kw: [e.title for e in shown_entries(slot, NOW, **kw)]  # noqa: E731
    # then
    assert titles() == ["always", "started", "gotone", "xian"]
    assert titles(brand="mzone") == ["always", "started", "xian"]
    # a region covers the organisations below it
    assert titles(brand="gotone", region=matrix["outlet"]) == ["always", "started", "gotone", "xian"]
    assert titles(region=matrix["branch2"]) == ["always", "started", "gotone"]
    # the end is exclusive, the start inclusive
    assert "later" in titles_at(slot, NOW + HOUR) and "ended" not in titles_at(slot, NOW - HOUR)


def titles_at(slot, when):
    return [e.title for e in shown_entries(slot, when)]


def test_more_than_twenty_entries_are_refused(matrix):
    entries = [PromotionEntry(target="link", link=f"https://e.cn/{n}", title=f"第{n}条") for n in range(21)]
    assert slot_problems(slot_of(matrix["province"]), entries) == ["营销位 S-1 最多 20 条,现有 21 条"]
