"""/healthz: reachability of the database, the Celery broker and the file storage."""

import time

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.http import require_GET


def _check(fn):
    started = time.monotonic()
    try:
        detail = fn()
    except Exception as exc:  # any failure means "unreachable"; the type is enough to act on
        return {"ok": False, "error": type(exc).__name__, "ms": round((time.monotonic() - started) * 1000, 1)}
    return {"ok": True, "detail": detail, "ms": round((time.monotonic() - started) * 1000, 1)}


def check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return connection.vendor


def check_broker():
    if not settings.CELERY_BROKER_URL:
        return "in-process"
    from cms.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
    return conn.transport_cls if isinstance(conn.transport_cls, str) else "connected"


def check_storage():
    # A write and delete round trip: reachable and writable (a bucket on S3).
    name = default_storage.save("healthz/probe.txt", ContentFile(b"ok"))
    default_storage.delete(name)
    return type(default_storage._wrapped).__name__


@require_GET
def healthz(request):
    checks = {"database": _check(check_database), "broker": _check(check_broker), "storage": _check(check_storage)}
    ok = all(c["ok"] for c in checks.values())
    return JsonResponse({"ok": ok, "checks": checks}, status=200 if ok else 503)
