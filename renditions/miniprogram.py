"""WeChat mini-program: the ``nodes`` array the <rich-text> component takes.

The component's documented shape: a list of element nodes
``{"name": tag, "attrs": {...}, "children": [...]}`` (``type`` "node" by
default) and text nodes ``{"type": "text", "text": "..."}`` whose text may hold
entities. It keeps only trusted tags and, per tag, trusted attributes; ``class``
and ``style`` everywhere, never ``id``; an untrusted tag is removed with its
children; ``img`` shows network images only. Links do not open from
rich-text, so they are listed in ``meta["links"]`` for the page to offer, and
package cards travel as structured data in ``meta["cards"]``."""

from html import escape

from . import markup
from .images import MINIPROGRAM_SPEC
from .rendition import MINIPROGRAM, Rendition

# Trusted tags -> their trusted attributes besides class and style (component docs).
TRUSTED = {
    "a": (), "abbr": (), "address": (), "article": (), "aside": (), "b": (), "bdi": (), "bdo": ("dir",),
    "big": (), "blockquote": (), "br": (), "caption": (), "center": (), "cite": (), "code": (),
    "col": ("span", "width"), "colgroup": ("span", "width"), "dd": (), "del": (), "div": (), "dl": (), "dt": (),
    "em": (), "fieldset": (), "font": (), "footer": (), "h1": (), "h2": (), "h3": (), "h4": (), "h5": (),
    "h6": (), "header": (), "hr": (), "i": (), "img": ("alt", "src", "height", "width"), "ins": (), "label": (),
    "legend": (), "li": (), "mark": (), "nav": (), "ol": ("start", "type"), "p": (), "pre": (), "q": (),
    "rt": (), "ruby": (), "s": (), "section": (), "small": (), "span": (), "strong": (), "sub": (), "sup": (),
    "table": ("width",), "tbody": (), "td": ("colspan", "height", "rowspan", "width"), "tfoot": (),
    "th": ("colspan", "height", "rowspan", "width"), "thead": (), "tr": ("colspan", "height", "rowspan", "width"),
    "tt": (), "u": (), "ul": (),
}
GLOBAL_ATTRS = ("class", "style")

STYLES = {
    "p": "margin:0 0 12px 0;line-height:1.75;",
    "h2": "margin:20px 0 10px 0;font-size:19px;font-weight:bold;",
    "h3": "margin:16px 0 8px 0;font-size:17px;font-weight:bold;",
    "h4": "margin:12px 0 6px 0;font-size:16px;font-weight:bold;",
    "blockquote": "margin:12px 0;padding:6px 12px;border-left:3px solid #0085d0;color:#555555;",
    "ul": "margin:0 0 12px 0;padding-left:20px;",
    "ol": "margin:0 0 12px 0;padding-left:20px;",
    "img": "display:block;max-width:100%;height:auto;margin:0 auto;",
    "figure": "margin:0 0 12px 0;text-align:center;",
    "figcaption": "font-size:13px;color:#888888;text-align:center;",
    "td": "border:1px solid #dddddd;padding:4px 6px;",
    "th": "border:1px solid #dddddd;padding:4px 6px;font-weight:bold;",
    "table": "width:100%;border-collapse:collapse;",
    "a": "color:#0085d0;",
}
STYLE_PROPERTIES = {
    "margin", "line-height", "font-size", "font-weight", "padding", "border-left", "color", "padding-left",
    "display", "max-width", "height", "text-align", "border", "width", "border-collapse",
}
# Stored tag -> (mini-program tag, style key).
RENAME = {
    "h1": ("h2", "h2"),
    "h5": ("h4", "h4"),
    "h6": ("h4", "h4"),
    "figure": ("div", "figure"),
    "figcaption": ("p", "figcaption"),
    "section": ("div", None),
}


def _attrs_schema(attributes):
    return {
        "type": "object",
        "additionalProperties": False,
        "properties": {name: {"type": "string"} for name in (*GLOBAL_ATTRS, *attributes)},
    }


# JSON Schema (2020-12) of the component's documented ``nodes`` shape and whitelist.
# A node is a text node when its type is "text", an element node otherwise; each
# trusted tag narrows ``attrs`` to its own attributes (if/then keyed on ``name``,
# so children are validated once, not once per tag).
NODES_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$ref": "#/$defs/nodes",
    "$defs": {
        "nodes": {"type": "array", "items": {"$ref": "#/$defs/node"}},
        "node": {
            "type": "object",
            "if": {"required": ["type"], "properties": {"type": {"const": "text"}}},
            "then": {"$ref": "#/$defs/text"},
            "else": {"$ref": "#/$defs/element"},
        },
        "text": {
            "type": "object",
            "required": ["type", "text"],
            "additionalProperties": False,
            "properties": {"type": {"const": "text"}, "text": {"type": "string"}},
        },
        "element": {
            "type": "object",
            "required": ["name"],
            "additionalProperties": False,
            "properties": {
                "type": {"const": "node"},
                "name": {"enum": list(TRUSTED)},
                "attrs": {"type": "object"},
                "children": {"$ref": "#/$defs/nodes"},
            },
            "allOf": [
                {"if": {"properties": {"name": {"const": tag}}}, "then": {"properties": {"attrs": _attrs_schema(attributes)}}}
                for tag, attributes in TRUSTED.items()
            ],
        },
    },
}


