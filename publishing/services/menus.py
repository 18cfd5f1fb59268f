"""A published menu to a WeChat official account: the base tree as the default menu
(menu/create) and each brand variant as a conditional menu matched on its user tag
(menu/addconditional). The account's old menus are cleared first (menu/delete) so
variants never pile up; each call's success is stored before the next."""

from content.models import ChannelAccount
from publishing.models import Publication, State

from .articles import open_client
from .runner import Finished, Refused, checkpoint, reach

Step = Publication.Step


def _latest_tree(menu):
    from menus.services import live_version

    version = live_version(menu)
    return version.tree if version is not None else None


def _miniprogram_appid(program):
    if program.get("app_id"):
        return program["app_id"]
    code = program.get("account")
    found = ChannelAccount.objects.filter(code=code).values_list("app_id", flat=True).first() if code else None
    return found or ""


def _article_id(code, account):
    """The article_id WeChat gave the article on this account (the latest done publication)."""
    pub = (
        Publication.objects.filter(
            account=account, channel=Publication.Channel.WECHAT, state=State.DONE, batch__kind="article",
            batch__source_code=code,
        )
        .exclude(article_id="")
        .order_by("-finished_at")
        .first()
    )
    if pub is None:
        raise Refused(f"菜单引用的图文 {code} 尚未发布到公众号 {account.code}", "menu_article")
    return pub.article_id


def _button(node, account):
    button = {"name": node["name"]}
    children = node.get("children") or []
    kind = node.get("type")
    if kind == "submenu" or children:
        button["sub_button"] = [_button(child, account) for child in children]
    elif kind == "view":
        button.update(type="view", url=node.get("url", ""))
    elif kind == "miniprogram":
        program = node.get("miniprogram") or {}
        button.update(type="miniprogram", url=node.get("url", ""), appid=_miniprogram_appid(program),
                      pagepath=program.get("pagepath", ""))
    elif kind == "article_id":
        button.update(type="article_id", article_id=_article_id(node.get("article"), account))
    elif kind in ("click", "command", "media_id"):
        # A click reaches the callback with its key, which finds the auto-reply.
        button.update(type="click", key=node.get("event_key") or node.get("command") or node["key"])
    else:
        raise Refused(f"菜单节点 {node['key']} 的类型 {kind} 不能用于微信菜单", "menu_node")
    return button


def wechat_menus(version, account):
    """(default menu, [conditional menus]) for the account from a published version."""
    from menus.models import Menu
    from menus.tree import merge_variant, served

    menu = version.menu
    base = menu.base_menu() if menu.is_variant else menu
    base_tree = version.tree if not menu.is_variant else (_latest_tree(base) if base else None)
    if base_tree is None:
        raise Refused(f"菜单 {menu.code} 的基础菜单尚未发布", "menu_base")
    default = {"button": [_button(node, account) for node in served(base_tree)]}
    conditionals = []
    variants = Menu.objects.filter(account_id=base.account_id, brand__isnull=False, live=True).select_related("brand")
    for variant in variants.order_by("brand__code"):
        tree = version.tree if variant.pk == menu.pk else _latest_tree(variant)
        if tree is None or not variant.match_tag_id:
            continue
        nodes = served(merge_variant(base_tree, tree), variant.brand.code)
        conditionals.append(
            {"button": [_button(node, account) for node in nodes], "matchrule": {"tag_id": variant.match_tag_id}}
        )
    return default, conditionals


def publish_menu(pub):
    """The WeChat steps of a menu publication, resumed after the last stored step."""
    if pub.account.type != ChannelAccount.Type.WECHAT_OFFICIAL_ACCOUNT:
        raise Refused(f"{pub.account.code} 不是微信公众号", "account")
    default, conditionals = wechat_menus(pub.batch.source(), pub.account)
    remote = dict(pub.remote)
    with open_client(pub.account) as client:
        if not remote.get("cleared"):
            reach(pub, Step.MENU_DELETE)
            client.delete_menu()
            remote["cleared"] = True
            checkpoint(pub, remote=remote)
        if not remote.get("created"):
            reach(pub, Step.MENU_CREATE)
            client.create_menu(default)
            remote["created"] = True
            checkpoint(pub, remote=remote)
        menuids = remote.setdefault("conditional", {})
        for menu in conditionals:
            tag = str(menu["matchrule"]["tag_id"])
            if tag in menuids:
                continue
            reach(pub, Step.MENU_CONDITIONAL)
            menuids[tag] = client.add_conditional_menu(menu)
            checkpoint(pub, remote=remote)
    return Finished()
