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


def account_plan(plan, account):
    """The plan as ``account`` is served it: its variables substituted in every tree,
    then checked by the channel rules (menus.account_checks) for this account. A
    violation refuses this account only, naming it and the node."""
    from menus.account_checks import account_violations
    from menus.variables import substitute, values_for

    values = values_for([account.pk]).get(account.pk, {})
    trees = [(None, plan.base), *((variant, tree) for variant, tree in plan.variants)]
    errors = account_violations(account, [(None, tree) for _, tree in trees], values)
    if errors:
        shown = "; ".join(str(error) for error in errors[:5])
        raise Refused(f"公众号 {account.code} 的菜单不符合微信规则({len(errors)} 处):{shown}", "menu_rule")
    return MenuPlan(substitute(plan.base, values, account.code)[0],
                    [(brand, substitute(tree, values, account.code)[0]) for brand, tree in plan.variants])


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
