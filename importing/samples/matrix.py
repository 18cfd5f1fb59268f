"""The "1 + N + X" matrix: the province, its city branches and their outlets, the
three brands, and the channel accounts they run (no secrets: an administrator
enters those after the import)."""

from .vocabulary import BRANDS, CITIES, CITY_PINYIN, OUTLET_SITES, PROVINCE_CODE, PROVINCE_NAME

SMS_ACCOUNT = "sms-10086"
WEB_ACCOUNT = "web-sx"
MINIPROGRAM_ACCOUNT = "mp-sx"


def organisations(scale):
    """Province first, then each branch followed by its outlets."""
    out = [{"code": PROVINCE_CODE, "name": PROVINCE_NAME, "level": "province", "parent": None}]
    per_branch, extra = divmod(scale.outlets, scale.branches)
    for b in range(scale.branches):
        branch = f"{PROVINCE_CODE}-{b + 1:02d}"
        city = CITIES[b % len(CITIES)]
        out.append({"code": branch, "name": f"{city}分公司", "level": "branch", "parent": PROVINCE_CODE})
        for o in range(per_branch + (1 if b < extra else 0)):
            site = OUTLET_SITES[o % len(OUTLET_SITES)]
            out.append({"code": f"{branch}-{o + 1:02d}", "name": f"{city}{site}营业厅", "level": "outlet",
                        "parent": branch})
    return out


def brands():
    return [{"code": code, "name": name} for code, name in BRANDS]


def _official_account(org, index):
    if org["level"] == "province":
        name = "山西移动"
    elif org["level"] == "branch":
        name = org["name"].removesuffix("分公司") + "移动"
    else:
        name = org["name"]
    return {
        "code": f"wx-{org['code'].lower()}",
        "type": "wechat_official_account",
        "org": org["code"],
        "name": name,
        # WeChat's shapes: "wx" and 16 hex digits, "gh_" and 12.
        "app_id": f"wx{0x5d3e0000 + index * 7919:016x}",
        "original_id": f"gh_{0xa10000 + index * 104729:012x}",
    }


def channel_accounts(scale, orgs):
    """The province's SMS hall, web hall and mini-program, and the official accounts of
    the province, every branch and the first ``outlet_accounts`` outlets."""
    province = orgs[0]
    branches = [o for o in orgs if o["level"] == "branch"]
    outlets = [o for o in orgs if o["level"] == "outlet"][: scale.outlet_accounts]
    accounts = []
    for index, org in enumerate([province, *branches, *outlets]):
        accounts.append(_official_account(org, index))
    accounts += [
        {"code": MINIPROGRAM_ACCOUNT, "type": "wechat_miniprogram", "org": PROVINCE_CODE, "name": "山西移动掌上营业厅",
         "app_id": "wx9a0c1d2e3f405162"},
        {"code": SMS_ACCOUNT, "type": "sms", "org": PROVINCE_CODE, "name": "10086短信营业厅",
         "service_number": "10086", "signature": "【中国移动】"},
        {"code": WEB_ACCOUNT, "type": "web", "org": PROVINCE_CODE, "name": "山西移动网上营业厅",
         "base_url": "https://sx.10086.cn"},
    ]
    return accounts


def city_slug(branch_index):
    return CITY_PINYIN[branch_index % len(CITY_PINYIN)]
