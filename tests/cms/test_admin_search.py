"""The admin's one search (the sidebar's box, /admin/search/): every kind an editor may
see, by a substring of code, title or text, Chinese included, grouped by kind with each
item's state, and never a sibling branch's item."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cms.admin_search import PER_KIND, searched_models
from tests.support.factories import (
    ArticleFactory,
    AutoReplyFactory,
    PackageFactory,
    SmsTemplateFactory,
    TemplateMessageFactory,
)
from tests.support.menus import make_menu

pytestmark = pytest.mark.django_db

URL = "/admin/search/"


def test_the_sidebar_search_box_lands_on_the_search_of_every_kind(client, branch_editor):
    client.force_login(branch_editor)
    html = client.get("/admin/").content.decode()
    assert reverse("cms_search") == URL
    assert f'"{URL}"' in html  # the sidebar module's search URL


def test_branch_editor_finds_own_items_of_every_kind_by_a_chinese_substring_and_no_sibling_item(
        client, matrix, branch_editor):
    own, sibling = matrix["branch1"], matrix["branch2"]
    ArticleFactory(code="ART-OWN", title="五月流量嘉年华活动", organisation=own)
    ArticleFactory(code="ART-SIB", title="宝鸡流量嘉年华", organisation=sibling)
    PackageFactory(code="PKG-OWN", name="流量嘉年华套餐", organisation=own, published=True)
    SmsTemplateFactory(code="SMS-OWN", text="欢迎参加流量嘉年华,回复{code}领取。", parameters=["code code 6"],
                       organisation=own)
    AutoReplyFactory(keyword="嘉年华", reply_text="流量嘉年华详情", account=matrix["account_branch1"])
    AutoReplyFactory(keyword="嘉年华宝鸡", reply_text="宝鸡的回复", account=matrix["account_branch2"])
    TemplateMessageFactory(code="tm_carnival", title="嘉年华提醒", organisation=own)
    make_menu(matrix["account_branch1"], [], code="menu-carnival", name="嘉年华菜单")
    make_menu(matrix["account_branch2"], [], code="menu-carnival-bj", name="宝鸡嘉年华菜单")
    client.force_login(branch_editor)

    response = client.get(URL, {"q": "嘉年华"})

    assert response.status_code == 200
    html = response.content.decode()
    for own_text in ["五月流量嘉年华活动", "流量嘉年华套餐", "SMS-OWN", "嘉年华</a>", "嘉年华提醒", "嘉年华菜单"]:
        assert own_text in html
    assert "宝鸡" not in html
    groups = [kind.label for kind in response.context["results"]]
    assert [str(g) for g in groups] == ["图文素材", "资费套餐", "短信模板", "自动回复", "模板消息", "渠道菜单"]


def test_each_item_shows_whether_it_is_a_draft_live_or_live_with_changes(client, matrix, branch_editor):
    own = matrix["branch1"]
    ArticleFactory(code="ART-D", title="状态草稿", organisation=own, live=False)
    ArticleFactory(code="ART-L", title="状态已发布", organisation=own, published=True)
    changed = ArticleFactory(code="ART-C", title="状态修改中", organisation=own, published=True)
    changed.title = "状态修改中"
    changed.save_revision()
    client.force_login(branch_editor)

    items = {item.code: str(item.status) for item in client.get(URL, {"q": "状态"}).context["results"][0].items}

    assert items == {"ART-D": "草稿", "ART-L": "已发布", "ART-C": "已发布,有未发布的修改"}


def test_search_reads_one_bounded_page_per_kind(client, matrix, branch_editor):
    for n in range(PER_KIND + 3):
        ArticleFactory(code=f"ART-M{n:02d}", title=f"批量图文{n}", organisation=matrix["branch1"])
    client.force_login(branch_editor)
    client.get(URL, {"q": "批量"})  # warm the session and the user's caches

    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL, {"q": "批量"})

    articles = response.context["results"][0]
    assert len(articles.items) == PER_KIND and articles.more
    assert "在图文素材中查看更多" in response.content.decode()
    assert len(queries) <= len(searched_models()) + 12


def test_no_match_says_so_in_chinese(client, branch_editor):
    client.force_login(branch_editor)
    assert "没有找到包含“不存在的内容”的内容" in client.get(URL, {"q": "不存在的内容"}).content.decode()
