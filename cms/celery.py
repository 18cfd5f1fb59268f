"""The Celery app. Every environment sends tasks to a broker and a worker runs them:
the embedded default's broker is a folder under var/ (kombu's filesystem transport),
production's is Redis or RabbitMQ (CELERY_BROKER_URL). Tests run tasks eagerly."""

import logging
from pathlib import Path

from celery import Celery, signals

from cms.settings_module import default_settings_module

default_settings_module()

app = Celery("cms")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def _make_broker_folders(sender, **kwargs):
    # The filesystem transport writes into its folders but does not create them, and the
    # web server may send before a worker ever started.
    if str(sender.conf.broker_url or "").startswith("filesystem://"):
        options = sender.conf.broker_transport_options or {}
        for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
            if options.get(key):
                Path(options[key]).mkdir(parents=True, exist_ok=True)


@signals.worker_ready.connect
def _start_heartbeat(sender=None, **kwargs):
    from cms import heartbeat

    heartbeat.start(sender.hostname)


@signals.worker_shutdown.connect
def _stop_heartbeat(sender=None, **kwargs):
    # A worker stopping on purpose leaves no stale stamp behind: readiness fails at once.
    from cms import heartbeat

    heartbeat.stop(sender.hostname)


task_log = logging.getLogger("cms.tasks")


@signals.setup_logging.connect
def _use_the_projects_logging(**kwargs):
    # Connected: Celery leaves the root logger alone and the worker writes the same
    # lines as the web server (cms/logs.py, settings.LOGGING).
    from django.conf import settings

    from cms.logs import configure

    configure(settings.LOGGING)


@signals.task_prerun.connect
def _task_started(task_id=None, task=None, **kwargs):
    task_log.info("task %s started", task.name)


@signals.task_postrun.connect
def _task_finished(task_id=None, task=None, state=None, **kwargs):
    task_log.info("task %s finished: %s", task.name, state)


@signals.task_retry.connect
def _task_retried(request=None, reason=None, **kwargs):
    task_log.info("task %s retry: %s", request.task if request else "?", reason)
