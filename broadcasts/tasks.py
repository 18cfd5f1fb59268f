"""Celery tasks of mass sends: thin wrappers over ``broadcasts.services.jobs``, given
ids only, acknowledged late (a send's claim and its clientmsgid make a second run harmless)."""

from celery import shared_task

from .services import jobs
from .services import sweep as sweeping

JOB = {"acks_late": True, "reject_on_worker_lost": True, "ignore_result": True}


@shared_task(name="broadcasts.run_preview", **JOB)
def run_preview(preview_id):
    jobs.run_preview(preview_id)


@shared_task(name="broadcasts.run_send", **JOB)
def run_send(send_id):
    jobs.run_send(send_id)


@shared_task(name="broadcasts.run_delete", **JOB)
def run_delete(send_id):
    jobs.run_delete(send_id)


@shared_task(name="broadcasts.sweep", ignore_result=True)
def sweep():
    return sweeping.sweep()
