"""Live menus that need an item: a node answering with an SMS template, or opening an
article (图文素材 / 发布的图文). Read from each live menu's serving version, the tree
customers get, not the draft. Registered with content.dependencies by MenusConfig.ready()
(renditions registers the ``view`` nodes linking an item's web page, with its URL rule).

One query whatever the number of leaving items: the serving versions whose tree text
names one of the codes, walked in Python for the exact nodes."""

from django.db.models import OuterRef, Q, Subquery, TextField
from django.db.models.functions import Cast

from content import dependencies, kinds
from content.dependencies import Dependent, Item
from menus.tree import walk

# The node field holding the code of an item of each kind.
NODE_FIELD = {kinds.Kind.SMS_TEMPLATE: "reply_template", kinds.Kind.ARTICLE: "article"}


def menus_with_nodes(texts, needs):
    """Dependents among live menus: ``needs(node)`` gives the pk of the leaving item a
    served node needs (or None); ``texts`` are strings the tree of such a menu contains."""
    from menus.models import MenuVersion

    latest = (
        MenuVersion.objects.filter(menu=OuterRef("menu"))
        .order_by("-number")
        .values("number")[:1]
    )
    named = Q()
    for text in texts:
        named |= Q(tree_text__contains=text)
    versions = (
        MenuVersion.objects.filter(menu__live=True, number=Subquery(latest))
        .annotate(tree_text=Cast("tree", TextField()))
        .filter(named)
        .values_list("menu_id", "menu__code", "menu__name", "tree")
    )
    for menu_id, code, name, tree in versions:
        keys = {}
        for node, _depth, _parent in walk(tree):
            # A node marked invalid is not served and needs nothing.
            needed_pk = needs(node) if node.get("valid", True) else None
            if needed_pk is not None:
                keys.setdefault(needed_pk, []).append(str(node.get("key")))
        for needed_pk, node_keys in keys.items():
            yield Dependent(
                needed_pk,
                Item(kinds.Kind.MENU, str(menu_id), code, name),
                "节点 " + "、".join(node_keys),
            )


def _finder(kind_code):
    field = NODE_FIELD[kind_code]

    def menus_using(needed):
        pk_by_code = {item.code: pk for pk, item in needed.items()}
        return menus_with_nodes(
            [f'"{code}"' for code in pk_by_code],
            lambda node: pk_by_code.get(node.get(field)),
        )

    menus_using.__name__ = f"menus_using_{kind_code}"
    return menus_using


FINDERS = {kind_code: _finder(kind_code) for kind_code in NODE_FIELD}


def register():
    for kind_code, finder in FINDERS.items():
        dependencies.register(kind_code, finder)
