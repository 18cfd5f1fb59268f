"""The synchronous executor (api/sync_context.py) answers as graphql-core's own
executor does: values, nulls and the errors of rows, on plain dict rows read by
graphene's default resolver (the fields it takes inline)."""

import graphene
from graphql import execute, parse

from api.sync_context import SyncExecutionContext, never_awaitable


class Target(graphene.ObjectType):
    app_id = graphene.String()
    pagepath = graphene.String(required=True)


class Row(graphene.ObjectType):
    key = graphene.String(required=True)
    name = graphene.String()
    order = graphene.Int(required=True)
    brands = graphene.List(graphene.NonNull(graphene.String), required=True)
    target = graphene.Field(Target)


class Query(graphene.ObjectType):
    rows = graphene.List(graphene.NonNull(Row), required=True)
    maybe_rows = graphene.List(Row)

    def resolve_rows(root, info):
        return ROWS

    def resolve_maybe_rows(root, info):
        return [*ROWS, None]


ROWS = [
    {"key": "1", "name": "查询", "order": 0, "brands": [], "target": None},
    {"key": "2", "name": None, "order": 1, "brands": ["gotone"], "target": {"app_id": "wx1", "pagepath": "p/1"}},
    {"key": "3", "order": "x", "brands": [], "target": {"app_id": None, "pagepath": "p/3"}},  # order is no Int
    {"key": None, "name": "无键", "order": 3, "brands": [], "target": None},  # null where not allowed
    {"key": "5", "name": "无页面", "order": 4, "brands": [], "target": {"app_id": "wx5"}},
]
SCHEMA = graphene.Schema(query=Query).graphql_schema
FIELDS = "key name order brands target { appId pagepath }"


def both(query):
    document = parse(query)
    stock = execute(SCHEMA, document)
    ours = execute(SCHEMA, document, execution_context_class=SyncExecutionContext, is_awaitable=never_awaitable)
    return stock, ours


def test_rows_answer_and_fail_as_with_graphql_core():
    for query in (f"{{ maybeRows {{ {FIELDS} }} }}", f"{{ rows {{ {FIELDS} }} }}", "{ maybeRows { key target { appId } } }"):
        stock, ours = both(query)
        assert ours.data == stock.data
        assert [(e.message, e.path) for e in ours.errors or ()] == [(e.message, e.path) for e in stock.errors or ()]


def test_a_bad_row_nulls_itself_in_a_nullable_list():
    stock, ours = both(f"{{ maybeRows {{ {FIELDS} }} }}")
    assert ours.data["maybeRows"][0] == {"key": "1", "name": "查询", "order": 0, "brands": [], "target": None}
    assert ours.data["maybeRows"][2] is None and ours.data["maybeRows"][5] is None
    assert {tuple(e.path) for e in ours.errors} == {("maybeRows", 2, "order"), ("maybeRows", 3, "key"),
                                                   ("maybeRows", 4, "target", "pagepath")}


def test_completers_kept_per_schema_answer_each_request_for_itself():
    # The first request builds the schema's completers, the next ones reuse them: each still
    # gets its own values and its own errors (a completer takes the request's context).
    from api import sync_context

    document = parse(f"{{ maybeRows {{ {FIELDS} }} rows {{ key }} }}")
    first = execute(SCHEMA, document, execution_context_class=SyncExecutionContext, is_awaitable=never_awaitable)
    kept = dict(sync_context._completers_of(SCHEMA))
    assert kept
    for _ in range(2):
        stock, ours = both(f"{{ maybeRows {{ {FIELDS} }} rows {{ key }} }}")
        assert ours.data == stock.data == first.data
        assert [(e.message, e.path) for e in ours.errors] == [(e.message, e.path) for e in stock.errors]
    assert all(sync_context._completers_of(SCHEMA)[t] is c for t, c in kept.items())
    # another schema has completers of its own
    other = graphene.Schema(query=Query).graphql_schema
    assert sync_context._completers_of(other) is not sync_context._completers_of(SCHEMA)
