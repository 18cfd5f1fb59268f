"""Property tests: whatever hostile HTML a body holds, no tag, attribute, style or
URL a channel does not allow survives its rendition."""

from urllib.parse import urlsplit

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from content.models import Article, ChannelAccount
from renditions import web, wechat
from renditions.miniprogram import STYLE_PROPERTIES as MINIPROGRAM_STYLE_PROPERTIES
from renditions.miniprogram import TRUSTED
from renditions.services import render_all
from tests.support.nodes import validate_nodes
from tests.support.trees import elements, style_properties, walk

TAGS = [
    "script", "iframe", "form", "input", "button", "textarea", "select", "style", "link", "meta", "base", "object",
    "embed", "svg", "math", "template", "noscript", "video", "audio", "frameset", "marquee", "a", "img", "p", "div",
    "span", "table", "tr", "td", "h1", "h2", "h5", "section", "figure", "figcaption", "ul", "li", "blockquote", "b",
    "i", "font", "center", "xmp", "plaintext", "title", "body", "html", "image", "details",
]
ATTRIBUTES = [
    ("onclick", "steal()"), ("onerror", "alert(1)"), ("onload", "x()"), ("class", "evil"), ("id", "main"),
    ("style", "position:fixed;top:0;background:url(javascript:alert(1))"), ("style", "color:red;expression(alert(1))"),
    ("href", "javascript:alert(1)"), ("href", "JaVaScRiPt:alert(1)"), ("href", " javascript:alert(1)"),
    ("href", "data:text/html;base64,PHNjcmlwdD4="), ("href", "vbscript:x"), ("href", "https://evil.example.com/"),
    ("href", "/relative/path"), ("href", "https://mp.weixin.qq.com/s/ok"), ("src", "javascript:alert(1)"),
    ("src", "http://evil.example.com/x.png"), ("src", "https://evil.example.com/x.png"), ("src", "data:image/png;base64,AA"),
    ("srcset", "javascript:alert(1) 1x"), ("formaction", "javascript:x"), ("data-x", "1"), ("embedtype", "image"),
    ("id", "999999"), ("data-image", "IMG9999"), ("linktype", "page"), ("width", "99999"), ("colspan", "2"),
    ("colspan", "x"), ("xmlns", "http://www.w3.org/2000/svg"), ("lang", "en"), ("dir", "rtl"), ("alt", '"><script>'),
]
TEXTS = ["hi", "<", ">", "&", "&amp;", "&lt;script&gt;", "\"'", "中文", "😊", "javascript:alert(1)", "<!--", "-->", "]]>"]

attribute = st.sampled_from(ATTRIBUTES)
text = st.sampled_from(TEXTS) | st.text(max_size=8)


def _element(children):
    def build(tag, attrs, inner, close):
        rendered = "".join(f' {name}="{value}"' for name, value in attrs)
        return f"<{tag}{rendered}>{''.join(inner)}" + (f"</{tag}>" if close else "")

    return st.builds(build, st.sampled_from(TAGS), st.lists(attribute, max_size=4), st.lists(children, max_size=4), st.booleans())


BROKEN = ["<!-- x -->", "<![CDATA[x]]>", "<p", "</div>", "<img src=x onerror=alert(1)//"]
hostile_html = st.recursive(text | st.sampled_from(BROKEN), _element, max_leaves=25)


def _accounts():
    return [
        ChannelAccount(code="web-x", type="web", base_url="https://www.example-operator.cn/sx/"),
        ChannelAccount(code="wx-x", type="wechat_official_account"),
        ChannelAccount(code="mp-x", type="wechat_miniprogram"),
        ChannelAccount(code="sms-x", type="sms", signature="【中国移动】"),
    ]


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(body=st.lists(hostile_html, min_size=1, max_size=5).map("".join))
def test_no_disallowed_tag_attribute_style_or_url_survives_any_channel(db, settings, body):
    settings.WAGTAILADMIN_BASE_URL = "https://cms.example.cn"
    # given: an article whose body is hostile (unsaved: no related packages, no images)
    article = Article(code="ARTX", title="标题", author="作者", body=body, channels=[])
    # when
    web_r, wechat_r, miniprogram_r, sms_r = render_all(article, _accounts())
    # then: web
    for tag, attrs in elements(web_r.html):
        assert tag in web.ALLOWED_TAGS, tag
        assert set(attrs) <= web.ALLOWED_ATTRIBUTES["*"] | web.ALLOWED_ATTRIBUTES.get(tag, set()) | {"rel"}, (tag, attrs)
        for name in ("href", "src"):
            if name in attrs:
                assert urlsplit(attrs[name]).scheme in web.URL_SCHEMES, attrs
        assert not any("javascript:" in (v or "").lower() for v in attrs.values())
    # then: WeChat
    for tag, attrs in elements(wechat_r.html):
        assert tag in wechat.ALLOWED_TAGS, tag
        assert set(attrs) <= wechat.ALLOWED_ATTRIBUTES["*"] | wechat.ALLOWED_ATTRIBUTES.get(tag, set()), (tag, attrs)
        assert style_properties(attrs.get("style")) <= wechat.STYLE_PROPERTIES
        if tag == "img":
            assert attrs["src"].startswith("cms-image://")  # every image is one the publisher uploads
        if tag == "a":
            assert attrs["href"].startswith("https://mp.weixin.qq.com/")
    # then: mini-program
    validate_nodes(miniprogram_r.nodes)
    for node in walk(miniprogram_r.nodes):
        if node.get("type") == "text":
            assert "<" not in node["text"]
            continue
        assert node["name"] in TRUSTED
        assert style_properties(node["attrs"].get("style")) <= MINIPROGRAM_STYLE_PROPERTIES
        if node["name"] == "img":
            assert node["attrs"]["src"].startswith("https://")
    # then: SMS is the words of the body, after the signature and title
    assert sms_r.text.startswith("【中国移动】标题")
