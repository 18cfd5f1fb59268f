"""A real Celery worker process over Redis for the worker tests and the publishing
benchmark: started with the given database's DATABASE_URL, stopped (or killed) by
its process id."""

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import redis

ROOT = Path(__file__).resolve().parents[1]
BROKER_URL = os.environ.get("TEST_CELERY_BROKER_URL", "redis://127.0.0.1:6379/11")

# Short waits so the test sees retries, polls, leases and the sweep within seconds.
FAST_SETTINGS = {
    "PUBLISHING_RETRY_BASE_SECONDS": "0.1",
    "PUBLISHING_RETRY_CAP_SECONDS": "1",
    "PUBLISHING_MAX_FAILURES": "12",
    "PUBLISHING_POLL_SECONDS": "0.5",
    "PUBLISHING_LEASE_SECONDS": "5",
    "PUBLISHING_SWEEP_SECONDS": "2",
    "PUBLISHING_WEBHOOK_RETRY_WINDOW_SECONDS": "120",
    "CELERY_VISIBILITY_TIMEOUT": "8",
    "CELERY_UNACKED_RESTORE_SECONDS": "1",
    "WECHAT_RETRY_BASE_DELAY_MS": "20",
    "WECHAT_RETRY_CAP_MS": "200",
    "WECHAT_RETRY_MAX_ATTEMPTS": "3",
}


def database_url(settings_dict):
    user = settings_dict.get("USER") or "postgres"
    password = f":{settings_dict['PASSWORD']}" if settings_dict.get("PASSWORD") else ""
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{settings_dict['NAME']}"


def purge_broker():
    client = redis.Redis.from_url(BROKER_URL)
    client.flushdb()
    client.close()


class WorkerProcess:
    """``celery -A cms worker`` and ``celery -A cms beat`` as subprocesses, each in a
    process group of its own (beat is never the worker's child, as in bin/run and
    deploy/), stopped or killed together, like the machine they would share."""

    def __init__(self, db_url, concurrency=2, extra_env=None, fast=True, settings_module="cms.settings.test",
                 pool="prefork"):
        self.db_url = db_url
        self.pool = pool
        self.fast = fast
        self.settings_module = settings_module
        self.concurrency = concurrency
        self.extra_env = dict(extra_env or {})
        self.workdir = tempfile.mkdtemp(prefix="cms-worker-")
        self.log_path = Path(self.workdir) / "worker.log"
        self.process = None
        self.beat = None

    def env(self):
        env = dict(os.environ)
        if self.fast:
            env.update(FAST_SETTINGS)
        env.update(self.extra_env)
        env.update({
            "DJANGO_SETTINGS_MODULE": self.settings_module,
            "DATABASE_URL": self.db_url,
            "CELERY_BROKER_URL": BROKER_URL,
            "PYTHONUNBUFFERED": "1",
        })
        return env

    def start(self, timeout=90):
        with open(self.log_path, "ab") as log:  # the children hold their own copies
            self.process = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "cms", "worker",
                 "--pool", self.pool, "--concurrency", str(self.concurrency), "--loglevel", "INFO",
                 "--without-gossip", "--without-mingle",
                 "-n", f"test-{os.getpid()}-{time.monotonic_ns()}@%h"],
                cwd=ROOT, env=self.env(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )
            self.beat = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "cms", "beat", "--schedule", str(Path(self.workdir) / "beat"),
                 "--loglevel", "INFO"],
                cwd=ROOT, env=self.env(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the worker exited early:\n{self.log()[-4000:]}")
            if b" ready." in self.log_path.read_bytes():
                return self
            time.sleep(0.2)
        raise RuntimeError(f"the worker did not become ready:\n{self.log()[-4000:]}")

    def log(self):
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def _signal(self, signum):
        for process in (self.process, self.beat):
            if process is not None:
                try:
                    os.killpg(process.pid, signum)  # the group: a worker's pool children too
                except ProcessLookupError:
                    pass

    def kill(self):
        """SIGKILL the worker, its pool children and beat at once (a crash, not a shutdown)."""
        self._signal(signal.SIGKILL)
        for process in (self.process, self.beat):
            if process is not None:
                process.wait(timeout=30)

    def stop(self):
        self._signal(signal.SIGTERM)
        try:
            for process in (self.process, self.beat):
                if process is not None:
                    process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.kill()


def _forget_pools(app):
    # A pool opened earlier in the session (any eager apply_async acquires a producer)
    # would keep sending to the broker it was opened on: start afresh, as after a fork.
    app._pool = None
    amqp = app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None


def use_broker(app):
    """Make this (test) process send tasks to the broker instead of running them."""
    previous = (app.conf.task_always_eager, app.conf.broker_url)
    app.conf.task_always_eager = False
    app.conf.broker_url = BROKER_URL
    _forget_pools(app)
    return previous


def restore(app, previous):
    app.conf.task_always_eager, app.conf.broker_url = previous
    _forget_pools(app)
