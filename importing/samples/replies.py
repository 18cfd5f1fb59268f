"""What official accounts answer on their own: keyword replies, and the
template-message definitions the province sends through every account."""

from .vocabulary import KEYWORDS

TEMPLATE_MESSAGES = (
    ("bill_ready", "账单出账提醒", (("thing1", "账单月份", "thing"), ("amount2", "本月消费", "amount"),
                                   ("time3", "出账时间", "time"))),
    ("recharge_done", "充值成功通知", (("phone_number1", "充值号码", "phone_number"), ("amount2", "充值金额", "amount"),
                                      ("time3", "充值时间", "time"))),
    ("data_alert", "流量使用提醒", (("thing1", "套餐名称", "thing"), ("character_string2", "已用流量", "character_string"),
                                   ("phrase3", "提醒级别", "phrase"))),
    ("order_done", "业务办理成功通知", (("thing1", "业务名称", "thing"), ("amount2", "资费", "amount"),
                                        ("date3", "生效日期", "date"), ("thing4", "温馨提示", "thing"))),
    ("broadband_visit", "宽带上门预约提醒", (("name1", "工程师", "name"), ("phone_number2", "联系电话", "phone_number"),
                                             ("time3", "上门时间", "time"))),
)


def template_messages():
    return [
        {"code": code, "title": title, "fields": [{"key": k, "label": label, "type": t} for k, label, t in fields]}
        for code, title, fields in TEMPLATE_MESSAGES
    ]


# The province's shared set: every official account answers these unless it (or its
# branch) has its own rule for the keyword; the first branch overrides one of them.
SHARED_KEYWORDS = (
    ("营业时间", "exact", "营业厅营业时间一般为每日9:00-18:00,具体以各营业厅公告为准。"),
    ("国际漫游", "contains", "出境前发送KTMY到10086开通国际漫游,资费详情请点击菜单“办理业务”。"),
    ("携号转网", "contains", "携号转网请携带本人身份证到营业厅办理,或发送短信CXXZ到10086查询资格。"),
)


def shared_keyword_replies(orgs):
    """The province's shared keywords and, for the first branch, its own answer to
    one of them (overriding the province's for the branch and its outlets)."""
    province = orgs[0]
    branches = [o for o in orgs if o["level"] == "branch"]
    out = [{"org": province["code"], "keyword": keyword, "match": match, "reply": {"type": "text", "text": text}}
           for keyword, match, text in SHARED_KEYWORDS]
    if branches:
        branch = branches[0]
        out.append({"org": branch["code"], "keyword": "营业时间", "match": "exact",
                    "reply": {"type": "text", "text": f"{branch['name']}各营业厅每日8:30-20:00营业。"}})
    return out


def keyword_replies(scale, accounts):
    """The first ``keywords_per_account`` common keywords on every official account,
    signed with the account's name."""
    out = []
    for account in accounts:
        if account["type"] != "wechat_official_account":
            continue
        for keyword, match, text in KEYWORDS[: scale.keywords_per_account]:
            out.append({"account": account["code"], "keyword": keyword, "match": match,
                        "reply": {"type": "text", "text": f"{text}【{account['name']}】"}})
    return out
