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
