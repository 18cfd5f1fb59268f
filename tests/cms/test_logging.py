"""One log format for every process: a management command, a Celery worker running a
task, and gunicorn (its own lines and its access log) all write
`<UTC time>Z LEVEL logger [pid] [request or task id] message`; LOG_FORMAT=json writes
the same fields as JSON; a request with a bad Host header is one line."""

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.cms.test_static_files import _free_port

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
LINE = re.compile(
    r"^(?P<time>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z) (?P<level>DEBUG|INFO|WARNING|ERROR|CRITICAL) "
    r"(?P<logger>\S+) \[(?P<process>\d+)\] \[(?P<id>[^\]]+)\] (?P<message>.*)$"
)
pytestmark = pytest.mark.integration


def _env(tmp_path, **extra):
    """Development settings on SQLite and the folder broker in tmp_path: no service needed."""
    drop = {"DATABASE_URL", "CELERY_BROKER_URL", "CELERY_BROKER_DIR", "REDIS_URL", "LOG_FORMAT", "LOG_LEVEL", "TZ"}
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update(DJANGO_SETTINGS_MODULE="cms.settings.dev", CMS_VAR_DIR=str(tmp_path), PYTHONUNBUFFERED="1")
    env.update(extra)
    return env


def _lines(text):
    """The records of a process's output: every line starts one in the format, or
    continues the one before, indented (a traceback, a multi-line warning)."""
    lines = [line for line in text.splitlines() if line.strip()]
    assert lines and LINE.match(lines[0]), text
    starts = [line for line in lines if not line.startswith("    ")]
    return [LINE.match(line) or pytest.fail(f"not in the log format: {line!r}") for line in starts]


def _command(tmp_path, code, **env):
    return subprocess.run([sys.executable, "manage.py", "shell", "-c", code], cwd=ROOT, env=_env(tmp_path, **env),
                          capture_output=True, text=True, timeout=120, check=False)


def test_a_management_command_logs_in_the_format(tmp_path):
    result = _command(tmp_path, "import logging; logging.getLogger('cms.probe').warning('from a command')")
    assert result.returncode == 0, result.stderr
    [line] = _lines(result.stderr)
    assert (line["level"], line["logger"], line["id"], line["message"]) == ("WARNING", "cms.probe", "-", "from a command")
    assert int(line["process"]) > 0


def test_json_mode_writes_one_object_a_line(tmp_path):
    result = _command(tmp_path, "import logging; logging.getLogger('cms.probe').warning('从命令 \"quoted\"')",
                      LOG_FORMAT="json")
    assert result.returncode == 0, result.stderr
    [line] = [json.loads(text) for text in result.stderr.splitlines() if text.strip()]
    assert set(line) == {"time", "level", "logger", "process", "request_id", "message"}
    assert line["message"] == '从命令 "quoted"' and line["level"] == "WARNING" and line["time"].endswith("Z")


def test_an_unknown_log_format_is_refused(tmp_path):
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=_env(tmp_path, LOG_FORMAT="yaml"),
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode != 0 and "LOG_FORMAT must be text or json" in result.stderr


def _wait_for(predicate, process=None, timeout=90):
    deadline = time.monotonic() + timeout
    while not predicate():
        if (process is not None and process.poll() is not None) or time.monotonic() > deadline:
            return False
        time.sleep(0.3)
    return True


