"""WeChat official account article (draft/add): HTML in the subset the WeChat
editor keeps, images as placeholders the publisher swaps for uploaded URLs,
and the field lengths WeChat documents.

WeChat's documented limits (draft/add, media/uploadimg):
- title at most 32 characters, author at most 16, digest at most 128;
- content fewer than 20,000 characters and under 1 MB, scripts removed, image
  URLs only from uploadimg (external images are filtered out);
- content_source_url ("阅读原文") at most 1 KB;
- links in content only to WeChat articles (mp.weixin.qq.com);
- thumb_media_id a permanent image; pic_crop_235_1 / pic_crop_1_1 crop it.
The editor keeps inline ``style`` only: no class, id, script, iframe, form or
style sheets."""

import re
from html import escape
from urllib.parse import urlsplit

import nh3

from wechat import limits

from . import markup
from .images import WECHAT_BODY_SPEC, WECHAT_COVER_SIZE, WECHAT_COVER_SPEC, WECHAT_THUMB_SPEC
from .markup import attrs, text
from .rendition import ARTICLE, WECHAT, Rendition
from .tree import VOID_TAGS

# WeChat's numbers live in wechat.limits (the client and emulator enforce them).
TITLE_MAX = limits.TITLE_MAX_CHARS
AUTHOR_MAX = limits.AUTHOR_MAX_CHARS
DIGEST_MAX = limits.DIGEST_MAX_CHARS
CONTENT_MAX_CHARS = limits.CONTENT_MAX_CHARS  # content must be fewer than this many characters
CONTENT_MAX_BYTES = limits.CONTENT_MAX_BYTES  # and under 1 MB
SOURCE_URL_MAX_BYTES = 1024
# Room a swapped-in WeChat image URL (http://mmbiz.qpic.cn/...) takes in the content.
IMAGE_URL_ALLOWANCE = 200
LINK_HOSTS = {"mp.weixin.qq.com"}

PLACEHOLDER_SCHEME = "cms-image"
PLACEHOLDER_RE = re.compile(r"cms-image://(\d+)")

