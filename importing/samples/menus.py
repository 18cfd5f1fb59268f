"""Menus of every channel: the SMS hall's numbered tree (about 2,000 nodes at full
scale, command leaves answering with templates), each official account's WeChat
menu within WeChat's limits, the web hall's and the mini-program's navigation,
and brand variants of the SMS menu and of the province's WeChat menu.

Node types: ``submenu``, ``command`` (SMS), ``view``, ``click`` and ``miniprogram``;
the web hall's and mini-program's navigation adds ``category`` and ``shelf``.
Keys are full dotted paths; SMS keys are 1-9 per level, or ``x1`` for entries
reached only by their command."""

from wechat import limits as wechat_limits

from .matrix import MINIPROGRAM_ACCOUNT, SMS_ACCOUNT, WEB_ACCOUNT
from .sms import menu_command
from .vocabulary import BUSINESS_KINDS, PACKAGE_FAMILIES, PROVINCE_CODE

SMS_TOP = ("话费查询", "流量查询", "套餐办理", "业务退订", "积分服务", "宽带业务", "国际漫游", "营业厅查询", "优惠活动")
SMS_SECOND = ("本机业务", "家庭业务", "全球通专区", "动感地带专区", "神州行专区", "历史记录", "常见问题", "办理进度", "更多服务")
SMS_THIRD = ("本月", "上月", "明细", "余额", "已订业务", "可选业务", "办理", "退订", "说明")
SMS_FOURTH = ("短信查询", "网厅查询", "App查询", "人工查询", "更多")
SMS_DEEP_CHILDREN = len(SMS_FOURTH)
# The SMS hall's own brand areas: only that brand's callers are offered them.
SECOND_LEVEL_BRAND = {3: "gotone", 4: "mzone", 5: "easyown"}


def node(key, name, type_, children=(), *, brands=(), hidden=False, valid=True, **target):
    return {"key": key, "name": name, "type": type_, "brands": list(brands), "hidden": hidden, "valid": valid,
            **target, "children": list(children)}


# -- the SMS hall --------------------------------------------------------------

def sms_menu_shape(scale):
    """The SMS tree as nested (key, name, children) tuples; leaves have no children.

    Levels one and two are submenus; every ``deep_every``-th third-level entry opens
    a fourth level of five; each top-level entry ends with an ``x1`` command-only entry."""
    top, second, third = scale.sms_menu_fanout
    tree, serial = [], 0
    for a in range(1, top + 1):
        seconds = []
        for b in range(1, second + 1):
            thirds = []
            for c in range(1, third + 1):
                serial += 1
                key = f"{a}.{b}.{c}"
                children = ()
                if serial % scale.sms_menu_deep_every == 0:
                    children = tuple((f"{key}.{d}", SMS_FOURTH[d - 1], ()) for d in range(1, SMS_DEEP_CHILDREN + 1))
                thirds.append((key, SMS_THIRD[(c - 1) % len(SMS_THIRD)], children))
            seconds.append((f"{a}.{b}", SMS_SECOND[(b - 1) % len(SMS_SECOND)], tuple(thirds)))
        seconds.append((f"{a}.x1", f"{SMS_TOP[(a - 1) % len(SMS_TOP)]}快捷指令", ()))
        tree.append((str(a), SMS_TOP[(a - 1) % len(SMS_TOP)], tuple(seconds)))
    return tree


def leaf_keys(shape):
    out = []
    for key, _name, children in shape:
        out += leaf_keys(children) if children else [key]
    return out


def _sms_nodes(shape, template_of, depth=1):
    nodes = []
    numbered = [key for key, _name, _children in shape if key.rsplit(".", 1)[-1].isdigit()]
    for key, name, children in shape:
        own = key.rsplit(".", 1)[-1]
        brand = SECOND_LEVEL_BRAND.get(int(own)) if depth == 2 and own.isdigit() else None
        flags = {"brands": [brand] if brand else []}
        if depth == 3 and len(numbered) > 1 and key == numbered[-1]:
            # The last third-level entry (".9" at full scale) is no longer listed, kept
            # for old customers who know its command (or its sub-entries' commands).
            flags["hidden"] = True
        if key.endswith(".5") and depth == 4:
            flags["valid"] = False  # switched off, still in the legacy tree
        if children:
            nodes.append(node(key, name, "submenu", _sms_nodes(children, template_of, depth + 1), **flags))
        else:
            nodes.append(node(key, name, "command", command=menu_command(key), reply_template=template_of[key],
                              **flags))
    return nodes


