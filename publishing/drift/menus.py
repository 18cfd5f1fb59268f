"""Menu drift: the account's live menus (menu/get) against what the latest menu push
sent (``Publication.remote["sent"]``), and that push against the menus' live versions."""

from menus.models import FollowerTag, Menu, MenuVersion
from publishing.models import Publication, PublishBatch, State
from publishing.services.menus import platform_menuids

from .findings import DIFFERENT, EXTRA, FOREIGN, MISSING, Finding

AREA = "menu"


def _buttons(buttons):
    """Buttons as compared: WeChat's menu/get adds empty ``sub_button`` lists."""
    out = []
    for button in buttons or []:
        copy = {k: v for k, v in button.items() if k != "sub_button" or v}
        if copy.get("sub_button"):
            copy["sub_button"] = _buttons(copy["sub_button"])
        out.append(copy)
    return out


def latest_push(account):
    return (
        Publication.objects.filter(account=account, channel=Publication.Channel.WECHAT,
                                   batch__kind=PublishBatch.Kind.MENU)
        .select_related("batch").order_by("-pk").first()
    )


def live_base_version(account):
    """The published version of the account's base menu, or None."""
    from menus.services import live_version

    base = Menu.objects.filter(account=account, brand__isnull=True, live=True).first()
    return live_version(base) if base is not None else None


def _newer_version_exists(account, push):
    menus = Menu.objects.filter(account=account, live=True)
    return MenuVersion.objects.filter(menu__in=menus, created_at__gt=push.batch.created_at).exists()


def menu_findings(account, live):
    """Findings for the menus; ``live`` is ``client.live_menus()``."""
    if live_base_version(account) is None:
        return []
    push = latest_push(account)
    done = push is not None and push.state == State.DONE and "sent" in push.remote
    if push is None or "sent" not in push.remote:
        return [Finding(AREA, MISSING, "菜单从未推送到此公众号")]
    out = []
    if not done:
        out.append(Finding(AREA, DIFFERENT, f"最近一次菜单推送未完成({push.get_state_display()}){push.last_error}"))
    elif _newer_version_exists(account, push):
        out.append(Finding(AREA, DIFFERENT, "菜单有新版本尚未推送"))
    sent = push.remote["sent"]
    if live["menu"] is None:
        out.append(Finding(AREA, MISSING, "默认菜单"))
    elif _buttons(live["menu"].get("button")) != _buttons(sent["menu"]):
        out.append(Finding(AREA, DIFFERENT, "默认菜单与平台发布的不同"))
    brands = dict(FollowerTag.objects.filter(account=account).values_list("tag_id", "brand__code"))
    ours = platform_menuids(account)
    wanted = dict(sent.get("conditional") or {})
    for menu in live["conditionalmenu"]:
        tag = str((menu.get("matchrule") or {}).get("tag_id") or "")
        label = f"品牌 {brands.get(int(tag), tag)} 的个性化菜单" if tag.isdigit() else "个性化菜单"
        if tag in wanted and _buttons(menu.get("button")) == _buttons(wanted[tag]):
            wanted.pop(tag)
        elif str(menu.get("menuid")) in ours:
            out.append(Finding(AREA, EXTRA, f"{label}(menuid {menu.get('menuid')})"))
        else:
            out.append(Finding(AREA, FOREIGN, f"{label}(menuid {menu.get('menuid')})"))
    for tag in wanted:
        out.append(Finding(AREA, MISSING, f"品牌 {brands.get(int(tag), tag)} 的个性化菜单"))
    return out
