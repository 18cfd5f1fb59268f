"""Web renditions: semantic, sanitized HTML with srcset images and absolute URLs."""

from media.models import LibraryRendition
from renditions.services import render
from renditions.images import WEB_SPECS
from tests.support.trees import elements


def test_web_article_is_semantic_html_with_title_summary_body_and_package_card(sample):
    # given
    article = sample.article("ART00002")
    # when
    rendition = render(article, sample.account("web-sx"))
    # then
    tags = [tag for tag, _ in elements(rendition.html)]
    assert tags[:2] == ["article", "header"] and rendition.html.startswith('<article class="cms-article" lang="zh-CN">')
    assert f"<h1>{article.title}</h1>" in rendition.html
    assert '<p class="cms-summary">' in rendition.html
    assert '<section class="cms-card cms-card-package">' in rendition.html
    assert "KTTC0017" in rendition.html  # the order command from the package's structured fields
    assert not rendition.blocking
    assert rendition.meta["url"] == "https://www.example-operator.cn/sx/articles/ART00002"


def test_web_images_carry_a_srcset_of_stored_renditions(sample):
    # given
    article = sample.article("ART00002")
    # when
    rendition = render(article, sample.account("web-sx"))
    # then
    images = [attrs for tag, attrs in elements(rendition.html) if tag == "img"]
    cover_id, body_id = article.cover_image_id, sample.image("IMG0015").pk
    assert rendition.images == [cover_id, body_id]
    stored = {
        (r.image_id, r.filter_spec): r.file.url for r in LibraryRendition.objects.filter(filter_spec__in=WEB_SPECS)
    }
    for image_id, attrs in zip(rendition.images, images):
        assert attrs["src"] == "http://localhost:8000" + stored[image_id, "width-800"]
        assert attrs["srcset"].split(" ")[0] == "http://localhost:8000" + stored[image_id, "width-480"]
        assert attrs["sizes"] and attrs["width"] and attrs["height"] and "alt" in attrs
    assert set(rendition.cover) == set(WEB_SPECS)


def test_web_links_become_absolute_on_the_account_base_url(sample):
    # given
    article = sample.article("ART00002")
    article.body = '<p><a href="/p/PKG0017">套餐</a> <a href="offers/5g">5G</a> <a href="javascript:alert(1)">x</a></p>'
    # when
    rendition = render(article, sample.account("web-sx"))
    # then
    hrefs = [attrs["href"] for tag, attrs in elements(rendition.html) if tag == "a" and "cms-card" not in attrs.get("class", "")]
    assert "https://www.example-operator.cn/p/PKG0017" in hrefs
    assert "https://www.example-operator.cn/sx/offers/5g" in hrefs
    assert all(h.startswith("https://") for h in hrefs)
    assert "javascript" not in rendition.html


def test_web_account_without_base_url_blocks_only_the_web(sample):
    # given
    article = sample.article("ART00002")
    web = sample.account("web-sx")
    web.base_url = ""
    # when
    web_rendition = render(article, web)
    sms_rendition = render(article, sample.account("sms-10086"))
    # then
    assert web_rendition.blocking
    assert [w.code for w in web_rendition.warnings if w.blocking] == ["no_base_url"]
    assert not sms_rendition.blocking


def test_package_on_the_web_is_a_card_from_its_structured_fields(sample):
    # given
    package = sample.package("PKG0001")
    # when
    rendition = render(package, sample.account("web-sx"))
    # then
    html = rendition.html
    assert '<article class="cms-package"' in html
    assert "<strong>128元/月</strong>" in html
    assert "<dt>流量</dt><dd>31GB</dd>" in html
    assert "<li>宽带免费提速</li>" in html
    assert "编辑短信 KTTC0001 发送至 10086 办理,退订发送 QXTC0001" in html
    assert rendition.meta["url"] == "https://www.example-operator.cn/sx/packages/PKG0001"


def test_business_on_the_web_shows_fee_and_order_command(sample):
    # given
    business = sample.business("BIZ0001")
    # when
    rendition = render(business, sample.account("web-sx"))
    # then
    assert "15元/月" in rendition.html and "KTYW0001" in rendition.html
    assert not rendition.blocking
