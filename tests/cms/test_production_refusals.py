"""Production refuses to start on an embedded fallback nobody chose (local media
files, a per-process cache, the folder broker, http://localhost:8000), and
`manage.py` refuses development settings against a database server. Each refusal
names the variable and the switch that allows the fallback. Behind TLS,
`check --deploy` is clean."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FERNET_KEY = "yJ8p1m0bHq2bqv3b7n0pT2k4Xq9Y6d1w3s5u7w9y1A0="
PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "cms.settings.production",
    "SECRET_KEY": "production-secret-key-" + "k" * 40,
    "CMS_SECRETS_KEY": FERNET_KEY,
    "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none",
    "S3_BUCKET": "media",
    "REDIS_URL": "redis://127.0.0.1:1/0",
    "CELERY_BROKER_URL": "redis://127.0.0.1:1/1",
    "WAGTAILADMIN_BASE_URL": "https://cms.example.cn",
    "ALLOWED_HOSTS": "cms.example.cn",
}
CLEARED = {
    *PRODUCTION, "DEBUG", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE",
    "ALLOW_LOCAL_MEDIA", "ALLOW_LOCAL_CACHE", "ALLOW_FILESYSTEM_BROKER", "ALLOW_LOCALHOST_BASE_URL",
    "DJANGO_ALLOW_ASYNC_UNSAFE",  # set by the browser tests; check --deploy rightly refuses it
}
SHOW = (
    "import django; django.setup(); from django.conf import settings as s; "
    "print(s.STORAGES['default']['BACKEND'], s.CACHES['default']['BACKEND'], s.CELERY_BROKER_URL, "
    "s.WAGTAILADMIN_BASE_URL, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE)"
)


def _run(args, tmp_path, unset=(), **env):
    clean = {k: v for k, v in os.environ.items() if k not in CLEARED}
    clean.update({k: v for k, v in PRODUCTION.items() if k not in unset}, CMS_VAR_DIR=str(tmp_path))
    clean.update(env)
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120, check=False)


def test_production_starts_with_every_service_named(tmp_path):
    result = _run(["-c", SHOW], tmp_path)
    assert result.returncode == 0, result.stderr
    media, cache, broker, base_url, redirect, hsts, secure_cookie = result.stdout.split()
    assert media == "storages.backends.s3.S3Storage" and cache == "cms.cache.RedisCache"
    assert broker == "redis://127.0.0.1:1/1" and base_url == "https://cms.example.cn"
    assert (redirect, hsts, secure_cookie) == ("True", "31536000", "True")


@pytest.mark.parametrize("variable, switch, fallback", [
    ("S3_BUCKET", "ALLOW_LOCAL_MEDIA", "django.core.files.storage.FileSystemStorage"),
    ("REDIS_URL", "ALLOW_LOCAL_CACHE", "django.core.cache.backends.locmem.LocMemCache"),
    ("CELERY_BROKER_URL", "ALLOW_FILESYSTEM_BROKER", "filesystem://"),
    ("WAGTAILADMIN_BASE_URL", "ALLOW_LOCALHOST_BASE_URL", "http://localhost:8000"),
])
def test_each_fallback_is_refused_unless_switched_on_by_name(tmp_path, variable, switch, fallback):
    refused = _run(["-c", SHOW], tmp_path, unset={variable})
    assert refused.returncode != 0
    assert variable in refused.stderr and f"{switch}=1" in refused.stderr
    allowed = _run(["-c", SHOW], tmp_path, unset={variable}, **{switch: "1"})
    assert allowed.returncode == 0, allowed.stderr
    assert fallback in allowed.stdout.split()


def test_every_missing_service_is_named_in_one_refusal(tmp_path):
    result = _run(["-c", SHOW], tmp_path, unset={"S3_BUCKET", "REDIS_URL", "CELERY_BROKER_URL", "WAGTAILADMIN_BASE_URL"})
    assert result.returncode != 0
    for switch in ("ALLOW_LOCAL_MEDIA", "ALLOW_LOCAL_CACHE", "ALLOW_FILESYSTEM_BROKER", "ALLOW_LOCALHOST_BASE_URL"):
        assert switch in result.stderr


@pytest.mark.parametrize("args", [
    ["manage.py", "check"],
    ["-c", "import cms.wsgi"],  # gunicorn cms.wsgi:application
    ["-c", "import cms.celery"],  # celery -A cms worker
])
def test_no_settings_module_against_a_database_server_is_refused(tmp_path, args):
    result = _run(args, tmp_path, DJANGO_SETTINGS_MODULE="")
    assert result.returncode != 0
    assert "DJANGO_SETTINGS_MODULE is unset" in result.stderr
    assert "cms.settings.production" in result.stderr


def test_no_settings_module_on_sqlite_runs_the_development_settings(tmp_path):
    result = _run(["-c", "import cms.celery; from django.conf import settings; print(settings.DEBUG)"], tmp_path,
                  DJANGO_SETTINGS_MODULE="", DATABASE_URL=f"sqlite:///{tmp_path}/cms.sqlite3")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-1] == "True"


def test_check_deploy_is_clean_under_production_settings(tmp_path):
    result = _run(["manage.py", "check", "--deploy", "--fail-level", "DEBUG"], tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_tls_settings_can_be_switched_off_by_their_variables(tmp_path):
    result = _run(["-c", SHOW], tmp_path, SECURE_SSL_REDIRECT="0", SECURE_HSTS_SECONDS="0", SESSION_COOKIE_SECURE="0")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-3:] == ["False", "0", "False"]
