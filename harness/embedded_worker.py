"""The embedded default's worker for the tests: real ``celery -A cms worker`` and
``celery -A cms beat`` processes on kombu's filesystem transport in a temporary folder (the broker of
cms.settings.dev, under var/celery there), using the test database. Mirrors
``harness.worker``, which does the same over Redis."""

from pathlib import Path

from django.conf import settings

from harness.worker import WorkerProcess, _forget_pools

FOLDER_OPTIONS = ("data_folder_in", "data_folder_out", "processed_folder", "control_folder")


def transport_options(broker_dir):
    """The settings' filesystem transport options with their folders moved into ``broker_dir``."""
    options = dict(settings.CELERY_BROKER_TRANSPORT_OPTIONS)
    for key in FOLDER_OPTIONS:
        options[key] = str(Path(broker_dir) / Path(options[key]).name)
        Path(options[key]).mkdir(parents=True, exist_ok=True)
    return options


def use_filesystem_broker(app, broker_dir):
    """Make this (test) process send tasks to the folder instead of running them."""
    previous = (app.conf.task_always_eager, app.conf.broker_url, app.conf.broker_transport_options)
    app.conf.task_always_eager = False
    app.conf.broker_url = "filesystem://"
    app.conf.broker_transport_options = transport_options(broker_dir)
    _forget_pools(app)
    return previous


def restore(app, previous):
    app.conf.task_always_eager, app.conf.broker_url, app.conf.broker_transport_options = previous
    _forget_pools(app)


class EmbeddedWorkerProcess(WorkerProcess):
    """The worker and beat ``bin/run`` starts (threads), on the folder broker."""

    def __init__(self, db_url, broker_dir, extra_env=None, **kwargs):
        kwargs.setdefault("pool", "threads")
        kwargs.setdefault("concurrency", 4)
        super().__init__(db_url, extra_env=extra_env, **kwargs)
        self.broker_dir = Path(broker_dir)

    def env(self):
        env = super().env()
        env.update({"CELERY_BROKER_URL": "filesystem://", "CELERY_BROKER_DIR": str(self.broker_dir)})
        return env
