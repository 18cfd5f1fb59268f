"""SMS interaction templates: typed parameters used as ``{name}`` in the text, and
the commands whose reply each template is.

The SMS hall menu's leaves come first (their command is the flattened menu key,
"1.2.3" -> "C123"), then one order confirmation per package (its order command),
then the long tail of replies, notifications and marketing messages the
province and every branch keep, the last of them a reply ending in an emoji. Every text fits the SMS account at its worst case (each parameter
at its maximum length, signature included), counted by the one segment counter."""

from content.services.sms_parameters import WORST_CASE_CHAR
from content.services.sms_segments import count_segments

from .vocabulary import BRANDS, PROVINCE_CODE

SIGNATURE = "【中国移动】"
OPT_OUT = "拒收请回复R"
MAX_SEGMENTS = 3
BRAND_CODES = tuple(code for code, _name in BRANDS)

# (text, parameters as (name, type, max_length)); every type of the format appears.
REPLIES = (
    ("您本月已使用流量{used}MB,剩余{left}MB,套餐外流量按3元/GB计费。", (("used", "data_volume", 8), ("left", "data_volume", 8))),
    ("截至{time},您的话费余额为{balance}元,如需充值请回复CZ。", (("time", "datetime", 16), ("balance", "amount", 10))),
    ("您当前的套餐为{package},月费{fee}元,有效期至{until}。", (("package", "text", 20), ("fee", "amount", 8), ("until", "date", 10))),
    ("您的积分余额为{points}分,可兑换话费或流量。", (("points", "int", 8),)),
    ("您的验证码为{code},5分钟内有效,请勿泄露给他人。", (("code", "code", 6),)),
    ("{site}营业厅地址:{address},咨询电话{phone}。", (("site", "text", 10), ("address", "text", 24), ("phone", "phone", 12))),
    ("您本月已通话{minutes}分钟,套餐内剩余{left}分钟。", (("minutes", "int", 5), ("left", "int", 5))),
    ("您的宽带账号{account}将于{until}到期,续费请回复XFKD。", (("account", "code", 16), ("until", "date", 10))),
)
NOTIFICATIONS = (
    ("您的{month}月账单已出,本月消费{amount}元,详情请访问{url}。", (("month", "int", 2), ("amount", "amount", 10), ("url", "url", 40))),
    ("您的流量已使用{percent}%,剩余{left}MB,可回复KTLL订购流量包。", (("percent", "int", 3), ("left", "data_volume", 8))),
    ("您预约的宽带将于{date}上门安装,工程师电话{phone}。", (("date", "date", 10), ("phone", "phone", 12))),
    ("您的号码将于{date}因欠费停机,当前欠费{amount}元,请及时缴费。", (("date", "date", 10), ("amount", "amount", 10))),
    ("您于{time}成功充值{amount}元,当前余额{balance}元。", (("time", "datetime", 16), ("amount", "amount", 8), ("balance", "amount", 10))),
)
MARKETING = (
    ("{package}限时优惠,月费仅{fee}元,回复{command}立即办理。" + OPT_OUT, (("package", "text", 20), ("fee", "amount", 8), ("command", "code", 12))),
    ("山西移动感恩回馈:积分兑换享{discount}折,详情{url}。" + OPT_OUT, (("discount", "int", 2), ("url", "url", 40))),
    ("5G新机焕新季,以旧换新最高补贴{amount}元,详询营业厅。" + OPT_OUT, (("amount", "amount", 8),)),
    ("宽带免费提速至{speed}M,回复KTKD办理,活动截至{until}。" + OPT_OUT, (("speed", "int", 4), ("until", "date", 10))),
)
OPENINGS = ("尊敬的客户,", "您好,", "")
CLOSINGS = ("详询10086。", "感谢您的支持。", "")
# Commands the SMS hall has always answered, kept by its first menu templates.
MNEMONICS = ("CXHF", "CXYE", "CXLL", "CXTC", "CXJF", "CXYY", "CXKD", "CXZD")
# The long tail's last template: a reply ending in an emoji (outside the BMP, two UTF-16
# units), whose preview takes two UCS-2 parts.
EMOJI_REPLY = (
    "您本月已使用流量{used}MB,剩余{left}MB,套餐外流量按3元/GB计费。流量不够用?回复KTLL订购流量包,当月有效,"
    "详情请访问{url} \U0001F4F6",
    (("used", "data_volume", 8), ("left", "data_volume", 8), ("url", "url", 40)),
)
ORDER_CONFIRMATION = (
    "您已成功订购{package},月费{fee}元,次月生效,退订请发送{cancel}到10086。",
    (("package", "text", 20), ("fee", "amount", 8), ("cancel", "code", 12)),
)


