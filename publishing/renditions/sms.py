"""SMS business hall: plain text with the account's signature, within the
account's segment limit, marketing texts with the opt-out, a short link to the
web rendition when the text is cut, and the segment count (counted by
``content.services.sms_segments.count_segments``, the one counter).

Articles, packages and businesses are promotional, so they always carry the
opt-out; an SMS template carries it when its category is marketing. A template
is a reply customers asked for: it is never cut, and one that cannot fit its
account's limit with every parameter at its maximum length blocks."""

import re

from content.models import SmsTemplate
from content.services.sms_segments import count_segments

from .rendition import ARTICLE, SMS, SMS_TEMPLATE, Rendition

PARAMETER_RE = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
OPT_OUT_RE = re.compile(r"退订|拒收")
ELLIPSIS = "…"
DEFAULT_PARAMETER_LENGTH = 20
CLOSING_PUNCTUATION = "。!！?？.;；,，、"
# What a customer would see in a parameter, for the preview.
SAMPLE_VALUES = {
    "amount": "58.00",
    "date": "2026-03-01",
    "datetime": "2026-03-01 09:30",
    "phone": "13800000000",
    "int": "120",
    "data_volume": "1024",
    "text": "示例",
    "code": "386512",
    "url": "https://u.example.cn/x",
}
# Parameters that may carry Chinese take UCS-2 in the worst case; the others are digits.
WIDE_PARAMETER_TYPES = {"text", "url"}


def signature_of(account):
    signature = (account.signature or "").strip()
    if signature and not signature.startswith("【"):
        signature = f"【{signature.strip('[]【】')}】"
    return signature


def _sentence(text):
    text = text.strip()
    return text if not text or text[-1] in CLOSING_PUNCTUATION else text + "。"


def render_sms(ctx, account):
    source = ctx.source
    rendition = Rendition(SMS, source.kind, source.code, title=source.title, account=account.code)
    signature = signature_of(account)
    if not signature:
        rendition.warn("no_signature", f"短信账号 {account.code} 未配置短信签名,短信必须带签名", blocking=True)
    limit = account.max_segments or 1
    if source.kind == SMS_TEMPLATE:
        _template(source.item, account, signature, limit, rendition)
    else:
        _promotion(ctx, account, signature, limit, rendition)
    return rendition


def _opt_out(account, rendition):
    opt_out = (account.opt_out_text or "").strip()
    if not opt_out:
        rendition.warn("no_opt_out", f"短信账号 {account.code} 未配置退订提示,营销短信必须带退订方式", blocking=True)
    return opt_out


def _template(template, account, signature, limit, rendition):
    text = template.text or ""
    declared = {p["name"]: p for p in (template.parameters or []) if isinstance(p, dict) and p.get("name")}
    undeclared = sorted(set(PARAMETER_RE.findall(text)) - declared.keys())
    if undeclared:
        rendition.warn("undeclared_parameter", f"模板使用了未声明的参数 {', '.join(undeclared)}", blocking=True)
    if template.category == SmsTemplate.Category.MARKETING and not OPT_OUT_RE.search(text):
        opt_out = _opt_out(account, rendition)
        if opt_out:
            text = _sentence(text) + opt_out
    text = signature + text
    unbounded = [name for name, p in declared.items() if not p.get("max_length")]
    if unbounded:
        rendition.warn(
            "parameter_unbounded", f"参数 {', '.join(sorted(unbounded))} 未声明最大长度,按 {DEFAULT_PARAMETER_LENGTH} 字计算条数"
        )

    def fill(value_of):
        return PARAMETER_RE.sub(lambda m: value_of(declared.get(m.group(1)) or {}), text)

    worst = count_segments(fill(_worst_value))
    sample_text = fill(_sample_value)
    sample = count_segments(sample_text)
    rendition.text = text
    rendition.segments = worst.segments
    rendition.meta = {
        "category": template.category,
        "max_segments": limit,
        "encoding": worst.encoding,
        "units": worst.units,
        "parameters": sorted(declared),
        "sample_text": sample_text,
        "sample_parts": list(sample.parts),
        "sample_segments": sample.segments,
        "cut": False,
    }
    if worst.segments > limit:
        rendition.warn(
            "sms_too_long",
            f"参数取最大长度时共 {worst.units} 个计费单位({worst.encoding}),需 {worst.segments} 条短信,"
            f"超过账号 {account.code} 的上限 {limit} 条",
            blocking=True,
        )


