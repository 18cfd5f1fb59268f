"""Live menus whose ``view`` node (or a mini-program node's fallback URL) links an
item's web page: the article, package or business must stay live for the link to
work. Registered with content.dependencies by RenditionsConfig.ready(), here because
the item's web path is this app's rule (renditions.links.web_path)."""

from urllib.parse import unquote, urlsplit

from content import dependencies
from menus.dependencies import menus_with_nodes

from .links import web_path
from .rendition import ARTICLE, BUSINESS, PACKAGE

LINKED_KINDS = (ARTICLE, PACKAGE, BUSINESS)


def _path(url):
    return unquote(urlsplit(str(url)).path).rstrip("/")


def _finder(kind_code):
    def menus_linking(needed):
        pk_by_path = {}
        for pk, item in needed.items():
            path = web_path(kind_code, item.code)
            if path:
                pk_by_path["/" + unquote(path).strip("/")] = pk

        def needs(node):
            url = node.get("url")
            if not url:
                return None
            path = _path(url)
            return next(
                (pk for suffix, pk in pk_by_path.items() if path.endswith(suffix)), None
            )

        if not pk_by_path:
            return []
        return menus_with_nodes([item.code for item in needed.values()], needs)

    menus_linking.__name__ = f"menus_linking_{kind_code}"
    return menus_linking


def register():
    for kind_code in LINKED_KINDS:
        dependencies.register(kind_code, _finder(kind_code))
