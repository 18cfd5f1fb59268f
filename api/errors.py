"""Typed errors: every error a client gets carries ``extensions.code`` from one
enum, a message, and the HTTP status the answer is sent with. Unexpected
exceptions become INTERNAL_ERROR with no detail (logged, never shown)."""

import enum
import logging

from django.core.exceptions import ValidationError
from graphql import GraphQLError

logger = logging.getLogger("cms.graphql")


class ErrorCode(str, enum.Enum):
    UNAUTHENTICATED = "UNAUTHENTICATED"
    TOKEN_EXPIRED = "TOKEN_EXPIRED"
    TOKEN_REVOKED = "TOKEN_REVOKED"
    PREVIEW_TOKEN_INVALID = "PREVIEW_TOKEN_INVALID"
    PREVIEW_TOKEN_EXPIRED = "PREVIEW_TOKEN_EXPIRED"
    FORBIDDEN = "FORBIDDEN"
    BAD_REQUEST = "BAD_REQUEST"
    METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED"
    REQUEST_TOO_LARGE = "REQUEST_TOO_LARGE"
    GRAPHQL_PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
    GRAPHQL_VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
    INTROSPECTION_DISABLED = "INTROSPECTION_DISABLED"
    QUERY_TOO_DEEP = "QUERY_TOO_DEEP"
    QUERY_TOO_COSTLY = "QUERY_TOO_COSTLY"
    TOO_MANY_ALIASES = "TOO_MANY_ALIASES"
    TOO_MANY_NODES = "TOO_MANY_NODES"
    TIME_BUDGET_EXCEEDED = "TIME_BUDGET_EXCEEDED"
    PERSISTED_QUERY_NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"
    PERSISTED_QUERY_REQUIRED = "PERSISTED_QUERY_REQUIRED"
    PERSISTED_QUERY_HASH_MISMATCH = "PERSISTED_QUERY_HASH_MISMATCH"
    UNSUPPORTED_MEDIA_TYPE = "UNSUPPORTED_MEDIA_TYPE"
    BAD_CURSOR = "BAD_CURSOR"
    PAGE_SIZE_EXCEEDED = "PAGE_SIZE_EXCEEDED"
    INVALID_ARGUMENT = "INVALID_ARGUMENT"
    NOT_FOUND = "NOT_FOUND"
    INTERNAL_ERROR = "INTERNAL_ERROR"


STATUS = {
    ErrorCode.UNAUTHENTICATED: 401,
    ErrorCode.TOKEN_EXPIRED: 401,
    ErrorCode.TOKEN_REVOKED: 401,
    ErrorCode.PREVIEW_TOKEN_INVALID: 401,
    ErrorCode.PREVIEW_TOKEN_EXPIRED: 401,
    ErrorCode.FORBIDDEN: 403,
    ErrorCode.NOT_FOUND: 404,
    # Automatic persisted queries: clients (Apollo, urql, Relay) retry with the
    # document only when the not-found error comes in a 200 answer.
    ErrorCode.PERSISTED_QUERY_NOT_FOUND: 200,
    ErrorCode.METHOD_NOT_ALLOWED: 405,
    ErrorCode.REQUEST_TOO_LARGE: 413,
    ErrorCode.UNSUPPORTED_MEDIA_TYPE: 415,
    ErrorCode.INTERNAL_ERROR: 500,
    # The server gave up within its budget: try later or ask for less.
    ErrorCode.TIME_BUDGET_EXCEEDED: 503,
}


class ApiError(GraphQLError):
    """An error a client can act on; raise it from resolvers or the view."""

    def __init__(self, code, message, *, field=None, **kwargs):
        extensions = {"code": code.value}
        if field:
            extensions["field"] = field
        super().__init__(message, extensions=extensions, **kwargs)
        self.code = code

    @property
    def status(self):
        return STATUS.get(self.code, 400)


def from_validation_error(error, code=ErrorCode.INVALID_ARGUMENT):
    """A Django ValidationError as an ApiError naming its first field."""
    if hasattr(error, "error_dict"):
        field, errors = next(iter(error.error_dict.items()))
        return ApiError(code, " ".join(ValidationError(errors).messages), field=field)
    return ApiError(code, " ".join(error.messages))


def format_error(error):
    """The JSON of one error; anything not raised as an ApiError is hidden."""
    original = getattr(error, "original_error", None)
    if isinstance(original, ValidationError):
        formatted = from_validation_error(original)
        return {"message": formatted.message, "path": error.path, "extensions": formatted.extensions}
    if original is not None and not isinstance(original, GraphQLError):
        logger.error("GraphQL resolver failed", exc_info=original)
        return {"message": "internal error", "path": error.path, "extensions": {"code": ErrorCode.INTERNAL_ERROR.value}}
    formatted = {"message": error.message, "extensions": dict(error.extensions or {})}
    formatted["extensions"].setdefault("code", ErrorCode.GRAPHQL_VALIDATION_FAILED.value)
    if error.locations:
        formatted["locations"] = [{"line": loc.line, "column": loc.column} for loc in error.locations]
    if error.path:
        formatted["path"] = error.path
    return formatted


# The GraphQL request errors (a document that does not parse or validate, variables
# that do not coerce) the GraphQL-over-HTTP specification answers with 200 under
# application/json, and with 400 under application/graphql-response+json.
REQUEST_ERRORS = {
    ErrorCode.GRAPHQL_PARSE_FAILED.value,
    ErrorCode.GRAPHQL_VALIDATION_FAILED.value,
    ErrorCode.INTROSPECTION_DISABLED.value,
}


def status_for(errors, legacy_json=False):
    """The HTTP status of an answer with these formatted errors (200 without):
    a server error if any, otherwise the status of the first error; 200 for request
    errors alone when the answer is ``application/json`` (``legacy_json``)."""
    if legacy_json and errors and all((e.get("extensions") or {}).get("code") in REQUEST_ERRORS for e in errors):
        return 200
    statuses = []
    for error in errors:
        try:
            statuses.append(STATUS.get(ErrorCode(error["extensions"]["code"]), 400))
        except (KeyError, ValueError):
            statuses.append(500)
    if not statuses:
        return 200
    server = [s for s in statuses if s >= 500]
    return max(server) if server else statuses[0]


def error_body(code, message, **extensions):
    return {"errors": [{"message": message, "extensions": {"code": code.value, **extensions}}]}
