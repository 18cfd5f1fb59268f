"""Celery tasks of releases: thin wrappers over releases.golive and releases.fanout,
given ids only, acknowledged late so a job a dead worker held runs again (each is
keyed on the release and does its work once)."""

from celery import shared_task
from django.contrib.auth import get_user_model
from django.db import OperationalError

from releases import fanout, golive, ontime

# A deadlock or a lost connection rolls the job's one transaction back whole, leaving
# the release going live or rolling back: run it again rather than leave it stuck there.
JOB = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "ignore_result": True,
    "autoretry_for": (OperationalError,),
    "retry_backoff": True,
    "retry_backoff_max": 30,
    "max_retries": 8,
}


def _user(user_id):
    return get_user_model().objects.filter(pk=user_id).first() if user_id else None


@shared_task(name="releases.go_live", **JOB)
def go_live(release_id, user_id=None):
    run = golive.go_live(release_id, _user(user_id))
    return run.pk if run else None


@shared_task(name="releases.go_live_on_time", **JOB)
def go_live_on_time(release_id):
    run = ontime.go_live_on_time(release_id)
    return run.pk if run else None


@shared_task(name="releases.roll_back", **JOB)
def roll_back(release_id, user_id=None):
    run = golive.roll_back(release_id, _user(user_id))
    return run.pk if run else None


@shared_task(name="releases.fan_out", **JOB)
def fan_out(run_id):
    run = fanout.fan_out(run_id)
    return run.pk if run else None
