import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _load(settings_module, **env):
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "CMS_SECRETS_KEY", "DATABASE_URL"}}
    clean.update(env, DJANGO_SETTINGS_MODULE=settings_module)
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); from django.conf import settings; "
         "print(settings.DATABASES['default']['ENGINE'], settings.LANGUAGE_CODE, settings.TIME_ZONE, "
         "settings.CELERY_TASK_ALWAYS_EAGER, settings.STORAGES['default']['BACKEND'])"],
        cwd=ROOT, env=clean, capture_output=True, text=True,
    )


def test_defaults_run_on_sqlite_local_files_celery_on_a_worker_in_chinese():
    result = _load("cms.settings.dev", CELERY_BROKER_URL="", S3_BUCKET="")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.sqlite3", "zh-hans", "Asia/Shanghai", "False",
        "django.core.files.storage.FileSystemStorage",
    ]


def test_environment_switches_to_postgres_redis_and_s3():
    result = _load("cms.settings.dev", DATABASE_URL="postgres://u@127.0.0.1:5432/x",
                   CELERY_BROKER_URL="redis://127.0.0.1:6379/0", S3_BUCKET="media")
    assert result.returncode == 0, result.stderr
    engine, _, _, eager, storage = result.stdout.split()
    assert engine == "django.db.backends.postgresql" and eager == "False"
    assert storage == "storages.backends.s3.S3Storage"


def test_production_refuses_to_start_without_secret_key():
    result = _load("cms.settings.production", DATABASE_URL="postgres://u@127.0.0.1:5432/x")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