def sms_menus(shape, templates):
    """The SMS hall's base menu and its gotone variant (a renamed top-level entry)."""
    template_of = {}
    for template in templates:
        for command in template["commands"]:
            template_of.setdefault(command, template["code"])
    by_key = {key: template_of[menu_command(key)] for key in leaf_keys(shape)}
    base = _sms_nodes(shape, by_key)
    variant = _sms_nodes(shape, by_key)
    variant[0]["name"] = "全球通话费专区"
    return [
        {"code": "sms-main", "channel": "sms", "account": SMS_ACCOUNT, "org": PROVINCE_CODE, "name": "10086短信营业厅菜单",
         "nodes": base},
        {"code": "sms-main-gotone", "channel": "sms", "account": SMS_ACCOUNT, "org": PROVINCE_CODE,
         "name": "10086短信营业厅菜单(全球通)", "brand": "gotone", "nodes": variant},
    ]


# -- WeChat ----------------------------------------------------------------------

def _utf8(text):
    return len(text.encode("utf-8"))


def check_wechat(nodes):
    """The sample's own promise: what it writes as clean stays within WeChat's limits
    (``wechat.limits``, the numbers the validator, the client and the emulator share)."""
    problems = []
    if len([n for n in nodes if not n["hidden"] and not n["brands"]]) > wechat_limits.MENU_MAX_BUTTONS:
        problems.append("too many top-level buttons")
    for top in nodes:
        if _utf8(top["name"]) > wechat_limits.MENU_NAME_MAX_BYTES:
            problems.append(f"{top['key']}: name too long")
        subs = [n for n in top["children"] if not n["hidden"]]
        for brand in (None, "gotone", "mzone", "easyown"):
            if len([n for n in subs if not n["brands"] or brand in n["brands"]]) > wechat_limits.MENU_MAX_SUB_BUTTONS:
                problems.append(f"{top['key']}: too many sub-buttons for {brand}")
        problems += [f"{sub['key']}: name too long" for sub in top["children"]
                     if _utf8(sub["name"]) > wechat_limits.MENU_SUB_NAME_MAX_BYTES]
    if problems:
        raise ValueError(f"sample WeChat menu breaks WeChat's limits: {problems}")
    return nodes


def wechat_nodes(account, site):
    """Three top-level buttons: a submenu of queries (one a mini-program), a submenu of
    offers (one for gotone only, one hidden) and a view."""
    slug = account["code"]
    mine = [
        node("1.1", "话费查询", "view", url=f"{site}/wx/{slug}/bill"),
        node("1.2", "流量查询", "view", url=f"{site}/wx/{slug}/data"),
        node("1.3", "积分查询", "click", event_key=f"{slug.upper()}_POINTS"),
        node("1.4", "掌上营业厅", "miniprogram", url=f"{site}/mp-fallback",
             miniprogram={"account": MINIPROGRAM_ACCOUNT, "pagepath": "pages/index/index"}),
    ]
    offers = [
        node("2.1", "5G套餐", "view", url=f"{site}/wx/{slug}/5g"),
        node("2.2", "宽带办理", "view", url=f"{site}/wx/{slug}/broadband"),
        node("2.3", "业务退订", "click", event_key=f"{slug.upper()}_CANCEL"),
        node("2.4", "全球通专享", "view", brands=["gotone"], url=f"{site}/wx/{slug}/gotone"),
        node("2.5", "旧版活动入口", "view", hidden=True, url=f"{site}/wx/{slug}/legacy"),
    ]
    return check_wechat([
        node("1", "我的移动", "submenu", mine),
        node("2", "办理业务", "submenu", offers),
        node("3", "附近营业厅", "view", url=f"{site}/wx/{slug}/outlets"),
    ])


