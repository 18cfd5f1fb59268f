"""SMS business hall: plain text with the account's signature, within the
account's segment limit, marketing texts with the opt-out, a short link to the
web rendition when the text is cut, and the segment count (counted by
``content.services.sms_segments.count_segments``, the one counter).

Articles, packages and businesses are promotional, so they always carry the
opt-out; an SMS template carries it when its category is marketing. A template
is a reply customers asked for: it is never cut, and one that cannot fit its
account's limit with every parameter at its maximum length blocks."""

from content.models import SmsTemplate
from content.services import sms as sms_rules
from content.services.sms_parameters import parse_declarations, sample_value, worst_case_value
from content.services.sms_segments import count_segments

from .rendition import ARTICLE, SMS, SMS_TEMPLATE, Rendition

ELLIPSIS = "…"
CLOSING_PUNCTUATION = "。!！?？.;；,，、"


def _sentence(text):
    text = text.strip()
    return text if not text or text[-1] in CLOSING_PUNCTUATION else text + "。"


def render_sms(ctx, account):
    source = ctx.source
    rendition = Rendition(SMS, source.kind, source.code, title=source.title, account=account.code)
    # Signature, opt-out and segment limit: the content app's SMS rules of this account.
    rules = sms_rules.rules_for(source.item if source.kind == SMS_TEMPLATE else None, account)
    if not rules.signature:
        rendition.warn("no_signature", f"短信账号 {account.code} 未配置短信签名,短信必须带签名", blocking=True)
    if source.kind == SMS_TEMPLATE:
        _template(source.item, rules, rendition)
    else:
        _promotion(ctx, rules, rendition)
    return rendition


def _template(template, rules, rendition):
    text = template.text or ""
    params, problems = parse_declarations(template.parameters)
    if problems:
        rendition.warn("parameters_invalid", f"参数声明有误: {'; '.join(problems)}", blocking=True)
    declared = {p.name for p in params}
    undeclared = [name for name in sms_rules.placeholders(text) if name not in declared]
    if undeclared:
        rendition.warn("undeclared_parameter", f"模板使用了未声明的参数 {', '.join(undeclared)}", blocking=True)
    if template.category == SmsTemplate.Category.MARKETING and rules.opt_out_text not in text:
        # The validator refuses such a template; one that got in anyway still carries the opt-out.
        text = _sentence(text) + rules.opt_out_text
        rendition.warn("opt_out_added", f"营销短信缺少退订提示,已在末尾加上“{rules.opt_out_text}”")
    text = rules.signature + text
    worst = count_segments(sms_rules.fill(text, params, worst_case_value))
    sample_text = sms_rules.fill(text, params, sample_value)
    sample = count_segments(sample_text)
    rendition.text = text
    rendition.segments = worst.segments
    rendition.meta = {
        "category": template.category,
        "max_segments": rules.max_segments,
        "encoding": worst.encoding,
        "units": worst.units,
        "parameters": [p.name for p in params],
        "sample_text": sample_text,
        "sample_parts": list(sample.parts),
        "sample_segments": sample.segments,
        "cut": False,
    }
    if worst.segments > rules.max_segments:
        rendition.warn(
            "sms_too_long",
            f"参数取最大长度时共 {worst.units} 个计费单位({worst.encoding}),需 {worst.segments} 条短信,"
            f"超过账号 {rendition.account} 的上限 {rules.max_segments} 条",
            blocking=True,
        )


def _promotion(ctx, rules, rendition):
    """Article, package or business: essentials always, details cut to fit with a short link."""
    source = ctx.source
    signature, opt_out, limit = rules.signature, rules.opt_out_text, rules.max_segments
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
            f"必要内容(签名、标题或名称与资费、办理指令、退订提示)已需 {counted.segments} 条短信,"
            f"超过账号 {rendition.account} 的上限 {limit} 条",
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
