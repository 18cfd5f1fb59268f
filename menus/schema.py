"""GraphQL types and queries of menus: the published menu tree of a channel
account, optionally as a brand's customers are served it. The tree comes from
``menus.services.published_tree`` (one query) as nested node dicts; the API
gives it as a flat, pre-ordered item list (with depth and parent key) and as JSON."""

import graphene

from api.scalars import JSON
from api.selection import selected
from content import access


# Read from the node's ``miniprogram`` dict by graphene's default resolver.
class MiniprogramTargetNode(graphene.ObjectType):
    class Meta:
        name = "MiniprogramTarget"

    account = graphene.String()
    app_id = graphene.String()
    pagepath = graphene.String()


# Read from the dicts of ``MenuDocument.items`` (menu_item) by graphene's default
# resolver: the executor then reads each value without a resolver call (api/sync_context.py).
class MenuItemNode(graphene.ObjectType):
    class Meta:
        name = "MenuItem"

    key = graphene.String(required=True, description='Full dotted path, e.g. "1.2.3".')
    parent_key = graphene.String()
    depth = graphene.Int(required=True, description="1 for top-level items.")
    name = graphene.String(required=True)
    type = graphene.String(required=True)
    order = graphene.Int(required=True)
    brands = graphene.List(graphene.NonNull(graphene.String), required=True)
    hidden = graphene.Boolean(required=True)
    command = graphene.String(required=True)
    reply_template = graphene.String(description="Code of the SMS template replied.")
    url = graphene.String(required=True)
    event_key = graphene.String(required=True)
    miniprogram = graphene.Field(MiniprogramTargetNode)
    article = graphene.String(description="Code of the article opened.")
    shelf_kind = graphene.String(
        required=True, description='A shelf lists "package"s or "business"es of its family; "" for other types.'
    )
    family = graphene.String(
        required=True, description="A shelf's package family (packages(family:)) or business kind (businesses(kind:))."
    )


def menu_item(node, parent_key, depth):
    """The MenuItem fields of a tree node, by their Python names."""
    get = node.get
    shelf = get("type") == "shelf"
    return {
        "key": str(get("key", "")),
        "parent_key": parent_key,
        "depth": depth,
        "name": get("name", ""),
        "type": get("type", ""),
        "order": get("order") or 0,
        "brands": [str(b) for b in get("brands") or []],
        "hidden": bool(get("hidden")),
        "command": get("command") or "",
        "reply_template": get("reply_template"),
        "url": get("url") or "",
        "event_key": get("event_key") or "",
        "miniprogram": get("miniprogram") or None,
        "article": get("article"),
        "shelf_kind": (get("shelf_kind") or "") if shelf else "",
        "family": (get("family") or "") if shelf else "",
    }


class MenuDocument:
    """A published tree as served to an account (and brand), and where it comes from
    (a menus.rollout.ServedMenu)."""

    def __init__(self, account_code, brand, tree, source=None):
        self.account, self.brand, self.tree = account_code, brand, tree
        self.source = source

    @property
    def items(self):
        out = []

        def walk(nodes, parent_key, depth):
            for node in nodes:
                out.append(menu_item(node, parent_key, depth))
                walk(node.get("children") or [], node.get("key"), depth + 1)

        walk(self.tree, None, 1)
        return out


class MenuSourceNode(graphene.ObjectType):
    class Meta:
        name = "MenuSource"
        description = "Where an account's menu comes from: its own, or one rolled out to it from above."

    menu = graphene.String(required=True, description="Code of the menu served (its base menu).")
    account = graphene.String(required=True, description="Code of the account the menu is defined on.")
    organisation = graphene.String(required=True, description="Code of the organisation the menu is defined at.")
    rolled_out = graphene.Boolean(required=True, description="True when rolled out from another account's menu.")


class MenuNode(graphene.ObjectType):
    class Meta:
        name = "Menu"

    account = graphene.String(required=True)
    brand = graphene.String()
    source = graphene.Field(MenuSourceNode, description="Null when the account serves no menu.")
    items = graphene.List(graphene.NonNull(MenuItemNode), required=True, description="Every item, parents first.")
    tree = graphene.Field(JSON, required=True, description="The nested tree (items with children).")

    def resolve_source(document, info):
        served = document.source
        if served is None or not document.tree:
            return None
        return MenuSourceNode(menu=served.code, account=served.account_code, organisation=served.organisation_code,
                              rolled_out=served.rolled_out)


def published_menu(account_code, account_id, brand=None, *, with_source=True):
    """The account's effective menu (menus.rollout): its own or the one rolled out to
    it, with its variables. Two queries, however many accounts share it; one without
    its source (the document's ``source`` then None, so only when it is not asked)."""
    from menus.rollout import served_menu_tree, tree_served_to

    if not with_source:
        return MenuDocument(account_code, brand, tree_served_to(account_id, brand))
    served, tree = served_menu_tree(account_id, brand=brand)
    return MenuDocument(account_code, brand, tree, served)


class FollowerTagNode(graphene.ObjectType):
    class Meta:
        name = "FollowerTag"
        description = ("The WeChat follower tag of a brand on an official account; "
                       "tag a follower with it to serve the brand's menu.")

    brand = graphene.String(required=True, description="Brand code.")
    tag_id = graphene.Int(required=True, description="WeChat's tag id (tags/members/batchtagging).")
    name = graphene.String(required=True, description="The tag's name at WeChat.")


class AccountFollowerTags(graphene.ObjectType):
    class Meta:
        description = "The follower tags of one official account: one per brand with a menu, so a short list."

    account = graphene.String(required=True, description="The account's code.")
    tags = graphene.List(graphene.NonNull(FollowerTagNode), required=True)


def follower_tags(account_code, account_id):
    from menus.models import FollowerTag

    rows = FollowerTag.objects.filter(account_id=account_id).order_by("brand__code")
    return AccountFollowerTags(account=account_code, tags=[
        FollowerTagNode(brand=code, tag_id=tag_id, name=name)
        for code, tag_id, name in rows.values_list("brand__code", "tag_id", "name")])


class Query(graphene.ObjectType):
    menu = graphene.Field(
        MenuNode,
        required=True,
        description="The account's effective menu: its own, or the menu rolled out to it with its variables.",
        account=graphene.String(required=True, description="Code of one of your channel accounts."),
        brand=graphene.String(description="Brand code: the brand's variant and the items for that brand."),
    )

    def resolve_menu(root, info, account, brand=None):
        account_id, _ = access.account_audience(info, account)
        return published_menu(account, account_id, brand or None, with_source="source" in selected(info))

    follower_tags = graphene.Field(
        AccountFollowerTags,
        required=True,
        account=graphene.String(required=True, description="Code of one of your WeChat official accounts."),
        description="The follower tag of each brand on the account, created by the platform for brand menus.",
    )

    def resolve_follower_tags(root, info, account):
        account_id, _ = access.account_audience(info, account)
        return follower_tags(account, account_id)
