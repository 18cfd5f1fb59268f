"""What a search matches and how it ranks: per searched model, the columns matched
and the score of a match in each; snippets with the match in <em>; suggestions for
the search box. Callers pass querysets already narrowed to what the principal may
read (content.access). On PostgreSQL the rows are first narrowed by the bigram index
of each searched table (migration 0014, ``grams_of``), then matched exactly."""

import html
from dataclasses import dataclass

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.lookups import DataContains
from django.db import connections
from django.db.models import Case, Func, IntegerField, Q, TextField, Value, When
from django.db.models.functions import Cast, Left, Length, Upper
from django.db.models.lookups import Exact

from api.errors import ApiError, ErrorCode
from api.text import refusal
from content import kinds
from content.models import Article, Business, Package, SmsTemplate

MIN_LENGTH = 2  # one Chinese character matches too much to rank, and has no bigram to serve it
MAX_LENGTH = 64
SUGGEST_MAX_LENGTH = 32
SNIPPET_CONTEXT = 30  # characters shown either side of the match
SUGGESTIONS = 10


@dataclass(frozen=True)
class Searched:
    """A searched model: its title column, the columns matched after it, and the
    column holding its order commands (a list on SMS templates)."""

    kind: str  # a content.kinds code
    model: type
    title: str
    more: tuple
    command: str | None = None

    @property
    def columns(self):
        """The matched columns, in the order of the bigram index (migration 0014)."""
        return ("code", self.title, *self.more, *([self.command] if self.command else []))

    def match_q(self, text):
        q = Q(code__icontains=text) | Q(**{f"{self.title}__icontains": text}) | self._command_holds(text)
        for column in self.more:
            q |= Q(**{f"{column}__icontains": text})
        return q

    def rank(self, text):
        """Score of a match: the code itself, then an order command, then the title
        (from its start first), then the code or a command containing the text, then
        the rest."""
        return Case(
            When(code__iexact=text, then=Value(100)),
            When(self._command_is(text), then=Value(90)),
            When(_starts_with(self.title, text), then=Value(70)),
            When(**{f"{self.title}__icontains": text}, then=Value(50)),
            When(Q(code__icontains=text) | self._command_holds(text), then=Value(40)),
            default=Value(20),
            output_field=IntegerField(),
        )

    def _command_holds(self, text):
        return Q(**{f"{self.command}__icontains": text}) if self.command else Q(pk__in=[])

    def _command_is(self, text):
        if self.command is None:
            return Q(pk__in=[])
        if self.model is SmsTemplate:
            # commands is a JSON list: the command quoted is one whole element.
            return Q(commands__icontains=f'"{text}"')
        return Q(**{f"{self.command}__iexact": text})

    def commands(self, item):
        if self.command is None:
            return []
        value = getattr(item, self.command)
        return list(value) if isinstance(value, list) else [value] if value else []

    def label(self, item):
        """What a hit is called: the title, or for an SMS template its commands (its code without)."""
        if self.model is SmsTemplate:
            return " / ".join(self.commands(item)) or item.code
        return getattr(item, self.title)

    def texts(self, item):
        """The texts of ``item`` a snippet may come from, best first."""
        return [getattr(item, self.title), *(getattr(item, c) for c in self.more), item.code, " ".join(self.commands(item))]


SEARCHED = (
    Searched(kinds.Kind.ARTICLE.value, Article, "title", ("digest",)),
    Searched(kinds.Kind.PACKAGE.value, Package, "name", ("family",), command="order_command"),
    Searched(kinds.Kind.BUSINESS.value, Business, "name", ("kind",), command="order_command"),
    Searched(kinds.Kind.SMS_TEMPLATE.value, SmsTemplate, "text", (), command="commands"),
)


def searched(kind_codes=None):
    """The searched models, those of ``kind_codes`` only when given."""
    return [s for s in SEARCHED if kind_codes is None or s.kind in kind_codes]


def search_text(text, field="text", max_length=MAX_LENGTH, min_length=MIN_LENGTH):
    """The text to search for, stripped; INVALID_ARGUMENT naming ``field`` when it
    cannot be searched. None when it holds no letter or digit (nothing can match)."""
    reason = refusal(text)
    if reason:
        raise ApiError(ErrorCode.INVALID_ARGUMENT, f"{field} {reason}", field=field)
    text = " ".join(text.split())
    if len(text) < min_length:
        raise ApiError(ErrorCode.INVALID_ARGUMENT, f"{field} must have at least {min_length} characters", field=field)
    if len(text) > max_length:
        raise ApiError(ErrorCode.INVALID_ARGUMENT, f"{field} must have at most {max_length} characters", field=field)
    if not any(c.isalnum() for c in text):
        return None
    return text


def _starts_with(column, text):
    """``column__istartswith=text`` upper-casing only the text's length of the column
    (UPPER keeps the number of characters): the rank runs on every candidate, and an
    SMS template's text is long."""
    wanted = Value(text, output_field=TextField())
    return Exact(Upper(Left(column, Length(wanted))), Upper(wanted))


