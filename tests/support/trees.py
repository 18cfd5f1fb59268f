"""Reading output back for assertions: rendered HTML as (tag, attributes) pairs, and
node trees (mini-program renditions, menus) walked depth first."""

from html.parser import HTMLParser


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


def elements(html):
    collector = _Collector()
    collector.feed(html)
    collector.close()
    return collector.elements


def style_properties(style):
    return {part.split(":", 1)[0].strip().lower() for part in (style or "").split(";") if part.strip()}


def walk(nodes):
    """Every node of a tree of ``{"children": [...]}`` dicts, parents first."""
    for node in nodes:
        yield node
        yield from walk(node.get("children") or [])
