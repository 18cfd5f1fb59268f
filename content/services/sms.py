"""SMS interaction templates: the one validator (admin form, importer and API
refuse the same way), typed rendering, the worst case an account must carry.
Command bindings per brand are in ``sms_commands``; which templates an account's
rules break, in ``sms_recheck``."""

import re
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from content import memo
from content.models import ChannelAccount, SmsTemplate
from content.services.sms_commands import (  # noqa: F401  (re-exported: admin hooks, signal handlers)
    bind_commands,
    binding_brands,
    clashes,
    sync_command_bindings,
)
from content.services.sms_parameters import (
    TYPE_LABELS,
    format_value,
    parse_declarations,
    sample_value,
    worst_case_value,
)
from content.services.sms_segments import count_segments

MAX_TEMPLATE_CHARS = 500
# Django computes an enum's ``values`` on each access: too dear per template on an import.
CATEGORIES = frozenset(SmsTemplate.Category.values)
PLACEHOLDER_RE = re.compile(r"\{([^{}]*)\}")
COMMAND_RE = re.compile(r"^[A-Z0-9#*]{1,20}$")


@dataclass(frozen=True)
class SmsRules:
    """What an SMS account imposes on the templates it sends."""

    signature: str
    opt_out_text: str
    max_segments: int
    account: ChannelAccount | None = None


def default_rules():
    return SmsRules(
        signature=settings.CMS_SMS_DEFAULT_SIGNATURE,
        opt_out_text=settings.CMS_SMS_DEFAULT_OPT_OUT_TEXT,
        max_segments=settings.CMS_SMS_DEFAULT_MAX_SEGMENTS,
    )


def serving_account(organisation):
    """The enabled SMS account of the organisation, else of its nearest ancestor
    (one query: the tree is at most three deep)."""
    if organisation is None:
        return None
    # Once per organisation inside a content.memo block (the release page's templates).
    return memo.once(("sms serving account", organisation.pk, organisation.parent_id),
                     lambda: _serving_account(organisation))


def _serving_account(organisation):
    candidates = (
        ChannelAccount.objects.filter(type=ChannelAccount.Type.SMS, enabled=True)
        .filter(
            Q(organisation_id=organisation.pk)
            | Q(organisation__children=organisation)
            | Q(organisation__children__children=organisation)
        )
        .distinct()
    )

    def distance(account):
        if account.organisation_id == organisation.pk:
            return 0
        return 1 if account.organisation_id == organisation.parent_id else 2

    return min(candidates, key=lambda a: (distance(a), a.code), default=None)


def rules_for(template, account=None):
    if account is None:
        organisation = template.organisation if template.organisation_id else None
        account = serving_account(organisation)
    return _rules_of(account)


def placeholders(text):
    """Names used as {name} in the text, in order of first use."""
    seen = []
    for name in PLACEHOLDER_RE.findall(text or ""):
        if name not in seen:
            seen.append(name)
    return seen


def _brace_problems(text):
    problems = []
    stripped = PLACEHOLDER_RE.sub("", text)
    if "{" in stripped or "}" in stripped:
        problems.append(_("花括号不成对:参数须写作 {name}"))
    for name in placeholders(text):
        if not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", name):
            problems.append(_("{%(name)s} 不是有效的参数名") % {"name": name})
    return problems


def normalise_commands(commands):
    """Upper-cased, stripped commands and the problems found in them."""
    if commands in (None, ""):
        return [], []
    if not isinstance(commands, (list, tuple)):
        return [], [_("绑定指令必须是列表")]
    out, problems = [], []
    for raw in commands:
        command = str(raw).strip().upper()
        if not COMMAND_RE.match(command):
            problems.append(_("指令 %(command)s 无效:只能含字母、数字、#、*,最长20个字符") % {"command": raw})
        elif command in out:
            problems.append(_("指令 %(command)s 重复") % {"command": command})
        else:
            out.append(command)
    return out, problems


def fill(text, params, value_for):
    by_name = {p.name: p for p in params}
    return PLACEHOLDER_RE.sub(lambda m: value_for(by_name[m.group(1)]) if m.group(1) in by_name else m.group(0), text)


def worst_case_text(template, account=None):
    """The message as sent with every parameter at its max length, signature included."""
    rules = rules_for(template, account)
    params, _problems = parse_declarations(template.parameters)
    return rules.signature + fill(template.text or "", params, worst_case_value)


def sample_text(template, account=None):
    rules = rules_for(template, account)
    params, _problems = parse_declarations(template.parameters)
    return rules.signature + fill(template.text or "", params, sample_value)