def _max_length(parameter):
    try:
        return max(int(parameter.get("max_length") or DEFAULT_PARAMETER_LENGTH), 1)
    except (TypeError, ValueError):
        return DEFAULT_PARAMETER_LENGTH


def _worst_value(parameter):
    char = "中" if parameter.get("type", "text") in WIDE_PARAMETER_TYPES else "9"
    return char * _max_length(parameter)


def _sample_value(parameter):
    return SAMPLE_VALUES.get(parameter.get("type"), "示例")[: _max_length(parameter)]


def _promotion(ctx, account, signature, limit, rendition):
    """Article, package or business: essentials always, details cut to fit with a short link."""
    source = ctx.source
    opt_out = _opt_out(account, rendition)
    if source.kind == ARTICLE:
        details = source.digest or source.body_text
        head, tail = (f"{source.title}:" if details else _sentence(source.title)), ""
    else:
        card = source.cards[0]
        head, details, tail = _card_parts(card)
        # Highlights say it shortest; a business without them is told by its description.
        details = details or source.body_text
        if not card.order_command:
            rendition.warn("no_order_command", f"{card.code} 没有订购指令,短信无法办理", blocking=True)
    prefix = signature + head
    suffix = (_sentence(tail) if tail else "") + opt_out
    text, cut = _fit(prefix, _sentence(details) if details else "", suffix, limit, ctx, rendition)
    counted = count_segments(text)
    rendition.text = text
    rendition.segments = counted.segments
    rendition.meta.update(
        {
            "category": "marketing",
            "max_segments": limit,
            "encoding": counted.encoding,
            "units": counted.units,
            "sample_text": text,
            "sample_parts": list(counted.parts),
            "sample_segments": counted.segments,
            "cut": cut,
        }
    )
    if counted.segments > limit:
        rendition.warn(
            "sms_too_long",
            f"必要内容(签名、标题或名称与资费、办理指令、退订提示)已需 {counted.segments} 条短信,超过账号 {account.code} 的上限 {limit} 条",
            blocking=True,
        )


def _card_parts(card):
    facts = [card.fee_text, *(f"{label}{value}" for label, value in card.allowances())]
    head = f"{card.name}:{','.join(facts)}。"
    details = "、".join(card.highlights)
    tail = ""
    if card.order_command:
        tail = f"回复{card.order_command}办理"
        if card.cancel_command:
            tail += f",回复{card.cancel_command}退订"
    return head, details, tail


def _fit(prefix, details, suffix, limit, ctx, rendition):
    """prefix + details + suffix within ``limit`` segments, details cut (with a
    short link to the web rendition) when they do not fit. Returns (text, cut)."""
    whole = prefix + details + suffix
    if count_segments(whole).segments <= limit:
        return whole, False
    link = ""
    if ctx.web_url:
        link = ctx.short_link()
        rendition.meta["short_link"] = link
        rendition.meta["link_target"] = ctx.web_url
    else:
        rendition.warn("no_web_rendition", "短信被截断,但没有网上营业厅页面可链接,读者看不到全文")
    more = f"{ELLIPSIS}详情 {link} " if link else ELLIPSIS

    def text_with(n):
        return prefix + details[:n] + more + suffix

    low, high = 0, len(details)
    if count_segments(text_with(0)).segments > limit:
        return text_with(0), True
    while low < high:  # largest n that fits
        mid = (low + high + 1) // 2
        if count_segments(text_with(mid)).segments <= limit:
            low = mid
        else:
            high = mid - 1
    return text_with(low), True
