"""Web business hall: clean semantic HTML, sanitized, responsive images (srcset
from Wagtail renditions) and absolute URLs on the account's base URL."""

import nh3

from . import links, markup
from .images import WEB_SPECS
from .markup import attrs, text
from .rendition import ARTICLE, WEB, Rendition
from .tree import VOID_TAGS

RENAME = {"b": "strong", "i": "em", "h1": "h2", "h5": "h4", "h6": "h4", "div": "section"}
BODY_TAGS = {
    "p", "br", "h2", "h3", "h4", "strong", "em", "u", "s", "ol", "ul", "li", "blockquote", "hr", "span",
    "table", "thead", "tbody", "tr", "th", "td", "section", "figure", "figcaption",
}
ALLOWED_TAGS = BODY_TAGS | {"article", "header", "h1", "aside", "a", "img", "dl", "dt", "dd", "div"}
ALLOWED_ATTRIBUTES = {
    "*": {"class"},
    "article": {"lang"},
    "a": {"href", "title"},
    "img": {"src", "srcset", "sizes", "width", "height", "alt", "loading", "decoding"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
}
URL_SCHEMES = {"http", "https", "mailto", "tel"}
SIZES = "(max-width: 800px) 100vw, 800px"


def render_web(ctx, account):
    source = ctx.source
    rendition = Rendition(WEB, source.kind, source.code, title=source.title, account=account.code)
    base_url = links.base_url_of(account)
    if not base_url:
        rendition.warn("no_base_url", f"渠道账号 {account.code} 未配置站点地址,无法生成绝对链接", blocking=True)
    writer = _Writer(ctx, rendition, base_url)
    out = [f'<article class="cms-{source.kind}" lang="zh-CN"><header><h1>{text(source.title)}</h1>']
    if source.kind == ARTICLE:
        if source.author:
            out.append(f'<p class="cms-byline">{text(source.author)}</p>')
        if source.digest:
            out.append(f'<p class="cms-summary">{text(source.digest)}</p>')
    elif source.cards and source.cards[0].family:
        out.append(f'<p class="cms-family">{text(source.cards[0].family)}</p>')
    out.append("</header>")
    if source.cover_id is not None:
        writer.cover(out)
    if source.kind == ARTICLE:
        out.append('<section class="cms-body">')
        writer.nodes(source.body, out, "section")
        out.append("</section>")
        if source.cards_on(WEB):
            out.append('<aside class="cms-cards"><h2>相关套餐</h2>')
            for card in source.cards_on(WEB):
                _card(card, ctx, out, account if base_url else None, "h3")
            out.append("</aside>")
    else:
        for card in source.cards:
            _card(card, ctx, out, None, "h2")
        if source.body:
            out.append('<section class="cms-body">')
            writer.nodes(source.body, out, "section")
            out.append("</section>")
    out.append("</article>")
    rendition.html = nh3.clean(
        "".join(out),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    rendition.images = writer.image_ids
    # The cards as data too, for a front end that lays them out itself (pushes carry them).
    rendition.meta = {
        "url": links.web_url_on(account, source.kind, source.code),
        "cards": [card.as_data() for card in source.cards],
    }
    return rendition


class _Writer:
    def __init__(self, ctx, rendition, base_url):
        self.ctx = ctx
        self.rendition = rendition
        self.base_url = base_url
        self.image_ids = []

    def _srcset_img(self, image, alt, loading):
        renditions = self.ctx.images.renditions(image, WEB_SPECS)
        if renditions is None:
            return None
        by_width = {}
        for r in renditions.values():
            by_width.setdefault(r.width, r)
        srcset = ", ".join(f"{r.full_url} {width}w" for width, r in sorted(by_width.items()))
        src = renditions[WEB_SPECS[1]]
        if image.pk not in self.image_ids:
            self.image_ids.append(image.pk)
        return "<img" + attrs(
            ("src", src.full_url), ("srcset", srcset), ("sizes", SIZES), ("width", src.width),
            ("height", src.height), ("alt", alt), ("loading", loading), ("decoding", "async"),
        ) + ">"

    def cover(self, out):
        image = self.ctx.images.get(image_id=self.ctx.source.cover_id)
        if image is None:
            self.rendition.warn("cover_missing", "封面图已不存在", blocking=False)
            return
        tag = self._srcset_img(image, image.default_alt_text, "eager")
        if tag is None:
            self.rendition.warn("cover_unreadable", f"封面图 {image.code or image.pk} 的原图文件无法读取")
            return
        out.append(f'<figure class="cms-cover">{tag}</figure>')
        self.rendition.cover = {spec: r.full_url for spec, r in self.ctx.images.renditions(image, WEB_SPECS).items()}

    def nodes(self, nodes, out, parent):
        for node in nodes:
            if isinstance(node, str):
                out.append(text(node))
                continue
            tag = RENAME.get(node.tag, node.tag)
            if tag in ("embed", "img"):
                self.image(node, out, parent)
            elif tag == "a":
                self.link(node, out, parent)
            elif tag in BODY_TAGS:
                cell = markup.cell_attrs(node) if tag in ("td", "th") else ""
                out.append(f"<{tag}{cell}>")
                if tag not in VOID_TAGS:
                    self.nodes(node.children, out, tag)
                    out.append(f"</{tag}>")
            else:
                self.nodes(node.children, out, parent)

    def link(self, node, out, parent):
        href = None if node.attrs.get("linktype") else markup.absolute_link(node.attrs.get("href"), self.base_url)
        if href is None:
            self.nodes(node.children, out, parent)
            return
        out.append(f"<a{attrs(('href', href), ('title', node.attrs.get('title')))}>")
        self.nodes(node.children, out, "a")
        out.append("</a>")

    def image(self, node, out, parent):
        image, is_library = markup.image_of(node, self.ctx.images)
        if is_library and image is None:
            self.rendition.warn("image_missing", f"正文图片 {markup.image_label(node)} 已不存在,已从网页中省略")
            return
        if image is not None:
            tag = self._srcset_img(image, markup.alt_of(node, image), "lazy")
            if tag is None:
                self.rendition.warn("image_unreadable", f"正文图片 {image.code or image.pk} 的原图文件无法读取,已从网页中省略")
                return
        else:
            src = markup.absolute_link(node.attrs.get("src"), self.base_url)
            if not src or not src.startswith(("http://", "https://")):
                return
            tag = "<img" + attrs(("src", src), ("alt", node.attrs.get("alt", "")), ("loading", "lazy")) + ">"
        if parent in markup.INLINE_PARENTS or parent == "figure":
            out.append(tag)
        else:
            out.append(f"<figure>{tag}</figure>")


def _card(card, ctx, out, link_account, heading):
    out.append(f'<section class="cms-card cms-card-{card.kind}">')
    out.append(f'<{heading} class="cms-card-name">{text(card.name)}</{heading}>')
    out.append(f'<p class="cms-card-fee"><strong>{text(card.fee_text)}</strong></p>')
    allowances = card.allowances()
    if allowances:
        out.append('<dl class="cms-card-allowances">')
        for label, value in allowances:
            out.append(f"<div><dt>{text(label)}</dt><dd>{text(value)}</dd></div>")
        out.append("</dl>")
    if card.highlights:
        out.append('<ul class="cms-card-highlights">')
        out.extend(f"<li>{text(h)}</li>" for h in card.highlights)
        out.append("</ul>")
    order = card.order_text(ctx.service_number)
    if order:
        out.append(f'<p class="cms-card-order">{text(order)}</p>')
    if card.valid_to:
        out.append(f'<p class="cms-card-validity">有效期至 {card.valid_to.isoformat()}</p>')
    url = links.web_url_on(link_account, card.kind, card.code) if link_account else None
    if url:
        out.append(f'<p class="cms-card-more"><a{attrs(("href", url))}>查看详情</a></p>')
    out.append("</section>")
