"""Beat runs as its own process, and a second beat is harmless: each periodic task is
sent once per slot of its schedule, whichever beat claims the slot first."""

import os
import re
import shlex
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
import redis
from celery.beat import ScheduleEntry
from django.db import connection

from cms.beat import GuardedScheduler, slot_of
from cms.celery import app
from cms.models import BeatSlot
from harness.worker import BROKER_URL, database_url
from publishing import tasks  # noqa: F401  (registers publishing.sweep with the app)

ROOT = Path(__file__).resolve().parents[2]


def sweep_entry():
    return ScheduleEntry(name="publishing-sweep", task="publishing.sweep", schedule=timedelta(seconds=60), app=app)


def test_a_duplicated_scheduled_run_is_a_no_op(db, monkeypatch, tmp_path):
    from publishing import services

    runs = []
    monkeypatch.setattr(services, "sweep", lambda: runs.append(1))
    first = GuardedScheduler(app, schedule_filename=str(tmp_path / "a"), lazy=True)
    second = GuardedScheduler(app, schedule_filename=str(tmp_path / "b"), lazy=True)
    # Two beats send the same entry in the same slot (tests run tasks eagerly: a send is a run).
    first.apply_entry(sweep_entry())
    second.apply_entry(sweep_entry())
    assert runs == [1]
    assert list(BeatSlot.objects.values_list("task", "slot")) == [("publishing.sweep", slot_of(sweep_entry()))]


def test_the_next_slot_runs_again(db, monkeypatch, tmp_path):
    from publishing import services

    runs = []
    monkeypatch.setattr(services, "sweep", lambda: runs.append(1))
    scheduler = GuardedScheduler(app, schedule_filename=str(tmp_path / "a"), lazy=True)
    scheduler.apply_entry(sweep_entry())
    BeatSlot.objects.update(slot=slot_of(sweep_entry()) - 1)  # as if sent a minute ago
    scheduler.apply_entry(sweep_entry())
    assert runs == [1, 1]


def celery_commands(script):
    """The celery command lines a shell script starts (continuations joined)."""
    text = script.read_text().replace("\\\n", " ")
    return [shlex.split(line.split(">")[0])[1:] for line in text.splitlines() if re.match(r"\s*\$PY -m celery", line)]


def test_bin_run_starts_a_worker_without_beat_and_beat_on_its_own_under_var():
    commands = celery_commands(ROOT / "bin/run")
    workers = [c for c in commands if "worker" in c]
    beats = [c for c in commands if "beat" in c]
    assert len(workers) == 1 and len(beats) == 1, commands
    assert "-B" not in workers[0] and "--beat" not in workers[0]
    schedule = beats[0][beats[0].index("--schedule") + 1]
    assert schedule.startswith("var/")


def start_beat(env, workdir, name):
    log = open(workdir / f"{name}.log", "wb")
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "cms", "beat", "--schedule", str(workdir / f"{name}-schedule"),
         "--loglevel", "INFO"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )


@pytest.mark.integration
def test_two_beat_processes_send_each_run_once(transactional_db, tmp_path):
    broker = redis.Redis.from_url(BROKER_URL)
    broker.flushdb()
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="cms.settings.test", CELERY_BROKER_URL=BROKER_URL,
               DATABASE_URL=database_url(connection.settings_dict), PYTHONUNBUFFERED="1",
               PUBLISHING_SWEEP_SECONDS="1", CONTENT_PUBLISH_SCHEDULED_SECONDS="1")
    beats = [start_beat(env, tmp_path, "one"), start_beat(env, tmp_path, "two")]
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and BeatSlot.objects.count() < 8:
            assert all(b.poll() is None for b in beats), (tmp_path / "one.log").read_text()
            time.sleep(0.5)
    finally:
        for beat in beats:
            os.killpg(beat.pid, signal.SIGTERM)
            beat.wait(timeout=30)
    logs = (tmp_path / "one.log").read_text() + (tmp_path / "two.log").read_text()
    sent = broker.llen("celery")
    claimed = BeatSlot.objects.count()
    assert claimed >= 8, logs
    # Every message on the queue is a claimed slot: the second beat's sends were skipped.
    assert sent == claimed, logs
    assert "already sent by another beat" in logs
    assert (tmp_path / "one-schedule").exists() or list(tmp_path.glob("one-schedule*"))
    broker.flushdb()
