"""GraphQL of search: ``search`` (a ranked connection of hits over what the token may
read) and ``suggest`` (what the search box offers). Matching, ranking and snippets
are content.search.services'; what the caller may read is content.access's."""

import graphene

from api import limits
from api.pagination import connection_type
from content import access
from content.schema.loaders import asked_fields, load, prepare
from content.schema.types import (
    ArticleNode,
    BusinessNode,
    ChannelType,
    PackageNode,
    SmsTemplateNode,
)
from content.search import services
from content.search.paging import paginate_hits
from content.search.services import SEARCHED
from content.search.statements import union_of

SearchKind = graphene.Enum(
    "SearchKind", [(spec.kind.upper(), str(spec.kind)) for spec in SEARCHED], description="What a search hit is."
)


class SearchHit(graphene.ObjectType):
    """One item matching a search, with the node of its kind."""

    kind = graphene.Field(SearchKind, required=True)
    code = graphene.String(required=True)
    title = graphene.String(required=True, description="Title or name; an SMS template's commands.")
    snippet = graphene.String(
        required=True, description="HTML: the matched text HTML-escaped, each match wrapped in <em>."
    )
    rank = graphene.Int(required=True, description="Higher is better: 100 code, 90 order command, 70/50 title.")
    commands = graphene.List(graphene.NonNull(graphene.String), required=True, description="Order commands.")
    article = graphene.Field(ArticleNode)
    package = graphene.Field(PackageNode)
    business = graphene.Field(BusinessNode)
    sms_template = graphene.Field(SmsTemplateNode)


SearchHitConnection = connection_type(SearchHit)


class Suggestion(graphene.ObjectType):
    text = graphene.String(required=True, description="A code, order command, name or common term.")
    kind = graphene.Field(SearchKind, required=True)
    code = graphene.String(required=True, description="Code of the item the text comes from.")


class Suggestions(graphene.ObjectType):
    """What the search box offers for a prefix: at most ten, starting with it first, shorter first."""

    prefix = graphene.String(required=True, description="The prefix, spaces collapsed.")
    suggestions = graphene.List(graphene.NonNull(Suggestion), required=True)


# A search is a union over four tables (counted with its page) plus one load per kind; suggest one query per kind.
limits.weigh("Query", "search", 20)
limits.weigh("Query", "suggest", 10)


class Hit:
    """A SearchHit's value: the item, its spec and the searched text."""

    def __init__(self, spec, item, rank, text):
        self.kind = spec.kind
        self.code = item.code
        self.title = spec.label(item)
        self.snippet = services.snippet(spec.texts(item), text)
        self.rank = rank
        self.commands = spec.commands(item)
        for spec_of_field in SEARCHED:
            setattr(self, spec_of_field.kind, item if spec_of_field is spec else None)


def _value(choice):
    return getattr(choice, "value", choice)


def _audience(info, channel):
    audience = access.principal(info).audience
    return audience.of_type(_value(channel)) if channel else audience


def _hits(info, text):
    """Rows of the union → Hits, loading each kind's items in one query (plus the
    relations the query asks for)."""
    asked = asked_fields(info)

    def transform(rows):
        by_kind = {}
        for row in rows:
            by_kind.setdefault(row["kind_order"], []).append(row["id"])
        items = {}
        for order, ids in by_kind.items():
            model = SEARCHED[order].model
            found = list(prepare(model, model._default_manager.filter(pk__in=ids), asked))
            load(model, found, info, asked=asked)
            items.update({(order, item.pk): item for item in found})
        return [Hit(SEARCHED[r["kind_order"]], items[(r["kind_order"], r["id"])], r["rank"], text) for r in rows]

    return transform


class Query(graphene.ObjectType):
    search = graphene.Field(
        SearchHitConnection,
        required=True,
        text=graphene.String(required=True, description="2 to 64 characters; any script, punctuation is literal."),
        kinds=graphene.List(graphene.NonNull(SearchKind), description="Only these kinds (default: all)."),
        channel=ChannelType(description="Only items reaching the token's accounts of this channel."),
        first=graphene.Int(description="Rows after `after`, at most the maximum page size."),
        after=graphene.String(),
    )
    suggest = graphene.Field(
        Suggestions,
        required=True,
        prefix=graphene.String(required=True, description="1 to 32 characters typed in the search box."),
    )

    def resolve_search(root, info, text, kinds=None, channel=None, first=None, after=None):
        wanted = services.search_text(text)
        codes = None if kinds is None else {_value(k) for k in kinds}
        if wanted is None:
            return paginate_hits(None, first=first, after=after)

        def parts(text):
            audience = _audience(info, channel)
            return [services.matches(spec, access.published(spec.model, info, audience), text)
                    for spec in services.searched(codes)]

        # The SQL depends on what the reader may read, the channel and the kinds: reused for these.
        reach = access.principal(info).reach_key
        key = ("search", reach, _value(channel), None if codes is None else frozenset(codes)) if reach else None
        return paginate_hits(union_of(key, parts, wanted), first=first, after=after, transform=_hits(info, wanted))

    def resolve_suggest(root, info, prefix):
        wanted = services.search_text(prefix, "prefix", services.SUGGEST_MAX_LENGTH, min_length=1)
        if wanted is None:
            return Suggestions(prefix=prefix, suggestions=[])
        return Suggestions(
            prefix=wanted, suggestions=services.suggestions(lambda model: access.published(model, info), wanted)
        )
