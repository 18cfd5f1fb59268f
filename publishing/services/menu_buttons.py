"""What a published menu becomes at WeChat: the default menu and one conditional
menu per brand variant, each node a WeChat button. Library articles a node points
at are resolved before the buttons are built (``Targets``), so building is pure."""

from dataclasses import dataclass, field

from content.models import ChannelAccount

from .runner import Refused

ARTICLE_NODES = ("article_id", "media_id")


@dataclass
class Targets:
    """Per article code: the account's article_id (article_id nodes) and the media_id
    of a permanent material (media_id nodes)."""

    article_ids: dict = field(default_factory=dict)
    media_ids: dict = field(default_factory=dict)


@dataclass
class MenuPlan:
    """The trees to push: the base tree, and (brand, tree) per live variant."""

    base: list
    variants: list


def _latest_tree(menu):
    from menus.services import live_version

    version = live_version(menu)
    return version.tree if version is not None else None


def menu_plan(version):
    """The trees an account is served after ``version``: base, and each live variant."""
    from menus.models import Menu
    from menus.tree import merge_variant, served

    menu = version.menu
    base = menu.base_menu() if menu.is_variant else menu
    base_tree = version.tree if not menu.is_variant else (_latest_tree(base) if base else None)
    if base_tree is None:
        raise Refused(f"菜单 {menu.code} 的基础菜单尚未发布", "menu_base")
    variants = []
    live = Menu.objects.filter(account_id=base.account_id, brand__isnull=False, live=True).select_related("brand")
    for variant in live.order_by("brand__code"):
        tree = version.tree if variant.pk == menu.pk else _latest_tree(variant)
        if tree is not None:
            variants.append((variant.brand, served(merge_variant(base_tree, tree), variant.brand.code)))
    return MenuPlan(served(base_tree), variants)


def article_nodes(plan, kind):
    """{article code: key of the first node of ``kind`` pointing at it} in the plan's trees."""
    found = {}

    def walk(nodes):
        for node in nodes:
            if node.get("type") == kind and not node.get("children"):
                if not node.get("article"):
                    raise Refused(f"菜单节点 {node['key']}({node['name']})没有选择图文", "menu_article")
                found.setdefault(node["article"], node["key"])
            walk(node.get("children") or [])

    walk(plan.base)
    for _, tree in plan.variants:
        walk(tree)
    return found


def _miniprogram_appid(program):
    if program.get("app_id"):
        return program["app_id"]
    code = program.get("account")
    found = ChannelAccount.objects.filter(code=code).values_list("app_id", flat=True).first() if code else None
    return found or ""


def button(node, targets):
    out = {"name": node["name"]}
    children = node.get("children") or []
    kind = node.get("type")
    if kind == "submenu" or children:
        out["sub_button"] = [button(child, targets) for child in children]
    elif kind == "view":
        out.update(type="view", url=node.get("url", ""))
    elif kind == "miniprogram":
        program = node.get("miniprogram") or {}
        out.update(type="miniprogram", url=node.get("url", ""), appid=_miniprogram_appid(program),
                   pagepath=program.get("pagepath", ""))
    elif kind == "article_id":
        out.update(type="article_id", article_id=targets.article_ids[node["article"]])
    elif kind == "media_id":
        out.update(type="media_id", media_id=targets.media_ids[node["article"]])
    elif kind in ("click", "command"):
        # A click reaches the callback with its key, which finds the auto-reply.
        out.update(type="click", key=node.get("event_key") or node.get("command") or node["key"])
    else:
        raise Refused(f"菜单节点 {node['key']} 的类型 {kind} 不能用于微信菜单", "menu_node")
    return out


def wechat_menus(plan, targets, tag_ids):
    """(default menu, [conditional menus]); ``tag_ids``: brand pk -> follower tag id."""
    default = {"button": [button(node, targets) for node in plan.base]}
    conditionals = [
        {"button": [button(node, targets) for node in tree], "matchrule": {"tag_id": str(tag_ids[brand.pk])}}
        for brand, tree in plan.variants
    ]
    return default, conditionals
