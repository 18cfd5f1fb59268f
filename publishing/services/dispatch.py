"""When a job runs: after the current transaction commits, now or after a delay.

With a broker (CELERY_BROKER_URL) jobs go to the workers with a countdown. Without
one they run in this process: short waits happen inline, one job after another in
due order (a trampoline, so retries and polls never nest), and longer waits (a
quota pause until midnight) are left to the sweep or the dashboard's buttons."""

import logging
import threading
import time

from django.conf import settings
from django.db import transaction

from wechat.retry import RetryPolicy

log = logging.getLogger("publishing")

_inline = threading.local()


def retry_delay(failures):
    """Seconds before a job's next attempt after ``failures`` failed ones: the one
    back-off policy (``wechat.retry.RetryPolicy``) with the PUBLISHING_RETRY_* settings."""
    return RetryPolicy.for_jobs().backoff(failures)


def in_process():
    # The project's Celery app (cms.celery) is the current one once Django is set up.
    from celery import current_app

    return bool(current_app.conf.task_always_eager)


def enqueue(task, *args, delay=0.0):
    """Run ``task(*args)`` once the current transaction has committed (ids only)."""
    transaction.on_commit(lambda: send_many(task, [args], delay))


def enqueue_many(task, args_list, delay=0.0):
    """Run ``task`` for each argument tuple after commit; in-process they share one
    run, so their waits (a publish result poll) overlap instead of adding up."""
    args_list = [tuple(args) for args in args_list]
    if args_list:
        transaction.on_commit(lambda: send_many(task, args_list, delay))


def send(task, args, delay=0.0):
    send_many(task, [args], delay)


def send_many(task, args_list, delay=0.0):
    delay = max(0.0, float(delay or 0))
    if not in_process():
        for args in args_list:
            task.apply_async(args=list(args), countdown=delay or None)
        return
    if delay > settings.PUBLISHING_INLINE_WAIT_MAX_SECONDS:
        log.info("%s x%d due in %.0fs: left for the sweep (no broker configured)", task.name, len(args_list), delay)
        return
    _run_inline([(task, args) for args in args_list], delay)


def _run_inline(jobs, delay):
    due = time.monotonic() + delay
    queue = getattr(_inline, "queue", None)
    if queue is not None:
        queue.extend((due, next(_inline.counter), task, args) for task, args in jobs)
        return
    _inline.counter = iter(range(1 << 62))
    _inline.queue = queue = [(due, next(_inline.counter), task, args) for task, args in jobs]
    deadline = time.monotonic() + settings.PUBLISHING_INLINE_BUDGET_SECONDS
    try:
        while queue:
            if time.monotonic() > deadline:
                # The jobs are stored with their state: the sweep or a button picks them up.
                log.warning("in-process publishing stopped after %.0fs; %d job(s) left for the sweep",
                            settings.PUBLISHING_INLINE_BUDGET_SECONDS, len(queue))
                break
            queue.sort(key=lambda entry: (entry[0], entry[1]))
            due, _, task, args = queue.pop(0)
            wait = due - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            result = task.apply(args=list(args))
            if result.failed():
                log.error("%s%s failed in process: %s", task.name, args, result.result)
    finally:
        _inline.queue = None
