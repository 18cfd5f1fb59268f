"""The worker's heartbeat: each worker stamps a row every WORKER_HEARTBEAT_SECONDS
from a thread of its main process, so readiness can tell that jobs have someone to
run them (without it a queued job waits unnoticed)."""

import threading

from django.conf import settings
from django.db import connection
from django.utils import timezone

_stopped = threading.Event()


def record(hostname):
    from cms.models import WorkerHeartbeat

    WorkerHeartbeat.objects.update_or_create(hostname=hostname, defaults={"seen_at": timezone.now()})


def forget(hostname):
    from cms.models import WorkerHeartbeat

    WorkerHeartbeat.objects.filter(hostname=hostname).delete()


def latest():
    """When the most recent worker last stamped (None: never)."""
    from cms.models import WorkerHeartbeat

    return WorkerHeartbeat.objects.order_by("-seen_at").values_list("seen_at", flat=True).first()


def _beat(hostname):
    while not _stopped.is_set():
        try:
            record(hostname)
        except Exception:  # the database is away: the stamp goes stale and readiness says so
            pass
        finally:
            # No connection held between stamps (prefork children are forked from this process).
            connection.close()
        _stopped.wait(settings.WORKER_HEARTBEAT_SECONDS)


def start(hostname):
    _stopped.clear()
    threading.Thread(target=_beat, args=(hostname,), name="cms-heartbeat", daemon=True).start()


def stop(hostname):
    _stopped.set()
    try:
        forget(hostname)
    finally:
        connection.close()
