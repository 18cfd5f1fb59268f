"""SMS segment counting, the one place for the rule.

GSM 03.38 text: 160 septets in one message, 153 per part of a concatenated one;
characters of the extension table (| ^ € { } [ ] ~ \\ and form feed) take two
septets and an escape pair is never split between parts. Anything outside
GSM-7 (any Chinese) is sent as UCS-2: 70 UTF-16 units alone, 67 per part, and a
surrogate pair (emoji) is never split."""

from dataclasses import dataclass

GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = set("|^€{}[]~\\\f")
GSM7 = frozenset(GSM7_BASIC | GSM7_EXTENSION)

GSM7_SINGLE, GSM7_PART = 160, 153
UCS2_SINGLE, UCS2_PART = 70, 67


@dataclass(frozen=True)
class SegmentCount:
    encoding: str  # "GSM-7" or "UCS-2"
    units: int  # septets or UTF-16 code units
    segments: int
    parts: tuple

    @property
    def characters(self):
        return sum(len(p) for p in self.parts)


def encoding_of(text):
    return "GSM-7" if GSM7.issuperset(text) else "UCS-2"


def _units(text, encoding):
    # The sum of _unit_cost over the text, without a call per character (templates are
    # validated by the ten thousand on import).
    if encoding == "GSM-7":
        return len(text) + sum(text.count(c) for c in GSM7_EXTENSION)
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _unit_cost(char, encoding):
    if encoding == "GSM-7":
        return 2 if char in GSM7_EXTENSION else 1
    return 2 if ord(char) > 0xFFFF else 1


def count_segments(text):
    """How many SMS parts the text takes, and the parts themselves."""
    encoding = encoding_of(text)
    single, per_part = (GSM7_SINGLE, GSM7_PART) if encoding == "GSM-7" else (UCS2_SINGLE, UCS2_PART)
    units = _units(text, encoding)
    if units <= single:
        return SegmentCount(encoding, units, 1 if text else 0, (text,) if text else ())
    costs = [_unit_cost(c, encoding) for c in text]
    parts, start, used = [], 0, 0
    for i, cost in enumerate(costs):
        if used + cost > per_part:
            parts.append(text[start:i])
            start, used = i, 0
        used += cost
    parts.append(text[start:])
    return SegmentCount(encoding, units, len(parts), tuple(parts))
