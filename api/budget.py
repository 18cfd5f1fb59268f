"""The time budget of one API request: a wall-clock deadline the executor checks
between field resolutions, and a PostgreSQL statement_timeout on the request's
own transaction (SET LOCAL: it ends with the transaction, so the admin and the
workers sharing the connection never see it). Either answers TIME_BUDGET_EXCEEDED
instead of holding a worker until gunicorn kills it."""

import contextlib
import contextvars
import time

from django.conf import settings
from django.db import DatabaseError, connection, transaction

from api.errors import ApiError, ErrorCode

_deadline = contextvars.ContextVar("graphql_deadline", default=None)

# PostgreSQL's query_canceled, which a statement_timeout raises.
QUERY_CANCELED = "57014"


class TimeBudgetExceeded(Exception):
    """Raised inside execution to stop it; deliberately not a GraphQLError, so no
    field swallows it as its own error."""


def time_budget_ms():
    return settings.GRAPHQL_TIME_BUDGET_MS


def statement_timeout_ms():
    return settings.GRAPHQL_STATEMENT_TIMEOUT_MS


def deadline():
    """The monotonic time the current request must stop by, or None outside one."""
    return _deadline.get()


def is_statement_timeout(error):
    cause = error if not isinstance(error, DatabaseError) else (error.__cause__ or error)
    return getattr(cause, "sqlstate", None) == QUERY_CANCELED or getattr(cause, "pgcode", None) == QUERY_CANCELED


def exceeded():
    return ApiError(
        ErrorCode.TIME_BUDGET_EXCEEDED,
        f"the request did not finish within its time budget ({time_budget_ms()} ms); ask for less",
    )


@contextlib.contextmanager
def spending():
    """Run one API request within its time budget: the deadline set, its SQL in one
    transaction with the statement timeout; either limit raises ``exceeded()``."""
    token = _deadline.set(time.monotonic() + time_budget_ms() / 1000)
    try:
        with transaction.atomic():
            if connection.vendor == "postgresql" and statement_timeout_ms():
                with connection.cursor() as cursor:
                    cursor.execute("SELECT set_config('statement_timeout', %s, true)", [f"{statement_timeout_ms()}ms"])
            yield
    except TimeBudgetExceeded:
        raise exceeded() from None
    except DatabaseError as error:
        if is_statement_timeout(error):
            raise exceeded() from None
        raise
    finally:
        _deadline.reset(token)
