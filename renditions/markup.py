"""Small pieces the HTML renderers share: escaping, attributes, link and image
references. Renderers write only tags from their channel's allow-list."""

from html import escape
from urllib.parse import urljoin, urlsplit

LINK_SCHEMES = {"http", "https", "mailto", "tel"}
# Tags whose content is phrasing only: an image inside them stays a bare <img>.
INLINE_PARENTS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "a", "span", "strong", "em", "b", "i", "u", "s", "figcaption"}


def text(value):
    return escape(value, quote=False)


def attrs(*pairs):
    """' name="value"' for each pair whose value is not None or ""."""
    return "".join(f' {name}="{escape(str(value), quote=True)}"' for name, value in pairs if value not in (None, ""))


def cell_attrs(node):
    """colspan/rowspan of a table cell, digits only."""
    return attrs(*((name, node.attrs[name]) for name in ("colspan", "rowspan") if node.attrs.get(name, "").isdigit()))


def absolute_link(href, base_url):
    """The link as an absolute URL on ``base_url`` (relative links joined), or None
    when it is not a link a reader can follow (script URLs, page links without a page)."""
    href = (href or "").strip()
    if not href:
        return None
    if base_url:
        href = urljoin(base_url, href)
    scheme = urlsplit(href).scheme.lower()
    return href if scheme in LINK_SCHEMES else None


def image_of(node, images):
    """The LibraryImage an embed/img node references, and whether it referenced one at all."""
    from .tree import embed_image_id

    if node.tag == "embed":
        if node.attrs.get("embedtype") != "image":
            return None, False
        image_id = embed_image_id(node)
        return (images.get(image_id=image_id) if image_id is not None else None), True
    code = node.attrs.get("data-image")
    if code:
        return images.get(code=code), True
    return None, False


def image_label(node):
    return node.attrs.get("id") or node.attrs.get("data-image") or node.attrs.get("src") or "?"


def alt_of(node, image):
    return node.attrs.get("alt") or (image.default_alt_text if image is not None else "") or ""
