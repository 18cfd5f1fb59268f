"""The embedded default (cms.settings.dev with no environment) runs background work on
a worker: Celery on kombu's filesystem transport under var/celery (one folder both
ways, polled often), beat's schedule under var/, and SQLite shared by the web server
and the worker in WAL mode with a busy timeout. Production keeps its broker."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PRINT = """
import json, django
django.setup()
from django.conf import settings
from django.db import connection
from cms.celery import app
with connection.cursor() as cursor:
    pragmas = {name: cursor.execute(f"PRAGMA {name}").fetchone()[0] for name in ("journal_mode", "busy_timeout")}
print(json.dumps({
    "broker": app.conf.broker_url, "eager": app.conf.task_always_eager,
    "options": app.conf.broker_transport_options, "beat": app.conf.beat_schedule_filename,
    "schedule": {k: v["schedule"] for k, v in app.conf.beat_schedule.items()},
    "db": settings.DATABASES["default"], "pragmas": pragmas, "base_url": settings.WAGTAILADMIN_BASE_URL,
}, default=str))
"""

CLEARED = ("DATABASE_URL", "CELERY_BROKER_URL", "CELERY_BROKER_DIR", "WAGTAILADMIN_BASE_URL", "SECRET_KEY",
           "CMS_SECRETS_KEY")


def load(var_dir, settings_module="cms.settings.dev", **env):
    clean = {k: v for k, v in os.environ.items() if k not in CLEARED}
    clean.update(env, DJANGO_SETTINGS_MODULE=settings_module, CMS_VAR_DIR=str(var_dir))
    result = subprocess.run([sys.executable, "-c", PRINT], cwd=ROOT, env=clean, capture_output=True, text=True, check=False,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_embedded_default_sends_tasks_to_a_folder_broker_under_var_for_a_worker(tmp_path):
    loaded = load(tmp_path)
    # a broker, not eager execution in the request
    assert loaded["broker"] == "filesystem://" and loaded["eager"] is False
    options = loaded["options"]
    queue = str(tmp_path / "celery" / "queue")
    # the web server writes and the worker reads the same folder
    assert options["data_folder_in"] == options["data_folder_out"] == queue
    assert options["store_processed"] is True and options["processed_folder"] == str(tmp_path / "celery" / "processed")
    assert options["control_folder"] == str(tmp_path / "celery" / "control")
    assert options["polling_interval"] <= 0.25
    # the folders exist before any worker started, so the first send finds them
    assert all(Path(options[key]).is_dir() for key in ("data_folder_in", "processed_folder", "control_folder"))
    # beat keeps its schedule under var/ and runs the sweeps (pushes, mass sends, template messages),
    # scheduled go-lives, the drift check and the import outbox
    assert loaded["beat"] == str(tmp_path / "celerybeat-schedule")
    assert set(loaded["schedule"]) == {"publishing-sweep", "content-publish-scheduled", "wechat-sync-check",
                                       "importing-side-effects", "broadcasts-sweep", "notices-sweep"}


def test_the_embedded_default_shares_sqlite_in_wal_mode_with_a_busy_timeout(tmp_path):
    loaded = load(tmp_path)
    db = loaded["db"]
    assert db["ENGINE"] == "django.db.backends.sqlite3" and db["NAME"] == str(tmp_path / "cms.sqlite3")
    assert db["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert db["OPTIONS"]["timeout"] >= 10
    # what the connection really runs with
    assert loaded["pragmas"] == {"journal_mode": "wal", "busy_timeout": db["OPTIONS"]["timeout"] * 1000}


def test_a_broker_url_switches_to_redis_with_its_visibility_timeout(tmp_path):
    loaded = load(tmp_path, CELERY_BROKER_URL="redis://127.0.0.1:6379/0")
    assert loaded["broker"] == "redis://127.0.0.1:6379/0" and loaded["eager"] is False
    assert set(loaded["options"]) == {"visibility_timeout"}


def test_the_admin_base_url_follows_the_address_bin_run_exports(tmp_path):
    assert load(tmp_path, WAGTAILADMIN_BASE_URL="http://127.0.0.1:8731")["base_url"] == "http://127.0.0.1:8731"


def test_production_refuses_to_start_without_a_broker(tmp_path):
    clean = {k: v for k, v in os.environ.items() if k not in CLEARED}
    clean.update(DJANGO_SETTINGS_MODULE="cms.settings.production", SECRET_KEY="x" * 50,
                 CMS_SECRETS_KEY="yJ8p1m0bHq2bqv3b7n0pT2k4Xq9Y6d1w3s5u7w9y1A0=",
                 DATABASE_URL="postgres://u@127.0.0.1:5432/x", CMS_VAR_DIR=str(tmp_path))
    result = subprocess.run([sys.executable, "-c", "import django; django.setup()"], cwd=ROOT, env=clean,
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode != 0 and "CELERY_BROKER_URL (the job broker" in result.stderr
