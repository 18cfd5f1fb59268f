"""Menu drift: the account's live menus (menu/get) against what the latest menu push
sent (``Publication.remote["sent"]``), and that push against the menus' live versions."""

from menus.models import FollowerTag, Menu, MenuVersion
from publishing.models import Publication, PublishBatch, State
from publishing.services.menus import platform_menuids
from publishing.services.served_menus import menu_now
from wechat.calls.menus import plain_buttons

from .findings import DIFFERENT, EXTRA, FOREIGN, MISSING, Finding

AREA = "menu"


def latest_push(account):
    return (
        Publication.objects.filter(account=account, channel=Publication.Channel.WECHAT,
                                   batch__kind=PublishBatch.Kind.MENU)
        .select_related("batch").order_by("-pk").first()
    )


def _pushed_menu_id(push):
    """The base menu of the version ``push`` sent (a variant's version counts as its base's)."""
    version = MenuVersion.objects.filter(pk=push.batch.source_id).select_related("menu").first()
    if version is None:
        return None
    return version.menu.base_menu().pk if version.menu.is_variant and version.menu.base_menu() else version.menu_id


def _no_menu_findings(push, live):
    """No menu serves the account now. A menu the platform pushed and has not taken down
    is extra; menus that appeared after its takedown, or on an account it never
    pushed to, are the account's own."""
    if push is None or (live["menu"] is None and not live["conditionalmenu"]):
        return []
    if push.batch.action == PublishBatch.Action.UNPUBLISH and push.state == State.DONE:
        return [Finding(AREA, FOREIGN, "菜单下线后公众号上又有了菜单(非平台添加)")]
    return [Finding(AREA, EXTRA, "已下线的菜单仍在公众号上")]


def pushed_menu(push):
    """The menu a push sent or took down."""
    if push.batch.action == PublishBatch.Action.UNPUBLISH:
        return Menu.objects.filter(pk=push.batch.source_id).first()
    version = MenuVersion.objects.filter(pk=push.batch.source_id).select_related("menu").first()
    return version.menu if version is not None else None


def _newer_version_exists(version, push):
    menus = Menu.objects.filter(account_id=version.menu.account_id, live=True)
    return MenuVersion.objects.filter(menu__in=menus, created_at__gt=push.batch.created_at).exists()


def menu_findings(account, live):
    """Findings for the menus; ``live`` is ``client.live_menus()``."""
    push = latest_push(account)
    version = menu_now(account)
    if version is None:
        return _no_menu_findings(push, live)
    if push is None:
        return [Finding(AREA, MISSING, "菜单从未推送到此公众号")]
    if push.batch.action == PublishBatch.Action.UNPUBLISH:
        return [Finding(AREA, MISSING, "菜单下线后尚未推送新的菜单")]
    if "sent" not in push.remote:
        # Pushed before pushes recorded what they sent: nothing to compare with.
        return [Finding(AREA, DIFFERENT, "最近一次菜单推送未记录发送内容,需重新推送")]
    out = []
    if push.state != State.DONE:
        out.append(Finding(AREA, DIFFERENT, f"最近一次菜单推送未完成({push.get_state_display()}){push.last_error}"))
    elif _pushed_menu_id(push) != version.menu_id:
        out.append(Finding(AREA, DIFFERENT, f"此账号的菜单现为 {version.menu.code},尚未推送"))
    elif _newer_version_exists(version, push):
        out.append(Finding(AREA, DIFFERENT, "菜单有新版本尚未推送"))
    sent = push.remote["sent"]
    if live["menu"] is None:
        out.append(Finding(AREA, MISSING, "默认菜单"))
    elif plain_buttons(live["menu"].get("button")) != plain_buttons(sent["menu"]):
        out.append(Finding(AREA, DIFFERENT, "默认菜单与平台发布的不同"))
    brands = dict(FollowerTag.objects.filter(account=account).values_list("tag_id", "brand__code"))
    ours = platform_menuids(account)
    wanted = dict(sent.get("conditional") or {})
    for menu in live["conditionalmenu"]:
        tag = str((menu.get("matchrule") or {}).get("tag_id") or "")
        label = f"品牌 {brands.get(int(tag), tag)} 的个性化菜单" if tag.isdigit() else "个性化菜单"
        if tag in wanted and plain_buttons(menu.get("button")) == plain_buttons(wanted[tag]):
            wanted.pop(tag)
        elif str(menu.get("menuid")) in ours:
            out.append(Finding(AREA, EXTRA, f"{label}(menuid {menu.get('menuid')})"))
        else:
            out.append(Finding(AREA, FOREIGN, f"{label}(menuid {menu.get('menuid')})"))
    for tag in wanted:
        out.append(Finding(AREA, MISSING, f"品牌 {brands.get(int(tag), tag)} 的个性化菜单"))
    return out
