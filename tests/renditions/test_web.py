"""Web renditions: semantic, sanitized HTML with srcset images and absolute URLs."""

from django.conf import settings

from media.models import LibraryRendition
from renditions.services import render
from renditions.images import WEB_SPECS
from tests.support.trees import elements

from .records import (
    account, account_row, allowances, every_channel_article, fee, first_copy, inline_images, origin, rows, web_base,
    web_url,
)


def test_web_article_is_semantic_html_with_title_summary_body_and_package_card(sample):
    # given: an article for every channel with related packages
    row = every_channel_article(sample)
    article = sample.article(row["code"])
    # when
    rendition = render(article, account(sample, "web"))
    # then
    tags = [tag for tag, _ in elements(rendition.html)]
    assert tags[:2] == ["article", "header"] and rendition.html.startswith('<article class="cms-article" lang="zh-CN">')
    assert f"<h1>{article.title}</h1>" in rendition.html
    assert '<p class="cms-summary">' in rendition.html
    assert rendition.html.count('<section class="cms-card cms-card-package">') == len(row["related_packages"])
    for code in row["related_packages"]:  # the order command from the package's structured fields
        assert sample.rows["packages"][code]["order_command"] in rendition.html
    assert not rendition.blocking
    assert rendition.meta["url"] == web_url(sample, "article", row["code"])


def test_web_images_carry_a_srcset_of_stored_renditions(sample):
    # given
    row = every_channel_article(sample)
    article = sample.article(row["code"])
    # when
    rendition = render(article, account(sample, "web"))
    # then: the cover, then the body's images in order
    images = [attrs for tag, attrs in elements(rendition.html) if tag == "img"]
    body_ids = [sample.image(code).pk for code in inline_images(row)]
    assert rendition.images == [article.cover_image_id, *body_ids]
    assert len(images) == len(rendition.images)
    stored = {
        (r.image_id, r.filter_spec): r.file.url for r in LibraryRendition.objects.filter(filter_spec__in=WEB_SPECS)
    }
    for image_id, attrs in zip(rendition.images, images):
        assert attrs["src"] == "http://localhost:8000" + stored[image_id, "width-800"]
        assert attrs["srcset"].split(" ")[0] == "http://localhost:8000" + stored[image_id, "width-480"]
        assert attrs["sizes"] and attrs["width"] and attrs["height"] and "alt" in attrs
    assert set(rendition.cover) == set(WEB_SPECS)


def test_web_links_become_absolute_on_the_account_base_url(sample):
    # given: a site-relative link, a relative one and a script link
    row = every_channel_article(sample)
    package = row["related_packages"][0]
    article = sample.article(row["code"])
    article.body = f'<p><a href="/p/{package}">套餐</a> <a href="offers/5g">5G</a> <a href="javascript:alert(1)">x</a></p>'
    web = account(sample, "web")
    base = web_base(account_row(sample, "web"))

    def hrefs():
        rendition = render(article, web)
        assert "javascript" not in rendition.html
        return [attrs["href"] for tag, attrs in elements(rendition.html)
                if tag == "a" and "cms-card" not in attrs.get("class", "")]

    # when / then: on the account's base URL
    links = hrefs()
    assert f"{origin(base)}/p/{package}" in links
    assert f"{base}offers/5g" in links
    assert all(h.startswith("https://") for h in links)
    # and on a base URL with a path: a site-relative link leaves the path, a relative one keeps it
    web.base_url = f"{origin(base)}/shop"
    links = hrefs()
    assert f"{origin(base)}/p/{package}" in links and f"{origin(base)}/shop/offers/5g" in links


def test_web_account_without_base_url_blocks_only_the_web(sample):
    # given: an article for every channel
    article = sample.article(every_channel_article(sample)["code"])
    web = account(sample, "web")
    web.base_url = ""
    # when
    web_rendition = render(article, web)
    sms_rendition = render(article, account(sample, "sms"))
    # then
    assert web_rendition.blocking
    assert [w.code for w in web_rendition.warnings if w.blocking] == ["no_base_url"]
    assert not sms_rendition.blocking


def test_package_on_the_web_is_a_card_from_its_structured_fields(sample):
    # given: the first package (its first copy: the dirty export repeats the code)
    row = first_copy(sample, "packages", rows(sample, "packages")[0]["code"])
    package = sample.package(row["code"])
    # when
    rendition = render(package, account(sample, "web"))
    # then
    html = rendition.html
    assert '<article class="cms-package"' in html
    assert f"<h1>{row['name']}</h1>" in html
    assert f"<strong>{fee(row['monthly_fee'])}元/月</strong>" in html
    for label, value in allowances(row):
        assert f"<dt>{label}</dt><dd>{value}</dd>" in html
    for highlight in row["highlights"]:
        assert f"<li>{highlight}</li>" in html
    number = settings.RENDITIONS_SERVICE_NUMBER  # no SMS account rendered beside it
    assert (
        f"编辑短信 {row['order_command']} 发送至 {number} 办理,退订发送 {row['cancel_command']}" in html
    )
    assert rendition.meta["url"] == web_url(sample, "package", row["code"])


def test_business_on_the_web_shows_fee_and_order_command(sample):
    # given
    row = rows(sample, "businesses")[0]
    business = sample.business(row["code"])
    # when
    rendition = render(business, account(sample, "web"))
    # then
    assert f"{fee(row['monthly_fee'])}元/月" in rendition.html and row["order_command"] in rendition.html
    assert rendition.meta["url"] == web_url(sample, "business", row["code"])
    assert not rendition.blocking
