"""The cross-channel preview in the admin: every rendition side by side with its
warnings, the saved draft before it is published, under organisation isolation."""

from html import unescape

import pytest
from django.urls import reverse
from wagtail import hooks

from content.models import Article
from renditions.wagtail_hooks import ChannelPreviewMenuItem
from tests.support.factories import UserFactory
from tests.support.users import make_editor

from .records import account, bad_cover_article, branch_article_without_web, branches, rows


@pytest.fixture
def admin_client(client, db):
    user = UserFactory(username="root", is_superuser=True)
    client.force_login(user)
    client.user = user
    return client


def _preview_url(item, kind="article"):
    return reverse("renditions:preview", args=[kind, item.pk])


def test_preview_shows_every_channel_with_its_rendition_and_warnings(sample, admin_client):
    # given: a branch's article for WeChat, the mini-program and SMS (not the web), with body images
    article = sample.article(branch_article_without_web(sample)["code"])
    sample.accounts()
    # when
    response = admin_client.get(_preview_url(article))
    # then
    assert response.status_code == 200
    html = response.content.decode()
    for channel in ("wechat_official_account", "wechat_miniprogram", "sms", "web"):
        assert f'data-channel="{channel}"' in html
    srcdocs = {
        frame: unescape(html.split(f'data-frame="{frame}"')[0].rsplit('srcdoc="', 1)[1].split('"', 1)[0])
        for frame in ("wechat_official_account", "wechat_miniprogram")
    }
    assert article.title in srcdocs["wechat_official_account"]
    assert "cms-image://" not in srcdocs["wechat_official_account"]  # placeholders shown as the files to upload
    assert "width-1080" in srcdocs["wechat_official_account"]
    assert "width-750" in srcdocs["wechat_miniprogram"]
    assert 'data-warning="cover_low_resolution"' in html
    web_column = html.split('data-channel="web"')[1].split("</section>")[0]
    assert "此内容不投放到网上营业厅" in web_column  # the article does not target the web
    assert "【中国移动】" in html and "data-sms-segment" in html


def test_preview_shows_the_saved_draft_and_the_live_version_on_request(sample, admin_client):
    # given
    row = branch_article_without_web(sample)
    article = sample.article(row["code"])
    account(sample, "wechat_official_account", row["org"])
    live_title = article.title
    article.title = "草稿标题:尚未发布"
    article.save_revision(user=admin_client.user)
    # when
    draft = admin_client.get(_preview_url(article)).content.decode()
    live = admin_client.get(_preview_url(article) + "?version=live").content.decode()
    # then
    assert "草稿标题:尚未发布" in draft and live_title not in unescape(draft).split("rendition-grid", 1)[1]
    assert live_title in unescape(live) and "草稿标题" not in live


def test_preview_of_a_blocked_channel_says_it_blocks_publishing(sample, admin_client):
    # given: the dirty export's article without a cover, and its organisation's official account
    row = bad_cover_article(sample)
    article = sample.article(row["code"])
    account(sample, "wechat_official_account", row["org"])
    # when
    html = admin_client.get(_preview_url(article)).content.decode()
    # then
    wechat = html.split('data-channel="wechat_official_account"')[1].split("</section>")[0]
    assert "阻止发布" in wechat and 'data-warning="cover_missing"' in wechat


def test_preview_lets_the_editor_pick_the_account_of_a_channel(sample, admin_client):
    # given: the branch article, the branch's official account and a second one of the branch
    from tests.support.factories import ChannelAccountFactory

    row = branch_article_without_web(sample)
    article = sample.article(row["code"])
    province_account = account(sample, "wechat_official_account")
    branch_account = account(sample, "wechat_official_account", row["org"])
    second = ChannelAccountFactory(code="wx-preview-second", organisation=sample.org(row["org"]))
    assert province_account.code != branch_account.code
    # when
    html = admin_client.get(_preview_url(article) + f"?wechat_official_account={second.code}").content.decode()
    # then
    assert f'<option value="{second.code}" selected>' in html
    assert f'<option value="{branch_account.code}">' in html
    # a branch's article is never broadcast on the province's official account: not offered
    assert f'<option value="{province_account.code}"' not in html


def test_branch_editor_previews_own_article_and_sibling_gets_404(sample, client):
    # given: a branch's article, an editor of the branch and one of its sibling
    row = branch_article_without_web(sample)
    article = sample.article(row["code"])
    sibling_branch = next(code for code in branches(sample) if code != row["org"])
    own = make_editor("editor-own", sample.org(row["org"]))
    sibling = make_editor("editor-sibling", sample.org(sibling_branch))
    # when / then
    client.force_login(own)
    assert client.get(_preview_url(article)).status_code == 200
    client.force_login(sibling)
    assert client.get(_preview_url(article)).status_code == 404


def test_preview_of_packages_businesses_and_sms_templates(sample, admin_client):
    sample.accounts()
    for kind, item in (
        ("package", sample.package(rows(sample, "packages")[0]["code"])),
        ("business", sample.business(rows(sample, "businesses")[0]["code"])),
        ("sms_template", sample.template(rows(sample, "sms_templates")[0]["code"])),
    ):
        response = admin_client.get(_preview_url(item, kind))
        assert response.status_code == 200, kind
        assert item.code in response.content.decode()


def test_unknown_kind_or_record_is_404(sample, admin_client):
    assert admin_client.get("/admin/renditions/menu/1/").status_code == 404
    assert admin_client.get("/admin/renditions/article/999999/").status_code == 404


def test_edit_view_action_menu_offers_the_channel_preview(sample, admin_client):
    # given
    article = sample.article(branch_article_without_web(sample)["code"])
    items = [hook(Article) for hook in hooks.get_hooks("register_snippet_action_menu_item")]
    # when
    (item,) = [i for i in items if isinstance(i, ChannelPreviewMenuItem)]
    # then
    context = {"view": "edit", "instance": article, "request": None}
    assert item.is_shown(context) and not item.is_shown({"view": "create"})
    assert item.get_url(context) == _preview_url(article)


def test_article_edit_view_and_listing_link_to_the_channel_preview(sample, admin_client):
    # given
    article = sample.article(branch_article_without_web(sample)["code"])
    viewset = Article.snippet_viewset
    # when
    edit = admin_client.get(reverse(viewset.get_url_name("edit"), args=[article.pk])).content.decode()
    listing = admin_client.get(reverse(viewset.get_url_name("list"))).content.decode()
    # then
    assert f'href="{_preview_url(article)}"' in edit and "渠道预览" in edit
    assert f'href="{_preview_url(article)}"' in listing