def render_miniprogram(ctx, account):
    source = ctx.source
    rendition = Rendition(MINIPROGRAM, source.kind, source.code, title=source.title, account=account.code)
    builder = _Builder(ctx, rendition)
    rendition.nodes = builder.nodes(source.body)
    image_ids = list(builder.image_ids)
    cover = ctx.images.get(image_id=source.cover_id) if source.cover_id is not None else None
    cover_url = ctx.images.url(cover, MINIPROGRAM_SPEC) if cover is not None else None
    if cover_url:
        rendition.cover = {MINIPROGRAM_SPEC: cover_url}
        image_ids.insert(0, cover.pk)
        builder.check_https(cover_url)
    rendition.images = list(dict.fromkeys(image_ids))
    rendition.meta = {
        "title": source.title,
        "author": source.author,
        "digest": source.digest,
        "cards": [card.as_data() for card in source.cards_on(MINIPROGRAM)],
        "links": builder.links,
    }
    builder.report()
    return rendition


class _Builder:
    def __init__(self, ctx, rendition):
        self.ctx = ctx
        self.rendition = rendition
        self.image_ids = []
        self.links = []
        self.missing_images = []
        self.insecure = 0

    def nodes(self, nodes):
        out = []
        for node in nodes:
            if isinstance(node, str):
                # Text nodes decode entities: escape so the reader sees the text as written.
                out.append({"type": "text", "text": escape(node, quote=False)})
            elif node.tag in ("embed", "img"):
                image = self.image(node)
                if image is not None:
                    out.append(image)
            else:
                out.extend(self.element(node))
        return out

    def element(self, node):
        tag, style_key = RENAME.get(node.tag, (node.tag, node.tag))
        children = self.nodes(node.children)
        if tag not in TRUSTED or tag == "img":
            return children  # untrusted wrapper: keep its content, drop the tag
        attrs = {}
        style = STYLES.get(style_key)
        if style:
            attrs["style"] = style
        if tag == "a":
            href = markup.absolute_link(node.attrs.get("href"), None)
            if href:
                self.links.append({"text": _text_of(node.children), "href": href})
        for name in TRUSTED[tag]:
            value = node.attrs.get(name, "")
            if value and (name not in ("colspan", "rowspan", "span", "start") or value.isdigit()):
                attrs[name] = value
        element = {"name": tag, "attrs": attrs}
        if children:
            element["children"] = children
        return [element]

    def image(self, node):
        image, is_library = markup.image_of(node, self.ctx.images)
        url = self.ctx.images.url(image, MINIPROGRAM_SPEC) if image is not None else None
        if url is None:
            src = node.attrs.get("src", "")
            if is_library or not src.startswith("https://"):
                self.missing_images.append(markup.image_label(node))
                return None
            url, alt = src, node.attrs.get("alt", "")
        else:
            alt = markup.alt_of(node, image)
            self.image_ids.append(image.pk)
            self.check_https(url)
        return {"name": "img", "attrs": {"src": url, "alt": alt, "style": STYLES["img"]}}

    def check_https(self, url):
        if not url.startswith("https://"):
            self.insecure += 1

    def report(self):
        if self.missing_images:
            self.rendition.warn(
                "images_removed", f"{len(self.missing_images)} 张正文图片不存在或不是 https 网络图片,已省略: {', '.join(self.missing_images[:3])}"
            )
        if self.insecure:
            self.rendition.warn(
                "images_not_https", f"{self.insecure} 张图片地址不是 https,小程序正式版不显示;请为图片存储配置 https 域名"
            )


def _text_of(nodes):
    from .tree import plain_text

    return plain_text(nodes)


def nodes_to_html(nodes):
    """HTML of a nodes array, for the admin preview (whitelisted tags and attrs only)."""
    out = []
    _write_nodes(nodes, out)
    return "".join(out)


def _write_nodes(nodes, out):
    for node in nodes:
        if node.get("type") == "text":
            out.append(escape(node.get("text", ""), quote=False).replace("&amp;", "&"))
            continue
        tag = node.get("name", "")
        if tag not in TRUSTED:
            continue
        allowed = (*GLOBAL_ATTRS, *TRUSTED[tag])
        attrs = markup.attrs(*((k, v) for k, v in (node.get("attrs") or {}).items() if k in allowed))
        out.append(f"<{tag}{attrs}>")
        if tag not in ("br", "hr", "img", "col"):
            _write_nodes(node.get("children") or [], out)
            out.append(f"</{tag}>")
