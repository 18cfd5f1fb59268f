"""When a job runs: after the current transaction commits, now or after a delay.

Every job goes to Celery with its countdown and a worker process runs it: the
embedded default's worker reads a folder under var/, production's Redis or
RabbitMQ (cms/settings/base.py). Nothing here waits, so the request or task that
enqueues returns at once; a job whose message is lost is dispatched again by the
sweep from its stored row."""

from celery import current_app
from django.db import transaction
from django.db.models import Q

from wechat.retry import RetryPolicy


def retry_delay(failures):
    """Seconds before a job's next attempt after ``failures`` failed ones: the one
    back-off policy (``wechat.retry.RetryPolicy``) with the PUBLISHING_RETRY_* settings."""
    return RetryPolicy.for_jobs().backoff(failures)


def in_process():
    """True when tasks run eagerly in this process (no worker: the tests)."""
    # The project's Celery app (cms.celery) is the current one once Django is set up.
    return bool(current_app.conf.task_always_eager)


def enqueue(task, *args, delay=0.0):
    """Run ``task(*args)`` once the current transaction has committed (ids only)."""
    transaction.on_commit(lambda: send_many(task, [args], delay))


def enqueue_many(task, args_list, delay=0.0):
    """Run ``task`` for each argument tuple after commit."""
    args_list = [tuple(args) for args in args_list]
    if args_list:
        transaction.on_commit(lambda: send_many(task, args_list, delay))


def send(task, args, delay=0.0):
    send_many(task, [args], delay)


def send_many(task, args_list, delay=0.0):
    delay = max(0.0, float(delay or 0))
    for args in args_list:
        task.apply_async(args=list(args), countdown=delay or None)


def late(field, by, *, unset_field, unset_by=None):
    """Rows (a Q) whose job should have run by now: ``field`` (when the job was due or
    claimed) at or before ``by``, or, ``field`` unset, ``unset_field`` (when it was
    queued) at or before ``unset_by`` (``by`` unless given)."""
    unset_by = by if unset_by is None else unset_by
    return Q(**{f"{field}__lte": by}) | Q(**{f"{field}__isnull": True, f"{unset_field}__lte": unset_by})


def dispatch_again(task, lost, *, limit=None):
    """Enqueue ``task(pk)`` once more, after commit, for each row of the queryset
    ``lost`` (at most ``limit``): jobs whose message was lost (a broker restart, a
    worker killed outright); their claims make a second run harmless. Their pks."""
    pks = list(lost.values_list("pk", flat=True)[:limit])
    enqueue_many(task, [(pk,) for pk in pks])
    return pks