def validate_template(template, account=None):
    """Raise ValidationError({field: [...]}) for every rule the template breaks."""
    errors = defaultdict(list)
    text = template.text or ""
    rules = rules_for(template, account)

    if template.category not in CATEGORIES:
        errors["category"].append(
            _("类别 %(value)s 未知,可选:%(choices)s")
            % {"value": template.category, "choices": ", ".join(SmsTemplate.Category.values)}
        )
    if not text.strip():
        errors["text"].append(_("模板内容不能为空"))
    if len(text) > MAX_TEMPLATE_CHARS:
        errors["text"].append(
            _("模板内容有%(length)d个字符,超过上限%(max)d") % {"length": len(text), "max": MAX_TEMPLATE_CHARS}
        )
    errors["text"].extend(_brace_problems(text))

    params, problems = parse_declarations(template.parameters)
    errors["parameters"].extend(problems)
    if not problems:
        declared = {p.name for p in params}
        used = placeholders(text)
        for name in used:
            if name not in declared and re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", name):
                errors["text"].append(_("参数 {%(name)s} 未声明") % {"name": name})
        for p in params:
            if p.name not in used:
                errors["parameters"].append(_("参数 %(name)s 已声明但模板中未使用") % {"name": p.name})

    if not problems and text.strip() and len(text) <= MAX_TEMPLATE_CHARS:
        errors["text"].extend(account_rule_problems(template, rules, params))
    elif template.category == SmsTemplate.Category.MARKETING:
        errors["text"].extend(account_rule_problems(template, rules, None))

    commands, problems = normalise_commands(template.commands)
    errors["commands"].extend(problems)
    if commands and rules.account is not None:
        errors["commands"].extend(clashes(rules.account, template.pk, commands, binding_brands(template)))

    errors = {field: messages for field, messages in errors.items() if messages}
    if errors:
        raise ValidationError(errors)


def account_rule_problems(template, rules, params):
    """What the serving account's rules (opt-out text, signature, segment limit) find
    wrong with a template; ``params`` None skips the worst case (the text is already
    refused for its own faults). The part of ``validate_template`` an account change
    re-checks, without a query."""
    problems = []
    text = template.text or ""
    if template.category == SmsTemplate.Category.MARKETING and rules.opt_out_text not in text:
        problems.append(_("营销短信必须包含退订提示“%(opt_out)s”") % {"opt_out": rules.opt_out_text})
    if params is None:
        return problems
    worst = count_segments(rules.signature + fill(text, params, worst_case_value))
    if worst.segments > rules.max_segments:
        problems.append(
            _(
                "最长情况(参数取最大长度,含签名%(signature)s)为%(units)d个字符单位,需%(segments)d条短信,"
                "超过账号上限%(max)d条"
            )
            % {
                "signature": rules.signature or "-",
                "units": worst.units,
                "segments": worst.segments,
                "max": rules.max_segments,
            }
        )
    return problems


def render_template(template, values, account=None, *, signed=False):
    """The template filled with typed, formatted values.

    Raise ValidationError({parameter_name: ...}) for a missing, wrong, too long
    or undeclared value. ``signed`` prefixes the account's signature."""
    params, problems = parse_declarations(template.parameters)
    if problems:
        raise ValidationError({"parameters": problems})
    values = dict(values or {})
    errors = {}
    undeclared = sorted(set(values) - {p.name for p in params})
    for name in undeclared:
        errors[name] = [_("参数 %(name)s 未在模板 %(code)s 中声明") % {"name": name, "code": template.code}]
    formatted = {}
    for p in params:
        try:
            formatted[p.name] = format_value(p, values.get(p.name))
        except ValidationError as e:
            errors.update(e.message_dict)
    if errors:
        raise ValidationError(errors)
    body = fill(template.text or "", params, lambda p: formatted[p.name])
    return rules_for(template, account).signature + body if signed else body


def measure(template, account=None):
    """What the admin shows while typing: length, segments, previews and problems."""
    rules = rules_for(template, account)
    sample = sample_text(template, rules.account)
    worst = worst_case_text(template, rules.account)
    sample_count, worst_count = count_segments(sample), count_segments(worst)
    try:
        validate_template(template, rules.account)
        problems = []
    except ValidationError as e:
        # Shown beside the form the editor is typing in: the messages name what is wrong.
        problems = [message for messages in e.message_dict.values() for message in messages]
    params, _problems = parse_declarations(template.parameters)
    return {
        "length": len(template.text or ""),
        "max_length": MAX_TEMPLATE_CHARS,
        "account": rules.account.code if rules.account else None,
        "signature": rules.signature,
        "max_segments": rules.max_segments,
        "preview": sample,
        "preview_encoding": sample_count.encoding,
        "preview_units": sample_count.units,
        "preview_segments": sample_count.segments,
        "worst_units": worst_count.units,
        "worst_encoding": worst_count.encoding,
        "worst_segments": worst_count.segments,
        "parameters": [{"name": p.name, "type": p.type, "type_label": TYPE_LABELS[p.type],
                        "max_length": p.max_length} for p in params],
        "problems": problems,
    }


def rules_for_organisations(org_ids=None):
    """SmsRules for many organisations (all when None) in two queries (list views, bundles)."""
    from content.models import Organisation

    parents = dict(Organisation.objects.values_list("pk", "parent_id"))
    if org_ids is None:
        org_ids = parents
    accounts = {}
    for account in ChannelAccount.objects.filter(type=ChannelAccount.Type.SMS, enabled=True).order_by("-code"):
        accounts[account.organisation_id] = account
    out = {}
    for org_id in set(org_ids):
        node, seen = org_id, set()
        while node is not None and node not in accounts and node not in seen:
            seen.add(node)
            node = parents.get(node)
        account = accounts.get(node) if node is not None else None
        out[org_id] = _rules_of(account)
    return out


def _rules_of(account):
    defaults = default_rules()
    if account is None:
        return defaults
    return SmsRules(
        signature=account.signature or "",
        opt_out_text=account.opt_out_text or defaults.opt_out_text,
        max_segments=account.max_segments or defaults.max_segments,
        account=account,
    )
