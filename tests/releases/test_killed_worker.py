"""A worker killed in the middle of a go-live: nothing of the release was committed,
the job (acknowledged late) is delivered to the next worker, and the release goes
live exactly once: one run, one version in the change feed, one batch per item."""

import threading
import time

import pytest
from django.db import connection, connections

from cms.celery import app
from harness.worker import (
    WorkerProcess,
    database_url,
    purge_broker,
    restore,
    use_broker,
)
from publishing.changes.models import Change
from releases import golive
from releases.models import Release, ReleaseRun

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def broker():
    purge_broker()
    previous = use_broker(app)
    yield
    restore(app, previous)
    purge_broker()


def blocked_backends():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


def hold_row(table, code, release_event, held_event):
    """Hold one item's row locked in another connection until ``release_event``."""
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("BEGIN")
            cursor.execute(f"SELECT id FROM {table} WHERE code = %s FOR UPDATE", [code])
            held_event.set()
            release_event.wait(120)
            cursor.execute("ROLLBACK")
    finally:
        connections.close_all()


def test_a_worker_killed_mid_go_live_leaves_nothing_and_the_release_goes_live_once(
    release, broker
):
    # given the last item's row held by someone else, so the go-live stops half way
    free, held = threading.Event(), threading.Event()
    holder = threading.Thread(
        target=hold_row, args=("content_smstemplate", "SMS-5G-58-KT", free, held)
    )
    holder.start()
    assert held.wait(30)
    worker = WorkerProcess(
        database_url(connection.settings_dict), concurrency=1
    ).start()
    replacement = None
    try:
        golive.publish(release)  # the go-live job goes to the worker on commit
        deadline = time.monotonic() + 90
        while blocked_backends() == 0:
            assert time.monotonic() < deadline, worker.log()[-3000:]
            time.sleep(0.2)
        # when the worker is killed in the middle of its transaction
        worker.kill()
        free.set()
        holder.join(30)
        # then nothing of the release is visible
        assert Release.objects.get(pk=release.pk).state == Release.State.GOING_LIVE
        assert not Change.objects.filter(release_code=release.code).exists()
        assert not ReleaseRun.objects.filter(release=release).exists()
        # and a new worker finishes it, once
        replacement = WorkerProcess(
            database_url(connection.settings_dict), concurrency=1
        ).start()
        deadline = time.monotonic() + 120
        while Release.objects.get(pk=release.pk).state != Release.State.LIVE:
            assert time.monotonic() < deadline, replacement.log()[-4000:]
            time.sleep(0.3)
        run = ReleaseRun.objects.get(release=release)
        while not ReleaseRun.objects.get(pk=run.pk).fanned_out:
            assert time.monotonic() < deadline, replacement.log()[-4000:]
            time.sleep(0.3)
        rows = Change.objects.filter(release_code=release.code)
        assert set(rows.values_list("release_version", flat=True)) == {
            run.change_version
        }
        assert rows.count() == rows.values("account", "kind", "code").distinct().count()
        assert run.batches.count() == release.items.count()
    finally:
        free.set()
        worker.stop()
        if replacement is not None:
            replacement.stop()
