"""Mini-program renditions: the rich-text component's nodes, https images at the
mini-program width, package cards as structured data."""

import jsonschema
import pytest

from renditions.services import render
from renditions.images import MINIPROGRAM_SPEC
from renditions.miniprogram import NODES_SCHEMA, TRUSTED, nodes_to_html
from tests.support.trees import walk


@pytest.fixture
def https_media(settings):
    settings.WAGTAILADMIN_BASE_URL = "https://cms.example.cn"


def test_nodes_of_every_sample_article_validate_against_the_component_shape(sample, https_media):
    # given
    miniprogram = sample.account("mp-sx")
    codes = [code for code, row in sample.rows["articles"].items() if "wechat_miniprogram" in row["channels"]][:8]
    for code in codes:
        # when
        rendition = render(sample.article(code), miniprogram)
        # then
        jsonschema.validate(rendition.nodes, NODES_SCHEMA)
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
            jsonschema.validate(bad, NODES_SCHEMA)


def test_miniprogram_images_are_https_renditions_at_the_miniprogram_width(sample, https_media):
    # given
    article = sample.article("ART00002")
    body_image = sample.image("IMG0015")
    # when
    rendition = render(article, sample.account("mp-sx"))
    # then
    images = [n for n in walk(rendition.nodes) if n.get("name") == "img"]
    expected = body_image.get_rendition(MINIPROGRAM_SPEC)
    assert [img["attrs"]["src"] for img in images] == ["https://cms.example.cn" + expected.url]
    assert "width-750" in images[0]["attrs"]["src"]
    assert rendition.cover == {MINIPROGRAM_SPEC: "https://cms.example.cn" + article.cover_image.get_rendition(MINIPROGRAM_SPEC).url}
    assert not any(w.code == "images_not_https" for w in rendition.warnings)


def test_miniprogram_warns_when_images_are_not_served_over_https(sample, settings):
    # given
    settings.WAGTAILADMIN_BASE_URL = "http://localhost:8000"
    # when
    rendition = render(sample.article("ART00002"), sample.account("mp-sx"))
    # then
    warning = next(w for w in rendition.warnings if w.code == "images_not_https")
    assert not warning.blocking


def test_miniprogram_lists_links_and_carries_package_cards_as_data(sample, https_media):
    # given
    article = sample.article("ART00002")
    # when
    rendition = render(article, sample.account("mp-sx"))
    # then
    assert rendition.meta["links"] == [{"text": "点此了解", "href": "https://www.example-operator.cn/p/PKG0017"}]
    assert all("href" not in n.get("attrs", {}) for n in walk(rendition.nodes))
    (card,) = rendition.meta["cards"]
    assert card["code"] == "PKG0017" and card["monthly_fee"] == "198.00" and card["order_command"] == "KTTC0017"
    assert {"label": "流量", "value": "39GB"} in card["allowances"]


def test_package_on_the_miniprogram_is_structured_card_plus_description_nodes(sample, https_media):
    # given
    package = sample.package("PKG0001")
    # when
    rendition = render(package, sample.account("mp-sx"))
    # then
    jsonschema.validate(rendition.nodes, NODES_SCHEMA)
    assert rendition.meta["cards"][0]["name"] == "5G智享套餐128元"
    assert rendition.meta["cards"][0]["highlights"] == ["宽带免费提速", "全国通用流量", "副卡共享"]


def test_text_nodes_escape_entities_so_the_reader_sees_the_text_as_written(sample, https_media):
    # given
    article = sample.article("ART00002")
    article.body = "<p>AT&amp;T &lt;script&gt; 100%</p>"
    # when
    rendition = render(article, sample.account("mp-sx"))
    # then
    (paragraph,) = rendition.nodes
    assert paragraph["children"] == [{"type": "text", "text": "AT&amp;T &lt;script&gt; 100%"}]
    assert "&lt;script&gt;" in nodes_to_html(rendition.nodes)


def test_every_trusted_tag_has_a_schema_entry():
    element = NODES_SCHEMA["$defs"]["element"]
    assert set(element["properties"]["name"]["enum"]) == set(TRUSTED)
    assert {rule["if"]["properties"]["name"]["const"] for rule in element["allOf"]} == set(TRUSTED)