ALLOWED_TAGS = {
    "section", "p", "span", "strong", "em", "u", "a", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li",
    "blockquote", "pre", "code", "table", "thead", "tbody", "tr", "th", "td", "br", "img", "hr",
}
ALLOWED_ATTRIBUTES = {
    "*": {"style"},
    "a": {"href"},
    "img": {"src", "alt"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
}
STYLE_PROPERTIES = {
    "color", "font-size", "font-weight", "font-style", "line-height", "letter-spacing", "text-align",
    "text-decoration", "text-indent", "background-color", "border", "border-top", "border-bottom", "border-left",
    "border-right", "border-radius", "border-collapse", "margin", "margin-top", "margin-bottom", "margin-left",
    "margin-right", "padding", "padding-top", "padding-bottom", "padding-left", "padding-right", "width",
    "max-width", "height", "display", "vertical-align", "list-style-type", "word-break",
}

STYLES = {
    "root": "font-size:16px;line-height:1.75;color:#333333;letter-spacing:0.5px;word-break:break-all;",
    "p": "margin:0 0 16px 0;",
    "h2": "margin:24px 0 12px 0;font-size:20px;font-weight:bold;color:#111111;",
    "h3": "margin:20px 0 10px 0;font-size:18px;font-weight:bold;color:#111111;",
    "h4": "margin:16px 0 8px 0;font-size:16px;font-weight:bold;color:#111111;",
    "blockquote": "margin:16px 0;padding:8px 12px;border-left:3px solid #0085d0;background-color:#f5f7fa;color:#555555;",
    "ul": "margin:0 0 16px 0;padding-left:24px;list-style-type:disc;",
    "ol": "margin:0 0 16px 0;padding-left:24px;list-style-type:decimal;",
    "li": "margin:4px 0;",
    "hr": "border:0;border-top:1px solid #e5e5e5;margin:24px 0;",
    "table": "width:100%;border-collapse:collapse;margin:0 0 16px 0;",
    "th": "border:1px solid #dddddd;padding:6px 8px;background-color:#f5f7fa;font-weight:bold;",
    "td": "border:1px solid #dddddd;padding:6px 8px;",
    "s": "text-decoration:line-through;",
    "figure": "margin:0 0 16px 0;text-align:center;",
    "figcaption": "margin:4px 0 16px 0;font-size:13px;color:#888888;text-align:center;",
    "img": "display:block;max-width:100%;height:auto;margin:0 auto;",
    "card": "margin:16px 0;padding:12px 16px;border:1px solid #d6e4f0;border-radius:8px;background-color:#f7fbff;",
    "card_name": "margin:0 0 4px 0;font-size:17px;font-weight:bold;color:#111111;",
    "card_fee": "margin:0 0 8px 0;font-size:20px;font-weight:bold;color:#e4393c;",
    "card_line": "margin:0 0 4px 0;font-size:14px;color:#555555;",
}
# Stored tag -> (WeChat tag, style key).
TAGS = {
    "p": ("p", "p"), "h1": ("h2", "h2"), "h2": ("h2", "h2"), "h3": ("h3", "h3"), "h4": ("h4", "h4"),
    "h5": ("h4", "h4"), "h6": ("h4", "h4"), "strong": ("strong", None), "b": ("strong", None),
    "em": ("em", None), "i": ("em", None), "u": ("u", None), "s": ("span", "s"), "span": ("span", None),
    "ul": ("ul", "ul"), "ol": ("ol", "ol"), "li": ("li", "li"), "blockquote": ("blockquote", "blockquote"),
    "hr": ("hr", "hr"), "br": ("br", None), "table": ("table", "table"), "thead": ("thead", None),
    "tbody": ("tbody", None), "tr": ("tr", None), "th": ("th", "th"), "td": ("td", "td"),
    "section": ("section", None), "div": ("section", None), "figure": ("section", "figure"),
    "figcaption": ("p", "figcaption"),
}


class MissingImageError(ValueError):
    def __init__(self, image_ids):
        self.image_ids = image_ids
        super().__init__(f"no WeChat URL for image(s) {', '.join(map(str, image_ids))}")


def placeholder(image_id):
    return f"{PLACEHOLDER_SCHEME}://{image_id}"


def image_placeholders(html):
    """Ids of the images whose placeholders the content holds, in order."""
    return list(dict.fromkeys(int(i) for i in PLACEHOLDER_RE.findall(html)))


def swap_images(html, urls):
    """Replace every ``cms-image://<id>`` with the WeChat URL of that image (from
    uploadimg). Raises MissingImageError naming images without a URL."""
    urls = {int(k): v for k, v in urls.items()}
    missing = [i for i in image_placeholders(html) if i not in urls]
    if missing:
        raise MissingImageError(missing)
    return PLACEHOLDER_RE.sub(lambda m: escape(urls[int(m.group(1))], quote=True), html)


def content_size(html):
    """(characters, bytes) the content will take once its placeholders hold WeChat URLs."""
    placeholders = PLACEHOLDER_RE.findall(html)
    extra = sum(IMAGE_URL_ALLOWANCE - len(placeholder(i)) for i in placeholders)
    return len(html) + extra, len(html.encode("utf-8")) + extra


def render_wechat(ctx, account):
    source = ctx.source
    rendition = Rendition(WECHAT, source.kind, source.code, title=source.title, account=account.code)
    _check_fields(source, rendition)
    writer = _Writer(ctx, rendition)
    out = [f'<section style="{STYLES["root"]}">']
    if source.kind == ARTICLE:
        writer.nodes(source.body, out, "section")
        for card in source.cards_on(WECHAT):
            _card(card, ctx, out)
        if not source.body_text and not writer.image_ids:
            rendition.warn("body_empty", "正文为空,微信图文必须有正文", blocking=True)
    else:
        for card in source.cards:
            _card(card, ctx, out)
        writer.nodes(source.body, out, "section")
    out.append("</section>")
    writer.report_dropped()
    html = nh3.clean(
        "".join(out),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"https", "http", PLACEHOLDER_SCHEME},
        filter_style_properties=STYLE_PROPERTIES,
        link_rel=None,
        strip_comments=True,
    )
    rendition.html = html
    chars, size = content_size(html)
    if chars >= CONTENT_MAX_CHARS:
        rendition.warn("body_too_long", f"正文约 {chars} 字符(含标签与图片地址),微信要求少于 {CONTENT_MAX_CHARS} 字符", blocking=True)
    if size >= CONTENT_MAX_BYTES:
        rendition.warn("body_too_large", f"正文约 {size} 字节,微信要求小于 1MB", blocking=True)
    _cover(ctx, rendition)
    body_ids = list(writer.image_ids)
    rendition.images = list(dict.fromkeys(([source.cover_id] if rendition.cover else []) + body_ids))
    source_url = ctx.web_url or ""
    if len(source_url.encode("utf-8")) > SOURCE_URL_MAX_BYTES:
        rendition.warn("source_url_too_long", "原文链接超过 1KB,已不设置“阅读原文”")
        source_url = ""
    rendition.meta.update(
        {
            "title": source.title,
            "author": source.author,
            "digest": rendition.meta.get("digest", source.digest),
            "content_source_url": source_url,
            "need_open_comment": 0,
            "only_fans_can_comment": 0,
            "image_urls": writer.image_urls,
            "content_chars": chars,
            "content_bytes": size,
        }
    )
    return rendition


def _check_fields(source, rendition):
    if not source.title.strip():
        rendition.warn("title_missing", "缺少标题", blocking=True)
    if len(source.title) > TITLE_MAX:
        rendition.warn("title_too_long", f"标题 {len(source.title)} 个字,微信要求不超过 {TITLE_MAX} 个字", blocking=True)
    if len(source.author) > AUTHOR_MAX:
        rendition.warn("author_too_long", f"作者 {len(source.author)} 个字,微信要求不超过 {AUTHOR_MAX} 个字", blocking=True)
    digest = source.digest
    if len(digest) > DIGEST_MAX:
        rendition.warn("digest_cut", f"摘要 {len(digest)} 个字,超过微信的 {DIGEST_MAX} 个字,已截断")
        digest = digest[: DIGEST_MAX - 1] + "…"
    rendition.meta["digest"] = digest


