"""The cross-channel preview driven in headless Chromium the way an editor uses it."""



import pytest  # noqa: E402
from django.db import connections  # noqa: E402
from playwright.sync_api import expect  # noqa: E402

from django.urls import reverse  # noqa: E402

from content.models import Article  # noqa: E402
from tests.support.browser import admin_login, new_page  # noqa: E402
from tests.support.users import make_editor  # noqa: E402

from .records import account_row, bad_cover_article, branch_article_without_web  # noqa: E402

pytestmark = pytest.mark.browser

@pytest.fixture
def page(chromium, live_server):
    # Wide enough for the four renditions side by side.
    with new_page(chromium, live_server.url, viewport=(1800, 1200)) as page:
        yield page
    # Playwright's sync API runs the test in its own context, which Django
    # gives its own database connection: close it so none outlives the test.
    connections.close_all()


def test_editor_compares_all_renditions_side_by_side_before_publishing(sample, live_server, page, tmp_path):
    # given: a branch editor and an article of their branch reaching WeChat, the mini-program and SMS
    row = branch_article_without_web(sample)
    article = sample.article(row["code"])
    sample.accounts()
    make_editor("editor-sx01", sample.org(row["org"]))
    article.title = "话费充值优惠:草稿版本"
    article.save_revision()
    # when: from the article's edit view, the action menu's channel preview
    admin_login(page, "editor-sx01")
    page.goto(live_server.url + reverse(Article.snippet_viewset.get_url_name("edit"), args=[article.pk]))
    page.locator("footer [data-w-dropdown-target='toggle']").first.click()
    page.get_by_role("link", name="渠道预览(已保存版本)").click()
    page.wait_for_url(f"{live_server.url}/admin/renditions/article/{article.pk}/")
    # then: each channel in its column
    for channel in ("wechat_official_account", "wechat_miniprogram", "sms", "web"):
        expect(page.locator(f'section[data-channel="{channel}"]')).to_be_visible()
    # WeChat and mini-program in a phone-sized frame, showing the saved draft
    for channel in ("wechat_official_account", "wechat_miniprogram"):
        box = page.locator(f'iframe[data-frame="{channel}"]').bounding_box()
        assert 350 <= box["width"] <= 380, box
        frame = page.frame_locator(f'iframe[data-frame="{channel}"]')
        expect(frame.locator("h1")).to_have_text("话费充值优惠:草稿版本")
    wechat = page.frame_locator('iframe[data-frame="wechat_official_account"]')
    assert "width-1080" in wechat.locator("img").first.get_attribute("src")
    assert "font-size:16px" in wechat.locator("body > section").first.get_attribute("style")  # inline styles only
    # the SMS as it would arrive, split into its segments
    sms = page.locator('section[data-channel="sms"]')
    signature = account_row(sample, "sms")["signature"]
    expect(sms.locator("[data-sms-text]")).to_contain_text(f"{signature}话费充值优惠:草稿版本:")
    segments = int(sms.locator("[data-sms-segments]").inner_text())
    expect(sms.locator("[data-sms-segment]")).to_have_count(segments)
    # the warnings next to each rendition
    expect(page.locator('section[data-channel="wechat_official_account"] [data-warning="cover_low_resolution"]')).to_be_visible()
    expect(page.locator('section[data-channel="web"]')).to_contain_text("此内容不投放到网上营业厅")
    page.screenshot(path=str(tmp_path / "preview.png"), full_page=True)


def test_editor_sees_which_channel_a_bad_item_blocks(sample, live_server, page):
    # given: the dirty export's article without a cover image, for WeChat, the mini-program and SMS
    row = bad_cover_article(sample)
    article = sample.article(row["code"])
    sample.accounts()
    make_editor("editor-sx01", sample.org(row["org"]))
    # when
    admin_login(page, "editor-sx01")
    page.goto(f"{live_server.url}/admin/renditions/article/{article.pk}/")
    # then
    wechat = page.locator('section[data-channel="wechat_official_account"]')
    expect(wechat.locator(".rendition-status")).to_have_text("阻止发布")
    expect(wechat.locator('[data-warning="cover_missing"]')).to_contain_text("缺少封面图")
    expect(page.locator('section[data-channel="sms"] .rendition-status')).to_have_text("可发布")
    expect(page.locator('section[data-channel="wechat_miniprogram"] .rendition-status')).to_have_text("可发布")
