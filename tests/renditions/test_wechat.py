"""WeChat article renditions: the editor's HTML subset, image placeholders,
draft/add field lengths and the cover renditions."""

import io

import pytest
from django.core.files.images import ImageFile
from PIL import Image

from media.models import LibraryImage
from renditions.services import image_placeholders, render, render_all, swap_images, wechat_cover
from renditions.images import WECHAT_BODY_SPEC, WECHAT_COVER_SPEC, WECHAT_THUMB_SPEC
from renditions.wechat import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_TAGS,
    CONTENT_MAX_CHARS,
    IMAGE_URL_ALLOWANCE,
    STYLE_PROPERTIES,
    MissingImageError,
    content_size,
)
from tests.support.trees import elements, style_properties

from .records import account, bad_cover_article, every_channel_article, inline_images, rows, web_url


def _big_image(sample, code, size):
    buffer = io.BytesIO()
    Image.new("RGB", size, (0, 133, 208)).save(buffer, "PNG")
    image = LibraryImage(title=code, code=code, file=ImageFile(buffer, name=f"{code}.png"))
    image.save()
    return image


def test_wechat_html_keeps_only_the_editor_subset_with_inline_styles(sample):
    # given
    article = sample.article(every_channel_article(sample)["code"])
    # when
    rendition = render(article, account(sample, "wechat_official_account"))
    # then
    for tag, attrs in elements(rendition.html):
        assert tag in ALLOWED_TAGS
        assert set(attrs) <= ALLOWED_ATTRIBUTES["*"] | ALLOWED_ATTRIBUTES.get(tag, set())
        assert style_properties(attrs.get("style")) <= STYLE_PROPERTIES
    assert "class=" not in rendition.html and "id=" not in rendition.html
    assert not rendition.blocking


def test_wechat_body_images_become_placeholders_the_publisher_swaps(sample):
    # given: an article whose body shows images
    row = every_channel_article(sample)
    article = sample.article(row["code"])
    body_images = [sample.image(code) for code in inline_images(row)]
    ids = [image.pk for image in body_images]
    # when
    rendition = render(article, account(sample, "wechat_official_account"))
    # then
    assert image_placeholders(rendition.html) == ids
    for image_id in ids:
        assert f'src="cms-image://{image_id}"' in rendition.html
    assert rendition.meta["image_urls"] == {i.pk: i.get_rendition(WECHAT_BODY_SPEC).full_url for i in body_images}
    uploaded = {str(pk): f"http://mmbiz.qpic.cn/mmbiz_jpg/abc{n}/0?a=1&b=2" for n, pk in enumerate(ids)}
    swapped = swap_images(rendition.html, uploaded)
    for n in range(len(ids)):
        assert f'src="http://mmbiz.qpic.cn/mmbiz_jpg/abc{n}/0?a=1&amp;b=2"' in swapped
    assert "cms-image://" not in swapped
    with pytest.raises(MissingImageError) as missing:
        swap_images(rendition.html, {})
    assert missing.value.image_ids == ids
    with pytest.raises(MissingImageError) as missing:
        swap_images(rendition.html, {str(ids[0]): uploaded[str(ids[0])]})
    assert missing.value.image_ids == ids[1:]


def test_wechat_fields_carry_the_draft_add_values(sample):
    # given: the province's web site carries the article ("阅读原文")
    row = every_channel_article(sample)
    article = sample.article(row["code"])
    account(sample, "web")
    # when
    rendition = render(article, account(sample, "wechat_official_account"))
    # then
    meta = rendition.meta
    assert (meta["title"], meta["author"], meta["digest"]) == (row["title"], row["author"], row["digest"])
    assert meta["content_source_url"] == web_url(sample, "article", row["code"])
    assert meta["cover_image_id"] == article.cover_image_id
    assert meta["pic_crop_235_1"] == "0_0_1_1"
    x1, y1, x2, y2 = map(float, meta["pic_crop_1_1"].split("_"))
    assert (y1, y2) == (0.0, 1.0) and x1 + x2 == pytest.approx(1.0)


def test_wechat_external_links_are_removed_with_a_warning_and_wechat_links_kept(sample):
    # given
    article = sample.article(every_channel_article(sample)["code"])
    article.body = (
        '<p><a href="https://evil.example.com/x">外链</a> '
        '<a href="https://mp.weixin.qq.com/s/abcdef">往期文章</a></p>'
    )
    # when
    rendition = render(article, account(sample, "wechat_official_account"))
    # then
    assert '<a href="https://mp.weixin.qq.com/s/abcdef"' in rendition.html
    assert "evil.example.com" not in rendition.html and "外链" in rendition.html
    warning = next(w for w in rendition.warnings if w.code == "external_links_removed")
    assert not warning.blocking and "evil.example.com" in warning.message


