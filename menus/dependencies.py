"""Live menus that need an item: a node answering with an SMS template, or opening an
article (图文素材 / 发布的图文). Read from each live menu's serving version, the tree
customers get, not the draft. Registered with content.dependencies by MenusConfig.ready().

One query whatever the number of leaving items: the serving versions whose tree text
names one of the codes, walked in Python for the exact nodes."""

from django.db.models import OuterRef, Q, Subquery, TextField
from django.db.models.functions import Cast

from content import dependencies, kinds
from content.dependencies import Dependent, Item
from menus.tree import walk

# The node field holding the code of an item of each kind.
NODE_FIELD = {kinds.Kind.SMS_TEMPLATE: "reply_template", kinds.Kind.ARTICLE: "article"}


def _serving_versions(codes):
    from menus.models import MenuVersion

    latest = (
        MenuVersion.objects.filter(menu=OuterRef("menu"))
        .order_by("-number")
        .values("number")[:1]
    )
    named = Q()
    for code in codes:
        named |= Q(tree_text__contains=f'"{code}"')
    return (
        MenuVersion.objects.filter(menu__live=True, number=Subquery(latest))
        .annotate(tree_text=Cast("tree", TextField()))
        .filter(named)
        .values_list("menu_id", "menu__code", "menu__name", "tree")
    )


def _finder(kind_code):
    field = NODE_FIELD[kind_code]

    def menus_using(needed):
        pk_by_code = {item.code: pk for pk, item in needed.items()}
        for menu_id, code, name, tree in _serving_versions(pk_by_code):
            keys = {}
            for node, _depth, _parent in walk(tree):
                used = node.get(field)
                # A node marked invalid is not served and needs nothing.
                if used in pk_by_code and node.get("valid", True):
                    keys.setdefault(used, []).append(str(node.get("key")))
            for used, node_keys in keys.items():
                yield Dependent(
                    pk_by_code[used],
                    Item(kinds.Kind.MENU, str(menu_id), code, name),
                    "节点 " + "、".join(node_keys),
                )

    menus_using.__name__ = f"menus_using_{kind_code}"
    return menus_using


FINDERS = {kind_code: _finder(kind_code) for kind_code in NODE_FIELD}


def register():
    for kind_code, finder in FINDERS.items():
        dependencies.register(kind_code, finder)
