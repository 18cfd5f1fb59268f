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


def _big_image(sample, code, size):
    buffer = io.BytesIO()
    Image.new("RGB", size, (0, 133, 208)).save(buffer, "PNG")
    image = LibraryImage(title=code, code=code, file=ImageFile(buffer, name=f"{code}.png"))
    image.save()
    return image


def test_wechat_html_keeps_only_the_editor_subset_with_inline_styles(sample):
    # given
    article = sample.article("ART00002")
    # when
    rendition = render(article, sample.account("wx-sx"))
    # then
    for tag, attrs in elements(rendition.html):
        assert tag in ALLOWED_TAGS
        assert set(attrs) <= ALLOWED_ATTRIBUTES["*"] | ALLOWED_ATTRIBUTES.get(tag, set())
        assert style_properties(attrs.get("style")) <= STYLE_PROPERTIES
    assert "class=" not in rendition.html and "id=" not in rendition.html
    assert not rendition.blocking


def test_wechat_body_images_become_placeholders_the_publisher_swaps(sample):
    # given
    article = sample.article("ART00002")
    body_image = sample.image("IMG0015")
    # when
    rendition = render(article, sample.account("wx-sx"))
    # then
    assert image_placeholders(rendition.html) == [body_image.pk]
    assert f'src="cms-image://{body_image.pk}"' in rendition.html
    assert rendition.meta["image_urls"] == {body_image.pk: body_image.get_rendition(WECHAT_BODY_SPEC).full_url}
    swapped = swap_images(rendition.html, {str(body_image.pk): "http://mmbiz.qpic.cn/mmbiz_jpg/abc/0?a=1&b=2"})
    assert 'src="http://mmbiz.qpic.cn/mmbiz_jpg/abc/0?a=1&amp;b=2"' in swapped
    assert "cms-image://" not in swapped
    with pytest.raises(MissingImageError) as missing:
        swap_images(rendition.html, {})
    assert missing.value.image_ids == [body_image.pk]


def test_wechat_fields_carry_the_draft_add_values(sample):
    # given: the province's web site carries the article ("阅读原文")
    article = sample.article("ART00002")
    sample.account("web-sx")
    # when
    rendition = render(article, sample.account("wx-sx"))
    # then
    meta = rendition.meta
    assert (meta["title"], meta["author"], meta["digest"]) == (article.title, article.author, article.digest)
    assert meta["content_source_url"] == "https://www.example-operator.cn/sx/articles/ART00002"
    assert meta["cover_image_id"] == article.cover_image_id
    assert meta["pic_crop_235_1"] == "0_0_1_1"
    x1, y1, x2, y2 = map(float, meta["pic_crop_1_1"].split("_"))
    assert (y1, y2) == (0.0, 1.0) and x1 + x2 == pytest.approx(1.0)


def test_wechat_external_links_are_removed_with_a_warning_and_wechat_links_kept(sample):
    # given
    article = sample.article("ART00002")
    article.body = (
        '<p><a href="https://evil.example.com/x">外链</a> '
        '<a href="https://mp.weixin.qq.com/s/abcdef">往期文章</a></p>'
    )
    # when
    rendition = render(article, sample.account("wx-sx"))
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
    article = sample.article("ART00002")
    setattr(article, field, value)
    accounts = [sample.account("wx-sx"), sample.account("web-sx"), sample.account("mp-sx")]
    # when
    wechat, web, miniprogram = render_all(article, accounts)
    # then
    assert [w.code for w in wechat.warnings if w.blocking] == [code]
    assert not web.blocking and not miniprogram.blocking


def test_wechat_titles_at_the_documented_length_pass(sample):
    # given
    article = sample.article("ART00002")
    article.title, article.author = "标" * 32, "作" * 16
    # when
    rendition = render(article, sample.account("wx-sx"))
    # then
    assert not rendition.blocking


def test_wechat_digest_over_128_characters_is_cut_with_a_warning(sample):
    # given
    article = sample.article("ART00002")
    article.digest = "摘" * 200
    # when
    rendition = render(article, sample.account("wx-sx"))
    # then
    assert len(rendition.meta["digest"]) == 128 and rendition.meta["digest"].endswith("…")
    assert any(w.code == "digest_cut" and not w.blocking for w in rendition.warnings)


def test_wechat_body_of_20000_characters_or_more_blocks(sample):
    # given
    article = sample.article("ART00002")
    article.body = "<p>" + "很长的正文" * 4200 + "</p>"
    # when
    rendition = render(article, sample.account("wx-sx"))
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
    # given: the dirty export's article whose cover image does not exist
    article = sample.article("ARTBAD1")
    accounts = [sample.account("wx-sx-01"), sample.account("mp-sx"), sample.account("sms-10086")]
    # when
    wechat, miniprogram, sms = render_all(article, accounts)
    # then
    blocking = [w for w in wechat.warnings if w.blocking]
    assert [w.code for w in blocking] == ["cover_missing"]
    assert (blocking[0].item, blocking[0].channel, blocking[0].account) == ("ARTBAD1", "wechat_official_account", "wx-sx-01")
    assert "ARTBAD1" in str(blocking[0]) and "微信公众号" in str(blocking[0]) and "封面" in str(blocking[0])
    assert not miniprogram.blocking and not sms.blocking
    assert "<script" not in wechat.html and "onclick" not in wechat.html and "steal" not in wechat.html


def test_wechat_cover_is_a_900x383_rendition_and_the_thumb_is_square(sample):
    # given
    article = sample.article("ART00002")
    article.cover_image = _big_image(sample, "BIG1", (1600, 1000))
    article.save()
    # when
    cover = wechat_cover(article)
    rendition = render(article, sample.account("wx-sx"))
    # then
    assert (cover.width, cover.height, cover.filter_spec) == (900, 383, WECHAT_COVER_SPEC)
    thumb = article.cover_image.get_rendition(WECHAT_THUMB_SPEC)
    assert thumb.width == thumb.height == 383
    assert rendition.cover == {WECHAT_COVER_SPEC: cover.full_url, WECHAT_THUMB_SPEC: thumb.full_url}
    assert not any(w.code == "cover_low_resolution" for w in rendition.warnings)


def test_small_cover_source_warns_without_blocking(sample):
    # given: the sample's stand-in images are far smaller than 900x383
    article = sample.article("ART00002")
    # when
    rendition = render(article, sample.account("wx-sx"))
    # then
    warning = next(w for w in rendition.warnings if w.code == "cover_low_resolution")
    assert not warning.blocking


def test_wechat_cover_of_an_item_without_cover_is_none(sample):
    assert wechat_cover(sample.package("PKG0001")) is None


def test_legacy_inline_image_references_are_resolved_by_code(sample):
    # given: an image inside text, still a legacy <img data-image="..."> reference
    article = sample.article("ART00002")
    image = sample.image("IMG0015")
    image.get_renditions("width-1080|format-jpeg|jpegquality-85")
    article.body = '<p>见图<img data-image="IMG0015" alt="示意">所示</p><embed embedtype="image" id="%d"/>' % image.pk
    # when
    rendition = render(article, sample.account("wx-sx"))
    # then
    assert image_placeholders(rendition.html) == [image.pk]
    assert '<p style="margin:0 0 16px 0">见图<img src="cms-image://%d"' % image.pk in rendition.html
