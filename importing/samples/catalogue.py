"""Tariff packages and value-added businesses, sold province-wide, in one branch,
in a branch's outlets or across several branches (the importer infers the owner
from where an offer is sold)."""

import datetime

from .vocabulary import BRANDS, BUSINESS_KINDS, HIGHLIGHTS, PACKAGE_FAMILIES, PACKAGE_FEES, PROVINCE_CODE

BRAND_CODES = tuple(code for code, _name in BRANDS)
ONLINE_ONLY = ["web", "wechat_miniprogram"]
# The brands a family is sold to: the youth brand's school plan is not for gotone.
FAMILY_BRANDS = {
    "5G畅享套餐": ("gotone", "mzone", "easyown"),
    "5G智享套餐": ("gotone", "mzone"),
    "全球通尊享套餐": ("gotone",),
    "动感地带校园套餐": ("mzone",),
    "神州行畅聊套餐": ("easyown",),
    "家庭融合套餐": ("gotone", "easyown"),
}


def sale_orgs(rng, orgs, index):
    """Where the ``index``-th offer is sold: mostly province-wide, otherwise one branch,
    the outlets of one branch or two branches."""
    branches = [o["code"] for o in orgs if o["level"] == "branch"]
    outlets_of = {b: [o["code"] for o in orgs if o["parent"] == b] for b in branches}
    kind = index % 5
    if kind in (0, 1) or not branches:
        return [PROVINCE_CODE]
    branch = branches[rng.randrange(len(branches))]
    if kind == 2:
        return [branch]
    if kind == 3 and outlets_of[branch]:
        return outlets_of[branch][:2]
    others = [b for b in branches if b != branch]
    return sorted([branch, others[rng.randrange(len(others))]]) if others else [branch]


def _description(name, highlights):
    items = "".join(f"<li>{h}</li>" for h in highlights)
    return f"<p>{name}:月费含以下权益。</p><ul>{items}</ul><p>发送短信至10086办理,次月生效。</p>"


def packages(rng, scale, orgs):
    out = []
    for i in range(1, scale.packages + 1):
        family = PACKAGE_FAMILIES[(i - 1) % len(PACKAGE_FAMILIES)]
        fee = PACKAGE_FEES[rng.randrange(len(PACKAGE_FEES))]
        tier = PACKAGE_FEES.index(fee) + 1
        highlights = rng.sample(HIGHLIGHTS, 2 + i % 3)
        start = datetime.date(2023, 1, 1) + datetime.timedelta(days=rng.randrange(720))
        ends = i % 4 == 0
        out.append({
            "code": f"PKG{i:04d}",
            "name": f"{family} {fee.removesuffix('.00')}元",
            "family": family,
            "brands": [b for b in BRAND_CODES if b in FAMILY_BRANDS[family]],
            "orgs": sale_orgs(rng, orgs, i - 1),
            "monthly_fee": fee,
            "data_mb": tier * 5 * 1024,
            "voice_minutes": tier * 100,
            "sms_count": (tier % 3) * 50,
            "contract_months": (0, 12, 24)[i % 3],
            "order_command": f"KTTC{i:04d}",
            "cancel_command": f"QXTC{i:04d}",
            "valid_from": start.isoformat(),
            "valid_to": (start + datetime.timedelta(days=3 * 365)).isoformat() if ends else None,
            "highlights": highlights,
            "description_html": _description(family, highlights),
            # Every eighth package is an online-only offer: the web hall and the mini-program.
            **({"channels": ONLINE_ONLY} if i % 8 == 0 else {}),
        })
    return out


def businesses(rng, scale, orgs):
    out = []
    for i in range(1, scale.businesses + 1):
        kind, name, abbreviation = BUSINESS_KINDS[(i - 1) % len(BUSINESS_KINDS)]
        fee = ("3.00", "5.00", "10.00", "15.00", "20.00", "30.00")[rng.randrange(6)]
        full_name = f"{name}{fee.removesuffix('.00')}元版"
        out.append({
            "code": f"BIZ{i:04d}",
            "kind": kind,
            "name": full_name,
            "brands": sorted(rng.sample(BRAND_CODES, 1 + i % 3), key=BRAND_CODES.index),
            "orgs": sale_orgs(rng, orgs, i - 1),
            "monthly_fee": fee,
            "order_command": f"KT{abbreviation}{i:04d}",
            "cancel_command": f"QX{abbreviation}{i:04d}",
            "description_html": f"<p>{full_name},每月{fee}元,订购后立即生效。</p>",
        })
    return out