@pytest.mark.parametrize(
    "field, value, code",
    [("title", "标" * 33, "title_too_long"), ("author", "作" * 17, "author_too_long")],
)
def test_wechat_title_and_author_over_the_documented_length_block_wechat_only(sample, field, value, code):
    # given
    article = sample.article(every_channel_article(sample)["code"])
    setattr(article, field, value)
    accounts = [account(sample, "wechat_official_account"), account(sample, "web"), account(sample, "wechat_miniprogram")]
    # when
    wechat, web, miniprogram = render_all(article, accounts)
    # then
    assert [w.code for w in wechat.warnings if w.blocking] == [code]
    assert not web.blocking and not miniprogram.blocking


def test_wechat_titles_at_the_documented_length_pass(sample):
    # given
    article = sample.article(every_channel_article(sample)["code"])
    article.title, article.author = "标" * 32, "作" * 16
    # when
    rendition = render(article, account(sample, "wechat_official_account"))
    # then
    assert not rendition.blocking


def test_wechat_digest_over_128_characters_is_cut_with_a_warning(sample):
    # given
    article = sample.article(every_channel_article(sample)["code"])
    article.digest = "摘" * 200
    # when
    rendition = render(article, account(sample, "wechat_official_account"))
    # then
    assert len(rendition.meta["digest"]) == 128 and rendition.meta["digest"].endswith("…")
    assert any(w.code == "digest_cut" and not w.blocking for w in rendition.warnings)


def test_wechat_body_of_20000_characters_or_more_blocks(sample):
    # given
    article = sample.article(every_channel_article(sample)["code"])
    article.body = "<p>" + "很长的正文" * 4200 + "</p>"
    # when
    rendition = render(article, account(sample, "wechat_official_account"))
    # then
    chars, _ = content_size(rendition.html)
    assert chars >= CONTENT_MAX_CHARS
    assert "body_too_long" in [w.code for w in rendition.warnings if w.blocking]


def test_wechat_content_size_counts_the_swapped_in_image_urls():
    # given
    html = '<p><img src="cms-image://7"></p>'
    # when
    chars, size = content_size(html)
    # then
    assert chars == len(html) - len("cms-image://7") + IMAGE_URL_ALLOWANCE
    assert size == chars


def test_article_without_cover_blocks_wechat_only_and_names_item_channel_and_cause(sample):
    # given: the dirty export's article whose cover image does not exist, for WeChat, the mini-program and SMS
    row = bad_cover_article(sample)
    article = sample.article(row["code"])
    wechat_account = account(sample, "wechat_official_account", row["org"])
    accounts = [wechat_account, account(sample, "wechat_miniprogram"), account(sample, "sms")]
    # when
    wechat, miniprogram, sms = render_all(article, accounts)
    # then
    blocking = [w for w in wechat.warnings if w.blocking]
    assert [w.code for w in blocking] == ["cover_missing"]
    assert (blocking[0].item, blocking[0].channel, blocking[0].account) == (
        row["code"], "wechat_official_account", wechat_account.code)
    assert row["code"] in str(blocking[0]) and "微信公众号" in str(blocking[0]) and "封面" in str(blocking[0])
    assert not miniprogram.blocking and not sms.blocking
    assert "<script" not in wechat.html and "onclick" not in wechat.html and "steal" not in wechat.html


def test_wechat_cover_is_a_900x383_rendition_and_the_thumb_is_square(sample):
    # given
    article = sample.article(every_channel_article(sample)["code"])
    article.cover_image = _big_image(sample, "BIG1", (1600, 1000))
    article.save()
    # when
    cover = wechat_cover(article)
    rendition = render(article, account(sample, "wechat_official_account"))
    # then
    assert (cover.width, cover.height, cover.filter_spec) == (900, 383, WECHAT_COVER_SPEC)
    thumb = article.cover_image.get_rendition(WECHAT_THUMB_SPEC)
    assert thumb.width == thumb.height == 383
    assert rendition.cover == {WECHAT_COVER_SPEC: cover.full_url, WECHAT_THUMB_SPEC: thumb.full_url}
    assert not any(w.code == "cover_low_resolution" for w in rendition.warnings)


def test_small_cover_source_warns_without_blocking(sample):
    # given: the sample's stand-in images are far smaller than 900x383
    article = sample.article(every_channel_article(sample)["code"])
    # when
    rendition = render(article, account(sample, "wechat_official_account"))
    # then
    warning = next(w for w in rendition.warnings if w.code == "cover_low_resolution")
    assert not warning.blocking


def test_wechat_cover_of_an_item_without_cover_is_none(sample):
    assert wechat_cover(sample.package(rows(sample, "packages")[0]["code"])) is None


def test_legacy_inline_image_references_are_resolved_by_code(sample):
    # given: an image inside text, still a legacy <img data-image="..."> reference
    row = every_channel_article(sample)
    article = sample.article(row["code"])
    code = inline_images(row)[0]
    image = sample.image(code)
    image.get_renditions("width-1080|format-jpeg|jpegquality-85")
    article.body = f'<p>见图<img data-image="{code}" alt="示意">所示</p><embed embedtype="image" id="{image.pk}"/>'
    # when
    rendition = render(article, account(sample, "wechat_official_account"))
    # then
    assert image_placeholders(rendition.html) == [image.pk]
    assert '<p style="margin:0 0 16px 0">见图<img src="cms-image://%d"' % image.pk in rendition.html
