"""One log format for the web server, the worker, gunicorn and commands.

Each line carries a UTC timestamp with its zone, the level, the logger, the process
id and the request or task id, then the message; ``LOG_FORMAT=json`` writes the same
fields as one JSON object a line. Every process formats time in UTC, whatever its
TZ (Django sets TZ to TIME_ZONE in its own processes, gunicorn's master keeps the
host's), so lines of different processes sort together. Nothing here reads Django's
settings: gunicorn's config file builds the same configuration before Django loads."""

import contextvars
import json
import logging
import re
import uuid
from datetime import UTC, datetime

# The id of the request being served in this thread or task ("-" outside both).
request_id = contextvars.ContextVar("request_id", default="-")
REQUEST_ID_HEADER = "X-Request-ID"
_ACCEPTED_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(process)d] [%(request_id)s] %(message)s"


def timestamp(created):
    return datetime.fromtimestamp(created, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def current_id():
    """The request id, else the id of the Celery task running in this thread."""
    value = request_id.get()
    if value != "-":
        return value
    from celery import current_task

    if not current_task:
        return "-"
    return getattr(current_task.request, "id", None) or "-"


class ContextFilter(logging.Filter):
    """Adds ``request_id`` to every record."""

    def filter(self, record):
        if not hasattr(record, "request_id"):
            record.request_id = current_id()
        return True


class OneLine(logging.Filter):
    """A refused request (bad Host header) is a line, not a traceback: the message
    already says what was refused, the stack is Django's own."""

    def filter(self, record):
        record.exc_info = None
        record.exc_text = None
        if record.levelno > logging.WARNING:
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


class TextFormatter(logging.Formatter):
    def __init__(self, fmt=TEXT_FORMAT, **kwargs):
        super().__init__(fmt, **kwargs)

    def formatTime(self, record, datefmt=None):
        return timestamp(record.created)

    def format(self, record):
        # Continuation lines (tracebacks, multi-line messages) are indented: a line that
        # starts a record always starts with its timestamp.
        return super().format(record).replace("\n", "\n    ")


class JsonFormatter(logging.Formatter):
    def format(self, record):
        line = {
            "time": timestamp(record.created),
            "level": record.levelname,
            "logger": record.name,
            "process": record.process,
            "request_id": getattr(record, "request_id", "-"),
            "message": record.getMessage(),
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


def configure(config):
    """Django's LOGGING_CONFIG and the worker's: the dict, plus Python's warnings as log records."""
    import logging.config

    logging.config.dictConfig(config)
    logging.captureWarnings(True)


def logging_config(level="INFO", log_format="text"):
    """The ``LOGGING`` dict of every process (settings, gunicorn.conf.py, the worker)."""
    if log_format not in ("text", "json"):
        raise ValueError(f"LOG_FORMAT must be text or json, got {log_format!r}")
    formatter = "cms.logs.JsonFormatter" if log_format == "json" else "cms.logs.TextFormatter"
    console = {"class": "logging.StreamHandler", "formatter": "line", "filters": ["context"]}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"context": {"()": "cms.logs.ContextFilter"}, "one_line": {"()": "cms.logs.OneLine"}},
        "formatters": {"line": {"()": formatter}},
        "handlers": {"console": console},
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            # Django's own defaults give these loggers handlers of their own (plain lines,
            # mail to admins): dropped, their records go through the root's handler.
            "django": {"handlers": [], "level": level, "propagate": True},
            "django.server": {"handlers": [], "level": level, "propagate": True},
            "django.db.backends": {"level": "WARNING"},
            "django_tasks": {"level": "WARNING"},
            # httpx logs request URLs at INFO, and WeChat wants the access token in the URL.
            "httpx": {"level": "WARNING"},
            "django.security.DisallowedHost": {"filters": ["one_line"]},
            "gunicorn.error": {"handlers": ["console"], "level": level, "propagate": False},
            "gunicorn.access": {"handlers": ["console"], "level": "INFO", "propagate": False},
        },
    }


def id_for(given):
    """The id of a request: the proxy's X-Request-ID when it is well-formed, else a new one."""
    return given if _ACCEPTED_ID.match(given) else uuid.uuid4().hex


class RequestIdMiddleware:
    """Takes the proxy's X-Request-ID (or makes one), tags the request's log lines with
    it and returns it in the answer, where gunicorn's access log reads it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        value = id_for(request.META.get("HTTP_X_REQUEST_ID", ""))
        token = request_id.set(value)
        try:
            response = self.get_response(request)
        finally:
            request_id.reset(token)
        response[REQUEST_ID_HEADER] = value
        return response
