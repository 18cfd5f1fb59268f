"""deploy/: the systemd units, the compose file and the image's entrypoint, checked
without systemd running them or a container engine."""

import configparser
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml
from django.conf import settings
from django.db import connection

from harness.worker import BROKER_URL, database_url

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
UNITS = {name: DEPLOY / "systemd" / f"cms-{name}.service" for name in ("web", "worker", "beat")}


def unit(path):
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # systemd keys are case-sensitive
    parser.read(path)
    return parser


def seconds(value):
    match = re.fullmatch(r"(\d+)s?", value)
    assert match, value
    return int(match.group(1))


def test_web_worker_and_beat_are_separate_units_that_restart():
    for name, path in UNITS.items():
        service = unit(path)["Service"]
        assert service["Restart"] in {"always", "on-failure"}, name
        assert seconds(service["RestartSec"]) > 0, name
        assert service["EnvironmentFile"] == "/etc/cms/cms.env", name
        assert unit(path)["Install"]["WantedBy"] == "multi-user.target", name
    assert "gunicorn cms.wsgi:application" in unit(UNITS["web"])["Service"]["ExecStart"]
    worker = unit(UNITS["worker"])["Service"]["ExecStart"].split()
    assert "worker" in worker and "-B" not in worker and "--beat" not in worker
    beat = unit(UNITS["beat"])["Service"]["ExecStart"].split()
    assert beat[beat.index("-A") + 1:beat.index("-A") + 3] == ["cms", "beat"]
    assert beat[beat.index("--schedule") + 1].startswith("/var/lib/cms/")


def test_stop_timeouts_let_work_in_flight_finish():
    # The worker waits as long as a job's lease: a job killed after that is taken over.
    worker = unit(UNITS["worker"])["Service"]
    assert seconds(worker["TimeoutStopSec"]) == settings.PUBLISHING_LEASE_SECONDS
    assert worker["KillSignal"] == "SIGTERM" and worker["KillMode"] == "mixed"
    web = unit(UNITS["web"])["Service"]
    graceful = int(re.search(r"--graceful-timeout (\d+)", web["ExecStart"]).group(1))
    assert seconds(web["TimeoutStopSec"]) > graceful


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze is not installed")
def test_systemd_accepts_the_units(tmp_path):
    # Pointed at this checkout and its virtualenv, where /opt/cms is in production.
    bindir = Path(sys.executable).parent
    for path in UNITS.values():
        text = path.read_text().replace("/opt/cms/.venv/bin/", f"{bindir}/").replace("=/opt/cms", f"={ROOT}")
        (tmp_path / path.name).write_text(text)
    result = subprocess.run(
        ["systemd-analyze", "verify", *sorted(str(p) for p in tmp_path.glob("*.service"))],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr


def compose():
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())


def test_the_compose_file_is_valid_and_complete():
    schema = json.loads((Path(__file__).parent / "compose_schema.json").read_text())
    jsonschema.Draft202012Validator(schema).validate(compose())
    services = compose()["services"]
    for name, service in services.items():
        for needed in service.get("depends_on", {}):
            assert needed in services, f"{name} depends on unknown service {needed}"
    images = " ".join(s.get("image", "") for s in services.values())
    for dependency in ("postgres", "redis", "rabbitmq", "minio"):
        assert dependency in images
    commands = {name: s.get("command") for name, s in services.items() if s.get("image") == "channel-cms:latest"}
    assert commands == {"migrate": ["migrate"], "web": ["web"], "worker": ["worker"], "beat": ["beat"]}
    assert services["worker"]["stop_grace_period"] == f"{settings.PUBLISHING_LEASE_SECONDS:.0f}s"
    assert services["web"]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}


def test_the_image_installs_the_hashed_lock_and_runs_the_entrypoint():
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    assert "--require-hashes" in dockerfile and "requirements/lock.txt" in dockerfile
    assert 'ENTRYPOINT ["deploy/entrypoint.sh"]' in dockerfile
    assert os.access(DEPLOY / "entrypoint.sh", os.X_OK)


def entrypoint(*args):
    # A test process may carry DJANGO_ALLOW_ASYNC_UNSAFE (the browser tests set it);
    # production's check --deploy rightly refuses it, so the entrypoint never sees it.
    inherited = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = dict(
        inherited,
        PYTHON=sys.executable,
        # Production refuses to start on single-machine fallbacks unless each is named.
        ALLOW_LOCAL_MEDIA="1",
        ALLOW_LOCAL_CACHE="1",
        ALLOW_LOCALHOST_BASE_URL="1",
        DJANGO_SETTINGS_MODULE="cms.settings.production",
        SECRET_KEY="entrypoint-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        CMS_SECRETS_KEY=settings.CMS_SECRETS_KEY,
        DATABASE_URL=database_url(connection.settings_dict),
        CELERY_BROKER_URL=BROKER_URL,
    )
    return subprocess.run([str(DEPLOY / "entrypoint.sh"), *args], env=env, capture_output=True, text=True, timeout=300)


def test_the_images_collectstatic_step_loads_production_settings(tmp_path):
    # The build's placeholder variables must satisfy production's refusals (a valid key
    # shape, each fallback named), or the image build fails at collectstatic.
    step = re.search(r"RUN (SECRET_KEY=.*?)python manage.py collectstatic", (DEPLOY / "Dockerfile").read_text(),
                     re.S).group(1)
    assigned = dict(pair.split("=", 1) for pair in step.replace("\\\n", " ").split())
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE" and not k.startswith("ALLOW_")}
    env.update(assigned, DJANGO_SETTINGS_MODULE="cms.settings.production", STATIC_ROOT=str(tmp_path / "static"))
    done = subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "--dry-run"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]


@pytest.mark.integration
def test_the_entrypoint_migrates_and_checks_against_the_database(transactional_db):
    migrated = entrypoint("migrate")
    assert migrated.returncode == 0, migrated.stderr
    assert "No migrations to apply" in migrated.stdout
    checked = entrypoint("check")
    assert checked.returncode == 0, checked.stderr
    assert "System check identified" in checked.stdout + checked.stderr
    refused = entrypoint("python", "-c", "import sys; sys.exit(3)")
    assert refused.returncode == 3