def _cover(ctx, rendition):
    source = ctx.source
    image = ctx.images.get(image_id=source.cover_id) if source.cover_id is not None else None
    if image is None:
        rendition.warn("cover_missing", "缺少封面图,微信图文必须有封面(thumb_media_id)", blocking=True)
        return
    renditions = ctx.images.renditions(image, (WECHAT_COVER_SPEC, WECHAT_THUMB_SPEC))
    if renditions is None:
        rendition.warn("cover_unreadable", f"封面图 {image.code or image.pk} 的原图文件无法读取,无法上传封面", blocking=True)
        return
    rendition.cover = {spec: r.full_url for spec, r in renditions.items()}
    width, height = WECHAT_COVER_SIZE
    if image.width < width or image.height < height:
        rendition.warn(
            "cover_low_resolution", f"封面原图 {image.width}x{image.height} 像素,小于微信封面的 {width}x{height},显示会模糊"
        )
    cover = renditions[WECHAT_COVER_SPEC]
    side = min(cover.width, cover.height)
    x1 = (cover.width - side) / 2 / cover.width
    y1 = (cover.height - side) / 2 / cover.height
    rendition.meta.update(
        {
            "cover_image_id": image.pk,
            "thumb_spec": WECHAT_COVER_SPEC,
            # The uploaded thumb is already cropped to 2.35:1; the square is its centre.
            "pic_crop_235_1": "0_0_1_1",
            "pic_crop_1_1": f"{x1:.6f}_{y1:.6f}_{1 - x1:.6f}_{1 - y1:.6f}",
        }
    )


class _Writer:
    def __init__(self, ctx, rendition):
        self.ctx = ctx
        self.rendition = rendition
        self.image_ids = []
        self.image_urls = {}
        self.dropped_links = []
        self.dropped_images = []

    def nodes(self, nodes, out, parent):
        for node in nodes:
            if isinstance(node, str):
                out.append(text(node))
                continue
            if node.tag in ("embed", "img"):
                self.image(node, out, parent)
            elif node.tag == "a":
                self.link(node, out, parent)
            elif node.tag in TAGS:
                tag, style = TAGS[node.tag]
                cell = markup.cell_attrs(node) if tag in ("td", "th") else ""
                out.append(f"<{tag}{attrs(('style', STYLES.get(style)))}{cell}>")
                if tag not in VOID_TAGS:
                    self.nodes(node.children, out, tag)
                    out.append(f"</{tag}>")
            else:
                self.nodes(node.children, out, parent)

    def link(self, node, out, parent):
        href = (node.attrs.get("href") or "").strip()
        parts = urlsplit(href)
        if parts.scheme == "https" and parts.hostname in LINK_HOSTS:
            out.append(f"<a{attrs(('href', href))}>")
            self.nodes(node.children, out, "a")
            out.append("</a>")
            return
        if href:
            self.dropped_links.append(href)
        self.nodes(node.children, out, parent)

    def image(self, node, out, parent):
        image, is_library = markup.image_of(node, self.ctx.images)
        url = self.ctx.images.url(image, WECHAT_BODY_SPEC) if image is not None else None
        if url is None:
            self.dropped_images.append(markup.image_label(node) if is_library else (node.attrs.get("src") or "?"))
            return
        if image.pk not in self.image_ids:
            self.image_ids.append(image.pk)
            self.image_urls[image.pk] = url
        tag = f'<img{attrs(("src", placeholder(image.pk)), ("alt", markup.alt_of(node, image)), ("style", STYLES["img"]))}>'
        if parent in markup.INLINE_PARENTS:
            out.append(tag)
        else:
            out.append(f'<section style="{STYLES["figure"]}">{tag}</section>')

    def report_dropped(self):
        if self.dropped_links:
            self.rendition.warn(
                "external_links_removed",
                f"微信图文只能链接公众号文章,已去掉 {len(self.dropped_links)} 个外部链接(保留文字),"
                f"原文链接放在“阅读原文”: {', '.join(self.dropped_links[:3])}",
            )
        if self.dropped_images:
            self.rendition.warn(
                "images_removed",
                f"{len(self.dropped_images)} 张正文图片不在图片库中或原图无法读取(微信会过滤外部图片),已省略: {', '.join(self.dropped_images[:3])}",
            )


def _card(card, ctx, out):
    out.append(f'<section style="{STYLES["card"]}">')
    out.append(f'<p style="{STYLES["card_name"]}">{text(card.name)}</p>')
    out.append(f'<p style="{STYLES["card_fee"]}">{text(card.fee_text)}</p>')
    allowances = card.allowances()
    if allowances:
        line = " · ".join(f"{label}{value}" for label, value in allowances)
        out.append(f'<p style="{STYLES["card_line"]}">{text(line)}</p>')
    if card.highlights:
        out.append(f'<p style="{STYLES["card_line"]}">{text("、".join(card.highlights))}</p>')
    order = card.order_text(ctx.service_number)
    if order:
        out.append(f'<p style="{STYLES["card_line"]}">{text(order)}</p>')
    out.append("</section>")