def fits(text, parameters):
    """True when the message with every parameter at its maximum length fits the account."""
    worst = text
    for name, kind, max_length in parameters:
        worst = worst.replace("{" + name + "}", WORST_CASE_CHAR[kind] * max_length)
    return count_segments(SIGNATURE + worst).segments <= MAX_SEGMENTS


def _record(code, category, org, brands, text, parameters, commands):
    if not fits(text, parameters):
        raise ValueError(f"sample template {code} would not fit {MAX_SEGMENTS} SMS")
    return {
        "code": code,
        "category": category,
        "org": org,
        "brands": list(brands),
        "text": text,
        "parameters": [{"name": n, "type": t, "max_length": m} for n, t, m in parameters],
        "commands": list(commands),
    }


def _dressed(rng, text, category="reply"):
    """The text as branches wrote it: a greeting, and a closing unless the opt-out text must end it."""
    closing = "" if category == "marketing" else CLOSINGS[rng.randrange(len(CLOSINGS))]
    return OPENINGS[rng.randrange(len(OPENINGS))] + text + closing


def menu_command(key):
    """The command of an SMS menu leaf: its key flattened ("1.2.3" -> "C123", "1.x2" -> "C1X2")."""
    return "C" + key.replace(".", "").upper()


def _owner(rng, orgs):
    """Who keeps a long-tail template: the province or a city branch (outlets run no
    templates of their own: the SMS hall answers for them)."""
    branches = [o["code"] for o in orgs if o["level"] == "branch"]
    if rng.random() < 0.3 or not branches:
        return PROVINCE_CODE
    return branches[rng.randrange(len(branches))]


def templates(rng, scale, orgs, packages, menu_leaves):
    """``menu_leaves``: keys of the SMS menu's command leaves, in menu order."""
    out = []

    def code():
        return f"SMS{len(out) + 1:06d}"

    for n, key in enumerate(menu_leaves):
        text, parameters = REPLIES[n % len(REPLIES)]
        commands = [menu_command(key)] + ([MNEMONICS[n]] if n < len(MNEMONICS) else [])
        out.append(_record(code(), "reply", PROVINCE_CODE, (), _dressed(rng, text), parameters, commands))
    for package in packages:
        if len(out) >= scale.sms_templates:
            break
        text, parameters = ORDER_CONFIRMATION
        out.append(_record(code(), "reply", PROVINCE_CODE, package["brands"], text, parameters,
                           [package["order_command"]]))
    while len(out) < scale.sms_templates - 1:
        index = len(out) + 1
        roll = index % 10
        if roll < 5:
            category, (text, parameters) = "reply", REPLIES[rng.randrange(len(REPLIES))]
            commands = [f"CX{index:06d}"]
        elif roll < 8:
            category, (text, parameters) = "notification", NOTIFICATIONS[rng.randrange(len(NOTIFICATIONS))]
            commands = []
        else:
            category, (text, parameters) = "marketing", MARKETING[rng.randrange(len(MARKETING))]
            commands = []
        brands = () if index % 4 else (BRAND_CODES[rng.randrange(len(BRAND_CODES))],)
        out.append(_record(code(), category, _owner(rng, orgs), brands, _dressed(rng, text, category), parameters,
                           commands))
    if len(out) < scale.sms_templates:
        text, parameters = EMOJI_REPLY
        out.append(_record(code(), "reply", PROVINCE_CODE, (), text, parameters, [f"CX{len(out) + 1:06d}"]))
    return out
