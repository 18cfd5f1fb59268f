"""Form fields that let editors type structured lists as plain lines instead of
JSON: SMS parameter declarations, commands, highlights, template-message fields."""

import json
import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from content.models.sms import PARAMETER_TYPES
from content.services.sms_parameters import TYPE_LABELS

# Default max length of each parameter type when a line leaves it out.
DEFAULT_MAX_LENGTH = {
    "amount": 10, "date": 10, "datetime": 16, "phone": 11, "int": 8,
    "data_volume": 8, "text": 20, "code": 6, "url": 60,
}
TYPE_BY_LABEL = {label: kind for kind, label in TYPE_LABELS.items()}
SPLIT_RE = re.compile(r"[\s,,::;;、|]+")


class LinesField(forms.CharField):
    """A list of values, one per line in a textarea."""

    def __init__(self, *args, rows=4, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": rows}))
        super().__init__(*args, **kwargs)

    def prepare_value(self, value):
        value = _stored_list(value)
        if isinstance(value, (list, tuple)):
            return "\n".join(self.format_item(item) for item in value)
        return value

    def format_item(self, item):
        return str(item)

    def to_python(self, value):
        text = super().to_python(value) or ""
        items, problems = [], []
        for number, line in enumerate(text.splitlines(), start=1):
            line = line.strip()
            if not line:
                continue
            try:
                items.append(self.parse_line(line))
            except ValidationError as e:
                problems.extend(_("第%(n)d行:%(message)s") % {"n": number, "message": m} for m in e.messages)
        if problems:
            raise ValidationError(problems)
        return items

    def parse_line(self, line):
        return line

    def has_changed(self, initial, data):
        return self.prepare_value(initial or []) != (data or "").strip()


class ParameterDeclarationsField(LinesField):
    """Lines of ``name type [max_length]``; the type may be given in Chinese (金额)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "help_text",
            _("每行一个参数:名称 类型 最大长度,如 fee amount 10。类型:%(types)s")
            % {"types": "、".join(f"{k}({v})" for k, v in TYPE_LABELS.items())},
        )
        super().__init__(*args, **kwargs)

    def format_item(self, item):
        if isinstance(item, dict):
            return f"{item.get('name', '')} {item.get('type', '')} {item.get('max_length', '')}".strip()
        return str(item)

    def parse_line(self, line):
        parts = [p for p in SPLIT_RE.split(line) if p]
        if len(parts) not in (2, 3):
            raise ValidationError(_("格式应为“名称 类型 最大长度”,收到“%(line)s”") % {"line": line})
        name, kind = parts[0], TYPE_BY_LABEL.get(parts[1], parts[1])
        if kind not in PARAMETER_TYPES:
            raise ValidationError(
                _("参数 %(name)s 的类型 %(type)s 未知,可选:%(choices)s")
                % {"name": name, "type": parts[1], "choices": ", ".join(PARAMETER_TYPES)}
            )
        if len(parts) == 3:
            if not parts[2].isdigit():
                raise ValidationError(_("参数 %(name)s 的最大长度须为正整数") % {"name": name})
            max_length = int(parts[2])
        else:
            max_length = DEFAULT_MAX_LENGTH[kind]
        return {"name": name, "type": kind, "max_length": max_length}


class WordListField(LinesField):
    """Words separated by commas, spaces or lines (SMS commands)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", forms.TextInput())
        super().__init__(*args, **kwargs)

    def prepare_value(self, value):
        if isinstance(value, (list, tuple)):
            return ", ".join(str(v) for v in value)
        return value

    def to_python(self, value):
        text = forms.CharField.to_python(self, value) or ""
        return [w.upper() for w in SPLIT_RE.split(text.strip()) if w]

    def has_changed(self, initial, data):
        return self.prepare_value(initial or []) != ", ".join(self.to_python(data))


class TemplateFieldsField(LinesField):
    """Lines of ``key label type`` for a template-message definition."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("help_text", _("每行一个字段:key 名称 类型,如 thing1 账单月份 thing"))
        super().__init__(*args, **kwargs)

    def format_item(self, item):
        if isinstance(item, dict):
            return f"{item.get('key', '')} {item.get('label', '')} {item.get('type', '')}".strip()
        return str(item)

    def parse_line(self, line):
        parts = [p for p in SPLIT_RE.split(line) if p]
        if len(parts) != 3:
            raise ValidationError(_("格式应为“key 名称 类型”,收到“%(line)s”") % {"line": line})
        return {"key": parts[0], "label": parts[1], "type": parts[2]}


class CodeListInput(forms.TextInput):
    """Codes separated by commas or spaces, for a JSON list field (brands, regions)."""

    def format_value(self, value):
        value = _stored_list(value)
        if isinstance(value, (list, tuple)):
            return ", ".join(str(v) for v in value)
        return value

    def value_from_datadict(self, data, files, name):
        text = data.get(name)
        if text is None:
            return None
        return json.dumps([code for code in SPLIT_RE.split(str(text).strip()) if code], ensure_ascii=False)


def _stored_list(value):
    """A JSON list field's value as a list when it arrives as its JSON text (a bound
    form's initial data); anything else as it is."""
    if isinstance(value, str) and value.startswith("["):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value
