"""The tests' stand-in for the worker: with eager Celery (cms.settings.test) jobs run
in the test process, after commit, one after another in due order. Short waits (a
retry's back-off, a publish poll) are slept so the emulator's real clock keeps up;
longer ones (a quota pause) are left to the sweep or the dashboard's buttons.

Production code never does this: there a worker process runs every job
(publishing/services/dispatch.py). ``tests/conftest.py`` puts ``send_many`` in place
of dispatch's for every test; with a broker (a test that starts a real worker) it
hands the jobs to the real one."""

import heapq
import itertools
import logging
import threading
import time

from celery import current_app
from django.conf import settings

from publishing.services import dispatch

log = logging.getLogger("tests.jobs")

_local = threading.local()
_broker_send_many = dispatch.send_many


def send_many(task, args_list, delay=0.0):
    if not current_app.conf.task_always_eager:
        return _broker_send_many(task, args_list, delay)
    delay = max(0.0, float(delay or 0))
    if delay > settings.PUBLISHING_INLINE_WAIT_MAX_SECONDS:
        log.info("%s x%d due in %.0fs: left for the sweep", task.name, len(args_list), delay)
        return None
    due = time.monotonic() + delay
    queue = getattr(_local, "queue", None)
    if queue is not None:
        # A job enqueued by a running job: after it, never nested inside it.
        for args in args_list:
            heapq.heappush(queue, (due, next(_local.counter), task, tuple(args)))
        return None
    _local.counter = itertools.count()
    _local.queue = queue = [(due, next(_local.counter), task, tuple(args)) for args in args_list]
    heapq.heapify(queue)
    deadline = time.monotonic() + settings.PUBLISHING_INLINE_BUDGET_SECONDS
    try:
        while queue:
            if time.monotonic() > deadline:
                log.warning("in-process jobs stopped after %.0fs; %d left for the sweep",
                            settings.PUBLISHING_INLINE_BUDGET_SECONDS, len(queue))
                break
            due, _, task, args = heapq.heappop(queue)
            wait = due - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            result = task.apply(args=list(args))
            if result.failed():
                log.error("%s%s failed in process: %s", task.name, args, result.result)
    finally:
        _local.queue = None
    return None
