"""Stored rich text as a small tree that every channel renders from.

The body goes through the one sanitizer (``content.services.html``) first, so
the tree only ever holds tags that sanitizer allows; each channel then narrows
it further to what its client keeps. Text nodes are plain ``str`` (entities
decoded), elements are ``Element``."""

import re
from html.parser import HTMLParser

from content.services.html import sanitize_html

VOID_TAGS = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"})
BLOCK_TAGS = frozenset(
    {
        "p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "tr", "figure", "figcaption", "section", "div",
        "table", "ul", "ol", "hr", "br", "pre",
    }
)
_SPACES = re.compile(r"\s+")


class Element:
    __slots__ = ("tag", "attrs", "children")

    def __init__(self, tag, attrs=None, children=None):
        self.tag = tag
        self.attrs = attrs if attrs is not None else {}
        self.children = children if children is not None else []

    def __repr__(self):
        return f"<{self.tag} {self.attrs} {self.children!r}>"


class _TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Element("root")
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        element = Element(tag, {name: value or "" for name, value in attrs})
        self.stack[-1].children.append(element)
        if tag not in VOID_TAGS:
            self.stack.append(element)

    def handle_startendtag(self, tag, attrs):
        self.stack[-1].children.append(Element(tag, {name: value or "" for name, value in attrs}))

    def handle_endtag(self, tag):
        # Sanitized input is well formed; an unmatched end tag is ignored.
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data):
        children = self.stack[-1].children
        if children and isinstance(children[-1], str):
            children[-1] += data
        else:
            children.append(data)


def parse_rich_text(html):
    """Sanitize stored rich text and parse it into a list of nodes."""
    clean = sanitize_html(html or "")
    if not clean:
        return []
    builder = _TreeBuilder()
    builder.feed(clean)
    builder.close()
    return builder.root.children


def image_refs(nodes):
    """The images a body references: (ids of Wagtail image embeds, codes of legacy ``data-image`` imgs)."""
    ids, codes = [], []
    stack = list(nodes)
    while stack:
        node = stack.pop()
        if isinstance(node, str):
            continue
        if node.tag == "embed" and node.attrs.get("embedtype") == "image":
            image_id = embed_image_id(node)
            if image_id is not None:
                ids.append(image_id)
        elif node.tag == "img" and node.attrs.get("data-image"):
            codes.append(node.attrs["data-image"])
        stack.extend(node.children)
    return ids, codes


def embed_image_id(node):
    try:
        return int(node.attrs.get("id", ""))
    except ValueError:
        return None


def plain_text(nodes):
    """The words of a body on one line: blocks separated by a space, whitespace collapsed."""
    out = []
    _collect_text(nodes, out)
    return _SPACES.sub(" ", "".join(out)).strip()


def _collect_text(nodes, out):
    for node in nodes:
        if isinstance(node, str):
            out.append(node)
            continue
        if node.tag in BLOCK_TAGS:
            out.append(" ")
        _collect_text(node.children, out)
        if node.tag in BLOCK_TAGS:
            out.append(" ")