def wechat_menus(accounts, site="https://wx.sx.10086.cn"):
    """A menu for every official account but the last (a branch that never set one up),
    and two brand variants of the province's: mzone renames a top-level button and
    repoints its first sub-button; gotone renames one sub-button only (the importer
    keeps its parent as an ``inherit`` placeholder)."""
    official = [a for a in accounts if a["type"] == "wechat_official_account"]
    out = []
    for account in official[:-1]:
        out.append({"code": f"menu-{account['code']}", "channel": "wechat_official_account",
                    "account": account["code"], "org": account["org"], "name": f"{account['name']}自定义菜单",
                    "nodes": wechat_nodes(account, site)})
    province = official[0]
    variant = wechat_nodes(province, site)
    variant[1]["name"] = "动感专区"
    variant[1]["children"][0]["url"] = f"{site}/wx/mzone/5g"
    out.append({"code": f"menu-{province['code']}-mzone", "channel": "wechat_official_account",
                "account": province["code"], "org": province["org"], "name": "山西移动自定义菜单(动感地带)",
                "brand": "mzone", "nodes": check_wechat(variant)})
    variant = wechat_nodes(province, site)
    variant[1]["children"][0]["name"] = "全球通5G尊享"
    out.append({"code": f"menu-{province['code']}-gotone", "channel": "wechat_official_account",
                "account": province["code"], "org": province["org"], "name": "山西移动自定义菜单(全球通)",
                "brand": "gotone", "nodes": check_wechat(variant)})
    return out


def unused_official_account(accounts):
    """The official account left without a menu (where a malformed one can go)."""
    return [a for a in accounts if a["type"] == "wechat_official_account"][-1]


# -- web hall and mini-program ------------------------------------------------------

def shelf(key, name, kind, family, **flags):
    """A navigation leaf listing the live packages of a family (or businesses of a kind)."""
    return node(key, name, "shelf", shelf_kind=kind, family=family, **flags)


def web_menu():
    """The web hall's navigation: categories of package and business shelves, and pages."""
    nodes = [
        node("1", "个人业务", "category", [
            shelf("1.1", "5G畅享", "package", PACKAGE_FAMILIES[0]),
            shelf("1.2", "5G智享", "package", PACKAGE_FAMILIES[1]),
            shelf("1.3", "全球通套餐", "package", PACKAGE_FAMILIES[2], brands=["gotone"]),
            node("1.4", "话费充值", "view", url="/recharge"),
        ]),
        node("2", "家庭业务", "category", [
            shelf("2.1", "家庭融合", "package", PACKAGE_FAMILIES[5]),
            node("2.2", "宽带办理", "view", url="https://sx.10086.cn/broadband"),
        ]),
        node("3", "增值业务", "category", [
            shelf("3.1", BUSINESS_KINDS[0][0], "business", BUSINESS_KINDS[0][0]),
            shelf("3.2", BUSINESS_KINDS[1][0], "business", BUSINESS_KINDS[1][0]),
        ]),
        node("4", "帮助中心", "view", url="/help"),
    ]
    return {"code": "menu-web-sx", "channel": "web", "account": WEB_ACCOUNT, "org": PROVINCE_CODE,
            "name": "网上营业厅导航", "nodes": nodes}


def miniprogram_menu():
    nodes = [
        node("1", "首页", "view", url="pages/index/index"),
        node("2", "查询", "submenu", [
            node("2.1", "话费", "view", url="pages/bill/index"),
            node("2.2", "流量", "view", url="pages/data/index?from=menu"),
        ]),
        node("3", "办理", "category", [
            shelf("3.1", "5G套餐", "package", PACKAGE_FAMILIES[0]),
            shelf("3.2", "校园套餐", "package", PACKAGE_FAMILIES[3], brands=["mzone"]),
            shelf("3.3", BUSINESS_KINDS[0][0], "business", BUSINESS_KINDS[0][0]),
        ]),
    ]
    return {"code": "menu-mp-sx", "channel": "wechat_miniprogram", "account": MINIPROGRAM_ACCOUNT,
            "org": PROVINCE_CODE, "name": "小程序导航", "nodes": nodes}