def test_the_worker_logs_task_start_and_finish_with_the_task_id(tmp_path):
    log = tmp_path / "worker.log"
    with open(log, "w") as out:
        worker = subprocess.Popen(
            [str(BIN / "celery"), "-A", "cms", "worker", "--pool", "solo", "--without-gossip", "--without-mingle",
             "--without-heartbeat"], cwd=ROOT, env=_env(tmp_path), stdout=subprocess.DEVNULL, stderr=out)
    try:
        assert _wait_for(lambda: "ready" in log.read_text(), worker), log.read_text()
        sent = subprocess.run(
            [sys.executable, "-c", "from cms.celery import app; print(app.send_task('celery.accumulate', args=[1]).id)"],
            cwd=ROOT, env=_env(tmp_path), capture_output=True, text=True, timeout=60, check=False)
        assert sent.returncode == 0, sent.stderr
        task_id = sent.stdout.split()[-1]
        assert _wait_for(lambda: "finished: SUCCESS" in log.read_text(), worker), log.read_text()
    finally:
        worker.terminate()
        worker.wait(timeout=60)
    lines = _lines(log.read_text())
    ours = {line["message"]: line for line in lines if line["id"] == task_id}
    assert ours["task celery.accumulate started"]["level"] == "INFO"
    assert ours["task celery.accumulate finished: SUCCESS"]["logger"] == "cms.tasks"
    assert {line["process"] for line in ours.values()} == {str(worker.pid)}


@pytest.fixture
def gunicorn(tmp_path):
    log = tmp_path / "gunicorn.log"
    port = _free_port()
    with open(log, "w") as out:
        server = subprocess.Popen(
            [str(BIN / "gunicorn"), "-c", "cms/gunicorn.conf.py", "cms.wsgi:application", "-w", "1",
             "-b", f"127.0.0.1:{port}"], cwd=ROOT, env=_env(tmp_path, TZ="Asia/Shanghai"),
            stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"

    def up():
        try:
            return httpx.get(base + "/healthz", timeout=2).status_code > 0
        except httpx.TransportError:
            return False

    try:
        assert _wait_for(up, server), log.read_text()
        yield base, log
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_gunicorn_and_its_access_log_use_the_format_and_the_request_id(gunicorn):
    base, log = gunicorn
    response = httpx.get(base + "/healthz", headers={"X-Request-ID": "req-0123456789"})
    assert response.headers["X-Request-ID"] == "req-0123456789"
    assert _wait_for(lambda: "req-0123456789" in log.read_text(), timeout=20)
    lines = _lines(log.read_text())
    access = [line for line in lines if line["logger"] == "gunicorn.access" and "request_id=req-0123456789" in line["message"]]
    assert access and '"GET /healthz HTTP/1.1"' in access[0]["message"]
    # The master (a different process from the worker) writes UTC too, whatever its TZ.
    assert any(line["logger"] == "gunicorn.error" for line in lines)
    assert {line["time"][-1] for line in lines} == {"Z"}


def test_a_refused_host_is_one_line(gunicorn):
    base, log = gunicorn
    response = httpx.get(base + "/admin/login/", headers={"Host": "evil.example.com"})
    assert response.status_code == 400
    assert _wait_for(lambda: "evil.example.com" in log.read_text() and "400" in log.read_text(),
                     timeout=20)
    time.sleep(0.5)
    text = log.read_text()
    assert "Traceback" not in text
    refused = [line for line in _lines(text) if "Invalid HTTP_HOST header" in line["message"]]
    assert len(refused) == 1
    assert refused[0]["level"] == "WARNING" and refused[0]["logger"] == "django.security.DisallowedHost"


def test_a_retried_task_logs_its_start_retry_and_finish_at_info(caplog):
    import logging

    from cms.celery import app

    attempts = []

    @app.task(bind=True, name="tests.cms.flaky", max_retries=1, default_retry_delay=0)
    def flaky(self):
        attempts.append(self.request.id)
        if len(attempts) == 1:
            raise self.retry(exc=ConnectionError("WeChat answered -1"))
        return "done"

    with caplog.at_level(logging.INFO, logger="cms.tasks"):
        flaky.apply()
    messages = [(r.levelname, r.getMessage()) for r in caplog.records if r.name == "cms.tasks"]
    assert ("INFO", "task tests.cms.flaky started") in messages
    assert any(level == "INFO" and "task tests.cms.flaky retry: " in text and "WeChat answered -1" in text
               for level, text in messages)
    assert ("INFO", "task tests.cms.flaky finished: SUCCESS") in messages
