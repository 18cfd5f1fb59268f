"""Parse, validate, measure and execute one GraphQL operation.

Parsed and validated documents are kept per document text (persisted queries
are parsed once per process), so a hot query costs only its execution."""

import functools

from django.conf import settings
from graphql import GraphQLError, execute, parse, specified_rules, validate
from graphql.utilities import get_operation_ast
from graphql.validation import NoSchemaIntrospectionCustomRule

from api import limits
from api.text import refused_literal
from api.sync_context import SyncExecutionContext, never_awaitable
from api.errors import ApiError, ErrorCode, format_error


class IntrospectionDisabled(NoSchemaIntrospectionCustomRule):
    def report_error(self, error):
        error.extensions = {"code": ErrorCode.INTROSPECTION_DISABLED.value}
        super().report_error(error)


def introspection_allowed():
    return settings.GRAPHQL_INTROSPECTION


def _schema():
    # The assembled schema settings name (GRAPHENE["SCHEMA"]), so the toolkit needs no app above it.
    from graphene_django.settings import graphene_settings

    return graphene_settings.SCHEMA.graphql_schema


@functools.lru_cache(maxsize=512)
def prepare(text, introspection):
    """(document, errors): the parsed document, or the formatted errors refusing it."""
    try:
        document = parse(text, max_tokens=settings.GRAPHQL_MAX_TOKENS)
    except GraphQLError as error:
        message = error.message if "tokens" not in error.message else "query has too many tokens"
        return None, ({"message": message, "extensions": {"code": ErrorCode.GRAPHQL_PARSE_FAILED.value}},)
    except RecursionError:
        return None, ({"message": "query nests too deeply", "extensions": {"code": ErrorCode.QUERY_TOO_DEEP.value}},)
    refused = refused_literal(document)
    if refused:
        argument, reason = refused
        extensions = {"code": ErrorCode.INVALID_ARGUMENT.value, **({"field": argument} if argument else {})}
        return None, ({"message": f"{argument or 'a string literal'} {reason}", "extensions": extensions},)
    rules = list(specified_rules)
    if not introspection:
        rules.append(IntrospectionDisabled)
    try:
        errors = validate(_schema(), document, rules, max_errors=20)
    except RecursionError:
        return None, ({"message": "query nests too deeply", "extensions": {"code": ErrorCode.QUERY_TOO_DEEP.value}},)
    if errors:
        return None, tuple(format_error(e) for e in errors)
    return document, ()


def run(text, variables, operation_name, context):
    """Execute a query; returns (data or None, formatted errors)."""
    document, errors = prepare(text, introspection_allowed())
    if errors:
        return None, list(errors)
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        raise ApiError(ErrorCode.BAD_REQUEST, "operationName does not name one operation of the document")
    if operation.operation.value != "query":
        raise ApiError(ErrorCode.BAD_REQUEST, "this API only answers queries")
    limits.check(_schema(), document, operation, variables)
    result = execute(
        _schema(), document, context_value=context, variable_values=variables, operation_name=operation_name,
        execution_context_class=SyncExecutionContext, is_awaitable=never_awaitable,
    )
    return result.data, [format_error(e) for e in result.errors or ()]
