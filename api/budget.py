"""The time budget of one API request: a wall-clock deadline the executor checks
between field resolutions, and a PostgreSQL statement_timeout on the request's SQL.
Either answers TIME_BUDGET_EXCEEDED instead of holding a worker until gunicorn kills it.

The statement timeout is set on the connection once and left there while API
requests follow each other on it (no transaction, no round trip per request);
``release`` puts the connection's own timeout back before any other use (the
request_started of every other request, the WeChat callback's route), so the admin
and the workers sharing the connection never see it. Inside a transaction already
open (tests, a caller's atomic block) it is SET LOCAL and ends with the transaction.
The request's SQL runs in autocommit, unless a resolver that must read as of one
moment (the change log's readers) asks for ``one_transaction``: then the rest of
the request is one transaction."""

import contextlib
import contextvars
import threading
import time

from django.conf import settings
from django.db import DatabaseError, connection, transaction

from api.errors import ApiError, ErrorCode

_deadline = contextvars.ContextVar("graphql_deadline", default=None)
_rest_of_request = contextvars.ContextVar("graphql_rest_of_request", default=None)  # an ExitStack

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
    """Run one API request within its time budget: the deadline set, its SQL under
    the statement timeout; either limit raises ``exceeded()``."""
    token = _deadline.set(time.monotonic() + time_budget_ms() / 1000)
    try:
        with contextlib.ExitStack() as rest, _statement_timeout():
            held = _rest_of_request.set(rest)
            try:
                yield
            finally:
                _rest_of_request.reset(held)
    except TimeBudgetExceeded:
        raise exceeded() from None
    except DatabaseError as error:
        if is_statement_timeout(error):
            raise exceeded() from None
        raise
    finally:
        _deadline.reset(token)


def one_transaction():
    """Run the rest of the current API request in one transaction (committed, or
    rolled back on an error, when the request ends). Nothing outside a request or
    already in a transaction."""
    rest = _rest_of_request.get()
    if rest is not None and not connection.in_atomic_block:
        rest.enter_context(transaction.atomic())


# The DatabaseWrapper attribute naming the connection (and value) an API request left
# its statement_timeout on.
HELD = "api_statement_timeout"
# Whether this thread's connection may hold one: set with HELD. Django keeps a connection
# per thread, so the flag answers for it in a plain thread-local read, where reading HELD
# goes through Django's connection look-up (3 µs), on every request that follows none of
# the API's (the WeChat callback's route, the admin).
_may_hold = threading.local()


@contextlib.contextmanager
def _statement_timeout():
    if connection.vendor != "postgresql" or not statement_timeout_ms():
        release()  # a timeout left by an earlier setting
        yield
        return
    value = f"{statement_timeout_ms()}ms"
    if connection.in_atomic_block:
        with transaction.atomic():
            _set_timeout(value, local=True)
            yield
        return
    connection.ensure_connection()
    # Left on the connection for the next API request. Celery workers need no release
    # (they see no request_started): no task runs GraphQL or enters ``spending`` (only
    # the view does; tests/graphql_api/test_budget.py pins it), and ``one_transaction``,
    # which bundle builds call in workers, does nothing outside a request.
    if getattr(connection, HELD, None) != (connection.connection, value):
        _set_timeout(value, local=False)
        setattr(connection, HELD, (connection.connection, value))
        _may_hold.flag = True
    yield


def _set_timeout(value, local):
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('statement_timeout', %s, %s)", [value, local])


def release():
    """Give the connection its own statement_timeout back if an API request left one
    on it: before any other use of the connection (cms.signal_handlers, callback.wsgi)."""
    if not getattr(_may_hold, "flag", False):
        return
    _may_hold.flag = False
    held = getattr(connection, HELD, None)
    if held is None:
        return
    setattr(connection, HELD, None)
    if held[0] is not None and held[0] is connection.connection:
        try:
            with connection.cursor() as cursor:
                cursor.execute("RESET statement_timeout")
        except DatabaseError:
            connection.close()  # the next use opens a connection with its own timeout
