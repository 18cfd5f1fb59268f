"""The promotion slot admin (内容 → 营销位): an editor builds a slot of entries in the
order they set, with audience codes typed as a list; a sibling branch's package is
refused naming the slot, position and field, nothing stored; a sibling editor never
sees the slot."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from content.models import PromotionSlot
from tests.support.factories import PackageFactory
from tests.support.promotions import make_slot

pytestmark = pytest.mark.django_db

ENTRY_FIELDS = (
    "target",
    "title",
    "subtitle",
    "article",
    "package",
    "business",
    "link",
    "image",
    "brands",
    "regions",
    "starts_at",
    "ends_at",
)


def url(view, *args):
    return reverse(f"wagtailsnippets_content_promotionslot:{view}", args=args)


def form_data(organisation, entries, code="web-xa-banner", channel="web"):
    data = {
        "code": code,
        "title": "西安首页横幅",
        "channel": channel,
        "organisation": organisation.pk,
        "entries-TOTAL_FORMS": str(len(entries)),
        "entries-INITIAL_FORMS": "0",
        "entries-MIN_NUM_FORMS": "0",
        "entries-MAX_NUM_FORMS": "1000",
    }
    for i, entry in enumerate(entries):
        row = {name: "" for name in ENTRY_FIELDS}
        row.update(entry)
        data.update({f"entries-{i}-{name}": value for name, value in row.items()})
        data.update({f"entries-{i}-id": "", f"entries-{i}-ORDER": str(i + 1), f"entries-{i}-DELETE": ""})
    return data


def errors_of(response):
    form = response.context["form"]
    out = [str(e) for e in form.non_field_errors()]
    for name, messages in form.errors.items():
        out += [f"{name}: {m}" for m in messages]
    for formset in form.formsets.values():
        out += [f"{n}: {e}" for row in formset.errors for n, errors in row.items() for e in errors]
    return out


def test_editor_creates_a_slot_with_entries_in_order_and_audience_codes(client, matrix, branch_editor):
    package = PackageFactory(code="P-XA", organisation=matrix["branch1"], published=True)
    client.force_login(branch_editor)
    response = client.post(
        url("add"),
        form_data(
            matrix["branch1"],
            [
                {
                    "target": "link",
                    "link": "https://act.example/",
                    "title": "开业",
                    "brands": "gotone, mzone",
                    "regions": "SX-01-01",
                },
                {"target": "package", "package": package.pk, "subtitle": "每月58元"},
            ],
        ),
    )
    assert response.status_code == 302, errors_of(response)
    slot = PromotionSlot.objects.get(code="web-xa-banner")
    entries = slot.ordered_entries()
    assert [(e.target, e.brands, e.regions) for e in entries] == [
        ("link", ["gotone", "mzone"], ["SX-01-01"]),
        ("package", [], []),
    ]
    assert slot.organisation == matrix["branch1"] and not slot.live


def test_a_sibling_branchs_package_is_no_choice_and_nothing_is_stored(client, matrix, branch_editor):
    theirs = PackageFactory(code="P-BJ", organisation=matrix["branch2"], published=True)
    client.force_login(branch_editor)
    response = client.post(url("add"), form_data(matrix["branch1"], [{"target": "package", "package": theirs.pk}]))
    assert response.status_code == 200
    assert "package: 选择一个有效的选项： 该选择不在可用的选项中。" in errors_of(response)
    assert not PromotionSlot.objects.filter(code="web-xa-banner").exists()


def test_a_region_outside_the_slots_organisation_is_refused_naming_the_entry(client, matrix, branch_editor):
    client.force_login(branch_editor)
    response = client.post(
        url("add"),
        form_data(
            matrix["branch1"],
            [
                {"target": "link", "link": "https://act.example/", "title": "开业"},
                {"target": "link", "link": "https://act.example/2", "title": "活动", "regions": "SX-02"},
            ],
        ),
    )
    assert response.status_code == 200
    assert "营销位 web-xa-banner 第 2 条「适用地区」:地区 SX-02 不在营销位所属组织之下" in errors_of(response)
    assert not PromotionSlot.objects.filter(code="web-xa-banner").exists()


def test_a_link_without_a_title_is_refused_on_its_row(client, matrix, branch_editor):
    client.force_login(branch_editor)
    response = client.post(url("add"), form_data(matrix["branch1"], [{"target": "link", "link": "https://a.example/"}]))
    assert response.status_code == 200 and "title: 外部链接须填写标题" in errors_of(response)


def test_a_sibling_editor_never_sees_the_slot(client, matrix, sibling_editor):
    slot = make_slot(
        "web-xa", matrix["branch1"], entries=[{"target": "link", "link": "https://a.example/", "title": "x"}]
    )
    client.force_login(sibling_editor)
    assert client.get(url("edit", slot.pk)).status_code == 404
    assert "web-xa" not in client.get(url("list")).content.decode()


def test_the_preview_shows_the_entries_in_slot_order_with_their_audience(matrix, branch_editor):
    package = PackageFactory(code="P-XA", name="西安5G套餐", organisation=matrix["branch1"], published=True)
    slot = make_slot("web-xa", matrix["branch1"], entries=[
        {"target": "package", "package": package, "brands": ["gotone"]},
        {"target": "link", "link": "https://a.example/", "title": "开业活动", "regions": ["SX-01-01"]},
    ], published=False)
    request = RequestFactory().get("/")
    request.user = branch_editor
    html = slot.serve_preview(request, slot.default_preview_mode).render().content.decode()
    assert html.index("西安5G套餐") < html.index("开业活动")
    assert "品牌 gotone" in html and "地区 SX-01-01" in html and 'data-position="2"' in html
