"""The one HTML sanitizer for stored rich text (imports, admin, API input).

Channel renderers narrow this further for their channel (WeChat, mini-program)."""

import re

import nh3
from wagtail.rich_text import expand_db_html

# nh3 writes void elements as ``<embed ...>``; Wagtail's rich-text rewriter expands
# only the self-closed ``<embed .../>`` it stores itself.
EMBED = re.compile(r"<embed\b([^>]*?)\s*/?>")

ALLOWED_TAGS = {
    "p", "br", "h2", "h3", "h4", "strong", "b", "em", "i", "u", "s", "ol", "ul", "li", "a", "img",
    "blockquote", "hr", "span", "table", "thead", "tbody", "tr", "th", "td", "embed", "section", "figure",
    "figcaption",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "linktype", "id"},
    "img": {"src", "alt", "width", "height", "data-image"},
    # Wagtail's rich-text storage format for images.
    "embed": {"embedtype", "id", "format", "alt"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto", "tel"}


def sanitize_html(html):
    """Strip scripts, event handlers, styles and unsafe URLs (``javascript:``)."""
    if not html:
        return ""
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    return EMBED.sub(r"<embed\1/>", cleaned)


def has_references(value):
    """Whether stored rich text holds Wagtail link or embed references to expand."""
    return "<embed" in value or "linktype=" in value


def rich_text_html(value):
    """Stored rich text as front-end HTML (Wagtail's link and embed references expanded)."""
    if not value:
        return ""
    if not has_references(value):
        return value
    return expand_db_html(value)
