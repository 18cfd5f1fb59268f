"""Mini-program renditions: the rich-text component's nodes, https images at the
mini-program width, package cards as structured data."""

import jsonschema
import pytest

from renditions.images import MINIPROGRAM_SPEC
from renditions.miniprogram import NODES_SCHEMA, TRUSTED, nodes_to_html
from renditions.services import render
from tests.support.nodes import validate_nodes
from tests.support.trees import walk

from .records import (
    account,
    allowances,
    body_links,
    every_channel_article,
    first_copy,
    inline_images,
    rows,
)


@pytest.fixture
def https_media(settings):
    settings.WAGTAILADMIN_BASE_URL = "https://cms.example.cn"


def test_nodes_of_every_sample_article_validate_against_the_component_shape(sample, https_media):
    # given
    miniprogram = account(sample, "wechat_miniprogram")
    codes = [code for code, row in sample.rows["articles"].items() if "wechat_miniprogram" in row["channels"]][:8]
    assert len(codes) == 8
    for code in codes:
        # when
        rendition = render(sample.article(code), miniprogram)
        # then
        validate_nodes(rendition.nodes)
        assert rendition.nodes, code
        assert not rendition.blocking, (code, rendition.warnings)


def test_the_schema_refuses_what_the_component_does_not_take():
    for bad in (
        [{"name": "script", "children": [{"type": "text", "text": "x"}]}],
        [{"name": "p", "attrs": {"id": "x"}}],
        [{"name": "img", "attrs": {"onerror": "x"}}],
        [{"type": "text"}],
        {"name": "p"},
    ):
        with pytest.raises(jsonschema.ValidationError):
            validate_nodes(bad)


def test_miniprogram_images_are_https_renditions_at_the_miniprogram_width(sample, https_media):
    # given: an article whose body shows images
    row = every_channel_article(sample)
    article = sample.article(row["code"])
    body_images = [sample.image(code) for code in inline_images(row)]
    # when
    rendition = render(article, account(sample, "wechat_miniprogram"))
    # then: each body image, in order, at the mini-program width
    images = [n for n in walk(rendition.nodes) if n.get("name") == "img"]
    expected = [image.get_rendition(MINIPROGRAM_SPEC) for image in body_images]
    assert [img["attrs"]["src"] for img in images] == ["https://cms.example.cn" + r.url for r in expected]
    assert all("width-750" in img["attrs"]["src"] for img in images)
    assert rendition.cover == {MINIPROGRAM_SPEC: "https://cms.example.cn" + article.cover_image.get_rendition(MINIPROGRAM_SPEC).url}
    assert not any(w.code == "images_not_https" for w in rendition.warnings)


def test_miniprogram_warns_when_images_are_not_served_over_https(sample, settings):
    # given
    settings.WAGTAILADMIN_BASE_URL = "http://localhost:8000"
    # when
    rendition = render(sample.article(every_channel_article(sample)["code"]), account(sample, "wechat_miniprogram"))
    # then
    warning = next(w for w in rendition.warnings if w.code == "images_not_https")
    assert not warning.blocking


def test_miniprogram_lists_links_and_carries_package_cards_as_data(sample, https_media):
    # given: an article with links in its body and related packages
    row = every_channel_article(sample)
    links = body_links(row)
    assert links
    article = sample.article(row["code"])
    # when
    rendition = render(article, account(sample, "wechat_miniprogram"))
    # then
    assert rendition.meta["links"] == [{"text": text, "href": href} for text, href in links]
    assert all("href" not in n.get("attrs", {}) for n in walk(rendition.nodes))
    cards = rendition.meta["cards"]
    assert [card["code"] for card in cards] == row["related_packages"]
    for card in cards:
        package = sample.rows["packages"][card["code"]]
        assert card["monthly_fee"] == package["monthly_fee"] and card["order_command"] == package["order_command"]
        for label, value in allowances(package):
            assert {"label": label, "value": value} in card["allowances"]


def test_package_on_the_miniprogram_is_structured_card_plus_description_nodes(sample, https_media):
    # given: the first package (its first copy: the dirty export repeats the code)
    row = first_copy(sample, "packages", rows(sample, "packages")[0]["code"])
    package = sample.package(row["code"])
    # when
    rendition = render(package, account(sample, "wechat_miniprogram"))
    # then
    validate_nodes(rendition.nodes)
    assert rendition.nodes
    assert rendition.meta["cards"][0]["name"] == row["name"]
    assert rendition.meta["cards"][0]["highlights"] == row["highlights"]


def test_text_nodes_escape_entities_so_the_reader_sees_the_text_as_written(sample, https_media):
    # given
    article = sample.article(every_channel_article(sample)["code"])
    article.body = "<p>AT&amp;T &lt;script&gt; 100%</p>"
    # when
    rendition = render(article, account(sample, "wechat_miniprogram"))
    # then
    (paragraph,) = rendition.nodes
    assert paragraph["children"] == [{"type": "text", "text": "AT&amp;T &lt;script&gt; 100%"}]
    assert "&lt;script&gt;" in nodes_to_html(rendition.nodes)


def test_every_trusted_tag_has_a_schema_entry():
    element = NODES_SCHEMA["$defs"]["element"]
    assert set(element["properties"]["name"]["enum"]) == set(TRUSTED)
    assert {rule["if"]["properties"]["name"]["const"] for rule in element["allOf"]} == set(TRUSTED)
