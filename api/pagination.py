"""Relay-style cursor pagination by keyset: a cursor holds the sort key of the
last row seen, so a page costs one indexed query however deep the client pages,
and rows published meanwhile never shift a page."""

import base64
import binascii
import json

import graphene
from django.conf import settings
from django.db.models import Q

from api.errors import ApiError, ErrorCode
from api.reused_sql import Reusable

CURSOR_PREFIX = "k1:"


def max_page_size(kind="default"):
    if kind == "changes":
        return settings.GRAPHQL_MAX_CHANGES_PAGE_SIZE
    return settings.GRAPHQL_MAX_PAGE_SIZE


def default_page_size():
    return settings.GRAPHQL_DEFAULT_PAGE_SIZE


def encode_cursor(values):
    raw = CURSOR_PREFIX + json.dumps(values, separators=(",", ":"), ensure_ascii=False)
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor, types):
    """The key values in a cursor, checked against the key's types."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        raw = base64.urlsafe_b64decode(padded.encode("ascii")).decode()
        if not raw.startswith(CURSOR_PREFIX):
            raise ValueError
        values = json.loads(raw[len(CURSOR_PREFIX) :])
    except (ValueError, UnicodeError, binascii.Error):
        raise ApiError(ErrorCode.BAD_CURSOR, "cursor is not one this API issued", field="after") from None
    if not isinstance(values, list) or len(values) != len(types):
        raise ApiError(ErrorCode.BAD_CURSOR, "cursor does not belong to this list", field="after")
    for value, kind in zip(values, types, strict=True):
        if type(value) is not kind:
            raise ApiError(ErrorCode.BAD_CURSOR, "cursor does not belong to this list", field="after")
    return values


def _after_q(keys, values, backwards=False):
    """Rows strictly after ``values`` in the order of ``keys`` (or before, backwards)."""
    q = Q()
    for i in range(len(keys) - 1, -1, -1):
        name = keys[i].lstrip("-")
        descending = keys[i].startswith("-") != backwards
        step = Q(**{f"{name}__{'lt' if descending else 'gt'}": values[i]})
        q = step if i == len(keys) - 1 else step | (Q(**{name: values[i]}) & q)
    return q


class PageInfo(graphene.ObjectType):
    has_next_page = graphene.Boolean(required=True)
    has_previous_page = graphene.Boolean(required=True)
    start_cursor = graphene.String()
    end_cursor = graphene.String()


def page_args():
    """The Relay arguments of a list field (fresh instances: graphene orders arguments by creation)."""
    return {
        "first": graphene.Int(description="Rows after `after`, at most the maximum page size."),
        "after": graphene.String(),
        "last": graphene.Int(description="Rows before `before`, at most the maximum page size."),
        "before": graphene.String(),
    }


def connection_type(node_type, name=None, extra=None):
    """An ObjectType ``<Node>Connection`` with edges, pageInfo and totalCount."""
    type_name = name or f"{node_type._meta.name}Connection"
    edge = type(
        f"{type_name[: -len('Connection')]}Edge",
        (graphene.ObjectType,),
        {"cursor": graphene.String(required=True), "node": graphene.Field(node_type, required=True)},
    )
    fields = {
        "edges": graphene.List(graphene.NonNull(edge), required=True),
        "page_info": graphene.Field(PageInfo, required=True),
        "total_count": graphene.Int(required=True, description="Rows in the whole list (one COUNT query)."),
        "resolve_total_count": lambda page, info: page.total_count(),
        **(extra or {}),
    }
    return type(type_name, (graphene.ObjectType,), fields)


class Edge:
    __slots__ = ("cursor", "node")

    def __init__(self, cursor, node):
        self.cursor, self.node = cursor, node


class Page:
    """One page of a keyset-paginated queryset, shaped like a Relay connection."""

    def __init__(self, queryset, edges, page_info):
        self._queryset = queryset
        self.edges = edges
        self.page_info = page_info

    def total_count(self):
        queryset = self._queryset.queryset if isinstance(self._queryset, Reusable) else self._queryset
        return queryset.count() if queryset is not None else 0


def _size(first, last, kind):
    if first is not None and last is not None:
        raise ApiError(ErrorCode.INVALID_ARGUMENT, "pass either first or last, not both", field="first")
    size = first if first is not None else last
    if size is None:
        return default_page_size()
    field = "first" if first is not None else "last"
    if size < 0:
        raise ApiError(ErrorCode.INVALID_ARGUMENT, f"{field} must not be negative", field=field)
    if size > max_page_size(kind):
        raise ApiError(
            ErrorCode.PAGE_SIZE_EXCEEDED, f"{field} must be at most {max_page_size(kind)}", field=field
        )
    return size


def paginate(queryset, keys, types, *, first=None, after=None, last=None, before=None, kind="default",
             key_of=None, transform=None, together=None):
    """A Page of ``queryset`` (or of an api.reused_sql.Reusable) ordered by ``keys``
    (unique together; '-' descends).

    ``types`` are the Python types of the key values (cursor checking); ``key_of``
    reads them from a row (default: attributes); ``transform`` maps the fetched
    rows before they become nodes (e.g. to attach batch-loaded relations).
    ``together`` names a field whose rows a forward page never splits: a page whose
    last row has a value there runs on to the last row with that value (a release's
    rows in the change feed), longer than ``first`` if need be."""
    size = _size(first, last, kind)
    backwards = last is not None
    key_of = key_of or (lambda row: [getattr(row, k.lstrip("-")) for k in keys])
    order = [(k[1:] if k.startswith("-") else f"-{k}") if backwards else k for k in keys]
    after_values = decode_cursor(after, types) if after is not None else []
    before_values = decode_cursor(before, types) if before is not None else []

    def page_of(qs, *cursor_values):
        if after is not None:
            qs = qs.filter(_after_q(keys, cursor_values[: len(after_values)]))
        if before is not None:
            qs = qs.filter(_after_q(keys, cursor_values[len(after_values) :], backwards=True))
        return qs.order_by(*order)[: size + 1]

    if isinstance(queryset, Reusable):
        # Its SQL and the page's compiled once per shape (api.reused_sql).
        shape = ("page", tuple(keys), backwards, size, after is not None, before is not None)
        rows = queryset.fetch(shape, page_of, [*after_values, *before_values])
    else:
        rows = list(page_of(queryset, *after_values, *before_values))
    more = len(rows) > size
    rows = rows[:size]
    if together and more and not backwards and rows and getattr(rows[-1], together) is not None:
        # Built only when the page ends inside a group: building a queryset costs more than a small page.
        base = queryset.queryset if isinstance(queryset, Reusable) else queryset
        rows, more = _run_on(base, keys, order, key_of, rows, together)
    if backwards:
        rows.reverse()
    nodes = transform(rows) if transform else rows
    edges = [Edge(encode_cursor(key_of(row)), node) for row, node in zip(rows, nodes, strict=True)]
    info = PageInfo(
        has_next_page=more if not backwards else before is not None,
        has_previous_page=more if backwards else after is not None,
        start_cursor=edges[0].cursor if edges else None,
        end_cursor=edges[-1].cursor if edges else None,
    )
    return Page(queryset, edges, info)


def _run_on(qs, keys, order, key_of, rows, together):
    """(rows with the rest of the last row's ``together`` group, whether more follow); the last
    row has a value there."""
    value = getattr(rows[-1], together)
    rest = list(qs.filter(_after_q(keys, key_of(rows[-1])), **{together: value}).order_by(*order))
    if not rest:
        return rows, True
    rows = rows + rest
    return rows, qs.filter(_after_q(keys, key_of(rows[-1]))).exists()


def paginate_union(querysets, keys, types, *, first=None, after=None, kind="default", transform=None):
    """A Page of the union of ``querysets``: ``values()`` querysets with the same
    columns, ``keys`` among them (unique together over the union). The cursor filter
    goes into each part, so each stays one indexed query; the union is one query."""
    size = _size(first, None, kind)
    parts = list(querysets)
    if after is not None:
        where = _after_q(keys, decode_cursor(after, types))
        parts = [part.filter(where) for part in parts]
    if not parts:
        return Page(None, [], PageInfo(has_next_page=False, has_previous_page=after is not None))
    union = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    rows = list(union.order_by(*keys)[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    nodes = transform(rows) if transform else rows
    edges = [Edge(encode_cursor([row[k.lstrip("-")] for k in keys]), node) for row, node in zip(rows, nodes, strict=True)]
    info = PageInfo(
        has_next_page=more,
        has_previous_page=after is not None,
        start_cursor=edges[0].cursor if edges else None,
        end_cursor=edges[-1].cursor if edges else None,
    )
    whole = querysets[0].union(*querysets[1:], all=True) if len(querysets) > 1 else querysets[0]
    return Page(whole, edges, info)
