"""Typed SMS template parameters: how each type is declared, formatted, sampled
and filled at its worst case. One table, used by validation, rendering and the
admin preview alike."""

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils import timezone
from django.utils.translation import gettext as _

from content.models.sms import PARAMETER_TYPES

NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,31}$")
MAX_PARAMETER_LENGTH = 200

TYPE_LABELS = {
    "amount": "金额",
    "date": "日期",
    "datetime": "日期时间",
    "phone": "电话号码",
    "int": "整数",
    "data_volume": "流量",
    "text": "文本",
    "code": "验证码/编码",
    "url": "链接",
}

# The widest character a value of the type may hold, repeated to the declared
# max length for the worst case. Text may be Chinese, so it costs a UCS-2 unit
# per character; everything else is ASCII.
WORST_CASE_CHAR = {
    "amount": "9",
    "date": "9",
    "datetime": "9",
    "phone": "9",
    "int": "9",
    "data_volume": "9",
    "text": "中",
    "code": "W",
    "url": "w",
}

PHONE_RE = re.compile(r"^(?:\+?86)?(\d{5,12})$")
CODE_RE = re.compile(r"^[A-Za-z0-9]+$")
_url_validator = URLValidator(schemes=["http", "https"])


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str
    max_length: int


def parse_declarations(raw):
    """The declarations as Parameters, or the list of problems found (never both)."""
    problems, params, seen = [], [], set()
    if raw in (None, ""):
        return [], []
    if not isinstance(raw, list):
        return [], [_("参数声明必须是列表")]
    for index, item in enumerate(raw, start=1):
        if not isinstance(item, dict):
            problems.append(_("第%(n)d个参数声明格式错误,须包含 name、type、max_length") % {"n": index})
            continue
        name, kind, max_length = item.get("name"), item.get("type"), item.get("max_length")
        label = name if isinstance(name, str) and name else f"#{index}"
        unknown_keys = set(item) - {"name", "type", "max_length"}
        if unknown_keys:
            problems.append(_("参数 %(name)s 含未知属性 %(keys)s") % {"name": label, "keys": ", ".join(sorted(unknown_keys))})
        if not isinstance(name, str) or not NAME_RE.match(name):
            problems.append(_("参数名 %(name)s 无效:须以字母或下划线开头,只含字母、数字、下划线") % {"name": label})
        elif name in seen:
            problems.append(_("参数 %(name)s 重复声明") % {"name": name})
        if kind not in PARAMETER_TYPES:
            problems.append(
                _("参数 %(name)s 的类型 %(type)s 未知,可选:%(choices)s")
                % {"name": label, "type": kind, "choices": ", ".join(PARAMETER_TYPES)}
            )
        if isinstance(max_length, bool) or not isinstance(max_length, int) or not 1 <= max_length <= MAX_PARAMETER_LENGTH:
            problems.append(
                _("参数 %(name)s 的最大长度须为1到%(max)d之间的整数") % {"name": label, "max": MAX_PARAMETER_LENGTH}
            )
        if isinstance(name, str):
            seen.add(name)
        params.append(Parameter(name, kind, max_length))
    return ([], problems) if problems else (params, [])


def _number(value, name):
    if isinstance(value, bool):
        raise ValidationError({name: _("参数 %(name)s 须为数字,收到 %(value)r") % {"name": name, "value": value}})
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise ValidationError({name: _("参数 %(name)s 须为数字,收到 %(value)r") % {"name": name, "value": value}})
    if not number.is_finite():
        raise ValidationError({name: _("参数 %(name)s 须为有限数字") % {"name": name}})
    return number


def _format_amount(value, name):
    return f"{_number(value, name).quantize(Decimal('0.01')):f}"


def _format_int(value, name):
    number = _number(value, name)
    if number != number.to_integral_value():
        raise ValidationError({name: _("参数 %(name)s 须为整数,收到 %(value)s") % {"name": name, "value": value}})
    return str(int(number))


def _format_data_volume(value, name):
    number = _number(value, name)
    if number < 0:
        raise ValidationError({name: _("参数 %(name)s 流量不能为负数") % {"name": name}})
    text = f"{number.quantize(Decimal('0.01')):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _as_date(value, name):
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValidationError({name: _("参数 %(name)s 须为日期(YYYY-MM-DD),收到 %(value)r") % {"name": name, "value": value}})


def _format_date(value, name):
    return _as_date(value, name).strftime("%Y-%m-%d")


def _format_datetime(value, name):
    if not isinstance(value, datetime.datetime):
        try:
            value = datetime.datetime.fromisoformat(str(value).strip())
        except ValueError:
            raise ValidationError(
                {name: _("参数 %(name)s 须为日期时间(YYYY-MM-DD HH:MM),收到 %(value)r") % {"name": name, "value": value}}
            )
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.strftime("%Y-%m-%d %H:%M")


def _format_phone(value, name):
    digits = re.sub(r"[\s\-]", "", str(value))
    match = PHONE_RE.match(digits)
    if not match:
        raise ValidationError({name: _("参数 %(name)s 不是有效的电话号码:%(value)s") % {"name": name, "value": value}})
    return match.group(1)


def _format_text(value, name):
    if not isinstance(value, str):
        value = str(value)
    if any(ord(c) < 32 and c not in "\n" for c in value):
        raise ValidationError({name: _("参数 %(name)s 含控制字符") % {"name": name}})
    if "{" in value or "}" in value:
        raise ValidationError({name: _("参数 %(name)s 不能含花括号") % {"name": name}})
    return value


def _format_code(value, name):
    value = str(value).strip()
    if not CODE_RE.match(value):
        raise ValidationError({name: _("参数 %(name)s 只能含字母和数字,收到 %(value)r") % {"name": name, "value": value}})
    return value


def _format_url(value, name):
    value = str(value).strip()
    try:
        _url_validator(value)
    except ValidationError:
        raise ValidationError({name: _("参数 %(name)s 不是有效的 http(s) 链接:%(value)s") % {"name": name, "value": value}})
    return value


FORMATTERS = {
    "amount": _format_amount,
    "date": _format_date,
    "datetime": _format_datetime,
    "phone": _format_phone,
    "int": _format_int,
    "data_volume": _format_data_volume,
    "text": _format_text,
    "code": _format_code,
    "url": _format_url,
}


def format_value(parameter, value):
    """The value as it appears in the SMS; ValidationError({name: ...}) when wrong or too long."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValidationError({parameter.name: _("缺少参数 %(name)s 的值") % {"name": parameter.name}})
    text = FORMATTERS[parameter.type](value, parameter.name)
    if len(text) > parameter.max_length:
        raise ValidationError(
            {
                parameter.name: _("参数 %(name)s 的值 %(value)s 有%(length)d个字符,超过最大长度%(max)d")
                % {"name": parameter.name, "value": text, "length": len(text), "max": parameter.max_length}
            }
        )
    return text


def sample_value(parameter, today=None):
    """A plausible value for previews, trimmed to the declared max length."""
    today = today or timezone.localdate()
    samples = {
        "amount": "58.00",
        "date": today.strftime("%Y-%m-%d"),
        "datetime": today.strftime("%Y-%m-%d") + " 09:30",
        "phone": "13800138000",
        "int": "100",
        "data_volume": "1024",
        "text": "示例内容",
        "code": "123456",
        "url": "https://10086.cn",
    }
    return samples[parameter.type][: parameter.max_length]


def worst_case_value(parameter):
    return WORST_CASE_CHAR[parameter.type] * parameter.max_length
