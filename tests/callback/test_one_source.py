"""The cover and the link of a keyword reply are the renditions app's: one
definition, so a reply never shows a picture or a link the channels do not."""

import ast
from pathlib import Path

import xmltodict

from content.models import ChannelAccount
from renditions import links
from renditions.context import RenderContext
from renditions.images import WECHAT_COVER_SPEC
from renditions.services import render
from renditions.web import render_web
from tests.support.factories import ArticleFactory
from tests.support.images import make_image
from tests.support.source import parse

from .conftest import text_xml

CALLBACK = Path(__file__).resolve().parents[2] / "callback"


def _reply_item(wechat, keyword):
    return xmltodict.parse(wechat.reply(wechat.post(text_xml(keyword), "safe"), "safe"))["xml"]["Articles"]["item"]


def shared_article(matrix, code, **fields):
    """A published province article shared down to the account's branch."""
    return ArticleFactory(code=code, organisation=matrix["province"], shared_to=[matrix["branch1"]],
                          channels=[], published=True, **{"title": code, **fields})


def _web(code, organisation, base_url):
    return ChannelAccount.objects.create(code=code, name=code, type="web", organisation=organisation, base_url=base_url)


def test_keyword_reply_link_is_the_web_rendition_url_of_the_article(account, wechat, rule, matrix):
    # given: one web hall, at the province, carrying a province article shared to the branch
    web = _web("web-sx", matrix["province"], "https://wap.sx.example.cn/")
    article = shared_article(matrix, "ART-LINK", title="链接")
    rule(keyword="链接", reply_type="article", reply_article=article, reply_text="")
    # when
    item = _reply_item(wechat, "链接")
    # then: the same URL the web rendition and every other renderer use
    assert item["Url"] == render_web(RenderContext(article, [web]), web).meta["url"]
    assert item["Url"] == RenderContext(article).web_url == links.web_url_of(article)


def test_keyword_reply_links_to_the_web_hall_nearest_the_account(account, wechat, rule, matrix):
    # given: the article reaches the province's and the branch's web halls
    _web("web-a-sx", matrix["province"], "https://wap.sx.example.cn/")
    branch_web = _web("web-b-sx01", matrix["branch1"], "https://xa.sx.example.cn/")
    article = shared_article(matrix, "ART-NEAR", title="就近")
    rule(keyword="就近", reply_type="article", reply_article=article, reply_text="")
    # when
    item = _reply_item(wechat, "就近")
    # then: the branch hall (the account's own organisation), as its web rendition says
    assert item["Url"] == render_web(RenderContext(article, [branch_web]), branch_web).meta["url"]
    assert item["Url"].startswith("https://xa.sx.example.cn/")


def test_keyword_reply_cover_is_the_wechat_cover_rendition(account, wechat, rule, matrix):
    # given: a published article with a cover
    article = shared_article(matrix, "ART-COVER", title="封面", cover_image=make_image(matrix["province"]))
    rule(keyword="封面", reply_type="article", reply_article=article, reply_text="")
    # when
    item = _reply_item(wechat, "封面")
    # then: the very rendition the WeChat renderer uploads as thumb_media_id
    wechat_rendition = render(article, account)
    assert wechat_rendition.meta["thumb_spec"] == WECHAT_COVER_SPEC
    assert item["PicUrl"] == wechat_rendition.cover[WECHAT_COVER_SPEC]


def test_callback_defines_no_cover_spec_or_web_path_of_its_own():
    # A second copy of the rule would show up as a filter spec or a URL pattern here.
    for path in CALLBACK.rglob("*.py"):
        for node in ast.walk(parse(path.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                assert "fill-" not in node.value and "articles/" not in node.value, (path, node.value)
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [alias.name for alias in node.names]
                assert "urljoin" not in names, f"{path} builds URLs itself; use renditions.links"