class Grams(Func):
    """content_search_grams (migration 0014): the distinct two-character grams of texts."""

    function = "content_search_grams"
    output_field = ArrayField(TextField())


def _indexed(queryset):
    return connections[queryset.db].vendor == "postgresql"


def grams_of(spec, queryset, text):
    """``queryset`` narrowed to rows whose grams hold every gram of ``text``: the
    bigram index's condition, the very expression it is built on. Only a candidate
    set for a longer text: it must still be matched exactly. Unchanged off PostgreSQL
    and for one character (no gram)."""
    if len(text) < 2 or not _indexed(queryset):
        return queryset
    row = Grams(*(Upper(Cast(column, TextField())) for column in spec.columns))
    return queryset.filter(DataContains(row, Grams(Upper(Value(text, output_field=TextField())))))


def matches(spec, queryset, text):
    """Rows (rank, kind order, id) of ``queryset`` matching ``text``."""
    order = SEARCHED.index(spec)
    found = grams_of(spec, queryset, text)
    if len(text) != 2 or not _indexed(queryset):
        # Two characters are one gram, held only by a column holding them: the index
        # answers exactly and the substring test would only repeat it on every candidate.
        found = found.filter(spec.match_q(text))
    return (
        found.annotate(rank=spec.rank(text), kind_order=Value(order, output_field=IntegerField()))
        .values("rank", "kind_order", "id")
        .order_by()  # the union is ordered; its parts need not be
    )


def snippet(texts, text):
    """The first of ``texts`` holding ``text``, around its first match, HTML-escaped
    with every match wrapped in <em>; the first text, escaped, when none holds it."""
    needle = text.casefold()
    for candidate in texts:
        if not candidate:
            continue
        folded = candidate.casefold()
        # casefold may change lengths (ß → ss); fall back to the plain text then.
        at = folded.find(needle) if len(folded) == len(candidate) else -1
        if at < 0:
            continue
        start = max(0, at - SNIPPET_CONTEXT)
        end = min(len(candidate), at + len(text) + SNIPPET_CONTEXT)
        return ("…" if start else "") + _highlight(candidate[start:end], text) + ("…" if end < len(candidate) else "")
    first = next((t for t in texts if t), "")
    return html.escape(first[: 2 * SNIPPET_CONTEXT])


def _highlight(window, text):
    folded, needle, out, at = window.casefold(), text.casefold(), [], 0
    while (found := folded.find(needle, at)) >= 0:
        out += [html.escape(window[at:found]), "<em>", html.escape(window[found:found + len(text)]), "</em>"]
        at = found + len(text)
    out.append(html.escape(window[at:]))
    return "".join(out)


@dataclass(frozen=True)
class Suggestion:
    text: str
    kind: str
    code: str


def suggestions(readable, prefix, limit=SUGGESTIONS):
    """What the search box offers for ``prefix``: codes and order commands starting
    with it, names starting with or holding it, package families and business kinds.
    ``readable(model)`` is the queryset of what the caller may read; one query per model."""
    found = []
    for spec in SEARCHED:
        if spec.model is SmsTemplate:
            # commands is a JSON list: a command starting with the prefix follows a quote.
            quoted = f'"{prefix}'
            rows = grams_of(spec, readable(SmsTemplate), quoted).filter(commands__icontains=quoted).values_list(
                "code", "commands")
            found += [
                (0, command, spec.kind, code)
                for code, commands in rows[:limit] for command in commands or []
                if isinstance(command, str) and command.upper().startswith(prefix.upper())
            ]
            continue
        commands = [spec.command] if spec.command else []
        q = Q(code__istartswith=prefix) | Q(**{f"{spec.title}__icontains": prefix})
        for column in [*commands, *spec.more]:
            q |= Q(**{f"{column}__istartswith": prefix})
        for row in grams_of(spec, readable(spec.model), prefix).filter(q).values("code", spec.title, *spec.more, *commands)[:limit]:
            found += [(0, row[c], spec.kind, row["code"]) for c in ["code", *commands]]
            found += [(1, row[c], spec.kind, row["code"]) for c in spec.more]
            found.append((2, row[spec.title], spec.kind, row["code"]))
    return _best(found, prefix, limit)


def _best(found, prefix, limit):
    """Distinct texts holding ``prefix``: those starting with it first, shorter first."""
    folded, seen, out = prefix.casefold(), set(), []
    ranked = sorted(
        (not text.casefold().startswith(folded), len(text), group, text, kind, code)
        for group, text, kind, code in found if text and folded in text.casefold()
    )
    for *_, text, kind, code in ranked:
        if text.casefold() not in seen:
            seen.add(text.casefold())
            out.append(Suggestion(text, kind, code))
    return out[:limit]
