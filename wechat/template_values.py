"""What a template message's values may hold, per keyword type: the one rule the
sender API, the admin's test-send and the emulator share.

WeChat's category templates (类目模板, the only ones it adds since 2023) type every
keyword (``thing1``, ``amount2``...) and refuse a value that breaks its type with
47003 "argument invalid! data.<key>.value ...". The limits below are WeChat's
published table for those types; the older industry keywords (``keyword1``,
``first``, ``remark``) are free text up to ``FREE_TEXT_CHARS``."""

import re
from dataclasses import dataclass

ARGUMENT_INVALID = 47003
FREE_TEXT_CHARS = 200
# "符号": common symbols; never control characters.
_SYMBOLS = r"""!-/:-@\[-`{-~·—–‘’“”…、。《》「」『』【】〔〕！（），．：；？￥～"""
_DATE = r"(\d{4}[年/.\-])?\d{1,2}[月/.\-]\d{1,2}日?|\d{4}[年/.\-]\d{1,2}月?"
_TIME = r"\d{1,2}:\d{2}(:\d{2})?"
_MOMENT = rf"(({_DATE})(\s*{_TIME})?|{_TIME})"


@dataclass(frozen=True)
class ValueRule:
    label: str
    max_chars: int
    pattern: re.Pattern | None = None
    message: str = ""


def _p(regex):
    return re.compile(rf"^(?:{regex})$")


RULES = {
    "thing": ValueRule("事物", 20),
    "number": ValueRule("数字", 32, _p(r"-?\d+(\.\d+)?"), "只能是数字,可带小数"),
    "letter": ValueRule("字母", 32, _p(r"[A-Za-z]+"), "只能是字母"),
    "symbol": ValueRule("符号", 5, _p(f"[{re.escape(_SYMBOLS)}]+"), "只能是符号"),
    "character_string": ValueRule("字符串", 32, _p(f"[A-Za-z0-9{re.escape(_SYMBOLS)}]+"), "只能是数字、字母或符号"),
    "time": ValueRule(
        "时间", 40, _p(rf"{_MOMENT}(\s*~\s*{_MOMENT})?"), "须为24小时制时间,如 15:01 或 2019年10月1日 15:01"
    ),
    "date": ValueRule("日期", 40, _p(rf"{_MOMENT}(\s*~\s*{_MOMENT})?"), "须为日期,如 2019年10月1日 或 2019-10-01"),
    "amount": ValueRule(
        "金额", 16, _p(r"[¥￥$€£]?\d{1,10}(\.\d{1,2})?元?"), "须为一个币种符号加10位以内数字,可带小数,结尾可带“元”"
    ),
    "phone_number": ValueRule("电话", 17, _p(r"[0-9+\-() ]+"), "只能是数字和符号"),
    "car_number": ValueRule(
        "车牌", 8, _p(r"[\u4e00-\u9fffA-Za-z0-9][A-Za-z0-9]*[\u4e00-\u9fffA-Za-z0-9]?"), "首尾可为汉字,其余为字母或数字"
    ),
    "name": ValueRule("姓名", 20, _p(r"[\u4e00-\u9fff·]{1,10}|[A-Za-z .\-]{1,20}"), "10个以内汉字或20个以内字母"),
    "phrase": ValueRule("汉字", 5, _p(r"[\u4e00-\u9fff]+"), "只能是汉字"),
    "const": ValueRule("常量", 20),
}
FREE_TEXT = ValueRule("文本", FREE_TEXT_CHARS)


def rule_for(kind):
    """The rule of a keyword type (free text for the industry templates' keywords)."""
    return RULES.get(kind, FREE_TEXT)


def value_problem(kind, value):
    """``(code, reason)`` why ``value`` cannot fill a keyword of type ``kind``, or None.
    Codes: WRONG_TYPE (not text), EMPTY, TOO_LONG, INVALID_VALUE."""
    if not isinstance(value, str):
        return "WRONG_TYPE", "必须是文本"
    if not value.strip():
        return "EMPTY", "不能为空"
    if any(ord(ch) < 32 for ch in value):
        return "INVALID_VALUE", "不能含换行等控制字符"
    rule = rule_for(kind)
    if len(value) > rule.max_chars:
        return "TOO_LONG", f"超过{rule.label}类型的{rule.max_chars}个字符(现{len(value)}个)"
    if rule.pattern is not None and not rule.pattern.match(value):
        return "INVALID_VALUE", rule.message
    return None


def type_of_key(key):
    """The type a keyword key names: ``thing1`` -> ``thing``, ``amount12`` -> ``amount``."""
    return key.rstrip("0123456789")
