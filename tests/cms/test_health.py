"""/healthz (liveness) and /readyz (readiness): each dependency failing is named, a
hanging one is answered within the deadline, and only operators see the details."""

import os
import socket
import threading
import time
from datetime import timedelta

import boto3
import pytest
from django.db import connections
from django.utils import timezone
from moto.server import ThreadedMotoServer

from cms import health, heartbeat
from cms.celery import app
from cms.models import WorkerHeartbeat
from content.services.accounts import set_secret
from harness.worker import BROKER_URL, _forget_pools
from tests.support.api import make_api_client
from tests.support.factories import ChannelAccountFactory, OrganisationFactory, UserFactory

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
S3_PORT = 9231
HANG_PORT = 9232
REMOTE = {"REMOTE_ADDR": "203.0.113.7"}


@pytest.fixture
def ready(transactional_db, settings, tmp_path):
    """Every dependency up: Redis cache and broker, a fresh worker heartbeat."""
    settings.CACHES = {"default": {"BACKEND": "cms.cache.RedisCache", "LOCATION": REDIS_URL}}
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.HEALTH_CHECK_TIMEOUT_SECONDS = 5  # generous: a loaded machine is not a failing dependency
    previous = app.conf.broker_url
    app.conf.broker_url = BROKER_URL
    _forget_pools(app)
    heartbeat.record("worker@test")
    health.forget()
    yield settings
    app.conf.broker_url = previous
    _forget_pools(app)
    health.forget()


def readyz(client, **extra):
    health.forget()
    response = client.get("/readyz", **extra)
    return response.status_code, response.json()


def test_healthz_answers_while_the_process_is_up_without_touching_dependencies(client, settings):
    settings.CACHES = {"default": {"BACKEND": "cms.cache.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}}
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.integration
def test_readyz_is_200_when_every_dependency_answers(client, ready):
    status, body = readyz(client)
    assert status == 200, body
    assert body["status"] == "ok" and body["failing"] == []
    assert set(body["checks"]) == {"database", "cache", "broker", "worker", "secrets", "static", "storage"}
    assert all(check["ok"] for check in body["checks"].values())


@pytest.mark.integration
def test_readyz_names_the_database_when_it_is_unreachable(client, ready):
    # A fresh connection (each check runs in a thread of its own) to a port nobody listens on.
    db = connections.settings["default"]
    port = db["PORT"]
    db["PORT"] = "1"
    try:
        status, body = readyz(client)
    finally:
        db["PORT"] = port
    assert status == 503
    assert "database" in body["failing"]
    assert body["checks"]["database"]["error"] == "OperationalError"


@pytest.mark.integration
def test_readyz_names_the_cache_when_redis_is_down(client, ready):
    ready.CACHES = {"default": {"BACKEND": "cms.cache.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}}
    status, body = readyz(client)
    assert status == 503
    assert body["failing"] == ["cache"]
    # Nothing of the URL reaches the answer: the error's type only.
    assert body["checks"]["cache"]["error"] == "ConnectionError"


@pytest.mark.integration
def test_readyz_names_the_broker_when_it_is_unreachable(client, ready):
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    _forget_pools(app)
    status, body = readyz(client)
    assert status == 503
    assert body["failing"] == ["broker"]


@pytest.mark.integration
def test_readyz_names_the_worker_without_a_recent_heartbeat(client, ready):
    WorkerHeartbeat.objects.all().delete()
    status, body = readyz(client)
    assert status == 503 and body["failing"] == ["worker"]
    assert body["checks"]["worker"]["error"] == "no worker has stamped its heartbeat"
    WorkerHeartbeat.objects.create(hostname="worker@gone", seen_at=timezone.now() - timedelta(minutes=10))
    status, body = readyz(client)
    assert status == 503 and body["failing"] == ["worker"]
    assert "600 s old" in body["checks"]["worker"]["error"]
    heartbeat.record("worker@back")
    assert readyz(client)[0] == 200


@pytest.mark.integration
def test_readyz_names_the_secrets_key_when_a_stored_secret_does_not_decrypt(client, ready):
    account = ChannelAccountFactory(code="wx-health", organisation=OrganisationFactory(code="HC", parent=None))
    set_secret(account, "app_secret", "s3cret-app-secret")
    assert readyz(client)[0] == 200
    ready.CMS_SECRETS_KEY = "Yy7Dq2n1u0oVv3t9zH7m8YbS7p4k2J1cX5w6r3e2Q0A="
    status, body = readyz(client)
    assert status == 503 and body["failing"] == ["secrets"]
    error = body["checks"]["secrets"]["error"]
    assert error == "channel account wx-health: app_secret does not decrypt with CMS_SECRETS_KEY"
    assert "s3cret" not in str(body)


@pytest.mark.integration
def test_readyz_names_the_static_manifest_when_collectstatic_did_not_run(client, ready, tmp_path):
    ready.STATIC_ROOT = tmp_path / "static"
    ready.STATIC_ROOT.mkdir()
    ready.STORAGES = {
        **ready.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    status, body = readyz(client)
    assert status == 503 and body["failing"] == ["static"]
    assert "staticfiles.json is missing" in body["checks"]["static"]["error"]
    (ready.STATIC_ROOT / "staticfiles.json").write_text('{"paths": {"a.css": "a.123.css"}, "version": "1.1"}')
    assert readyz(client)[0] == 200


def s3_storage(endpoint, bucket):
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket, "endpoint_url": endpoint, "access_key": "health", "secret_key": "health-secret",
            "region_name": "us-east-1",
        },
    }


@pytest.mark.integration
def test_readyz_heads_the_bucket_without_writing_and_names_storage_when_it_is_missing(client, ready):
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=S3_PORT, verbose=False)
    server.start()
    try:
        endpoint = f"http://127.0.0.1:{S3_PORT}"
        s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                          aws_access_key_id="health", aws_secret_access_key="health-secret")
        s3.create_bucket(Bucket="cms-health")
        ready.STORAGES = {**ready.STORAGES, "default": s3_storage(endpoint, "cms-health")}
        ready.HEALTH_CHECK_TIMEOUT_SECONDS = 10  # the answer is tested here, not the deadline
        status, body = readyz(client)
        assert status == 200, body
        assert body["checks"]["storage"]["detail"] == "s3 cms-health"
        assert s3.list_objects_v2(Bucket="cms-health").get("KeyCount") == 0
        ready.STORAGES = {**ready.STORAGES, "default": s3_storage(endpoint, "cms-no-such-bucket")}
        status, body = readyz(client)
        assert status == 503 and body["failing"] == ["storage"]
        assert body["checks"]["storage"]["error"] == "ClientError"
    finally:
        server.stop()


@pytest.fixture
def hanging_server():
    """A TCP server that accepts connections and never answers."""
    listener = socket.create_server(("127.0.0.1", HANG_PORT))
    accepted, stop = [], threading.Event()

    def accept():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{HANG_PORT}"
    stop.set()
    thread.join()
    for conn in accepted:
        conn.close()
    listener.close()


@pytest.mark.integration
def test_readyz_answers_within_the_timeout_when_s3_hangs(client, ready, hanging_server):
    ready.STORAGES = {**ready.STORAGES, "default": s3_storage(hanging_server, "cms-hangs")}
    ready.HEALTH_CHECK_TIMEOUT_SECONDS = 0.5
    started = time.monotonic()
    status, body = readyz(client)
    elapsed = time.monotonic() - started
    assert status == 503 and body["failing"] == ["storage"]
    assert body["checks"]["storage"]["error"] == "no answer within 0.5 s"
    assert elapsed < 2, elapsed
    # The stuck check is not started a second time while it still hangs.
    status, body = readyz(client)
    assert body["checks"]["storage"]["error"] == "still running since an earlier check (hanging)"


@pytest.mark.integration
def test_the_answer_is_kept_for_a_few_seconds(client, ready):
    ready.HEALTH_CACHE_SECONDS = 60
    assert client.get("/readyz").status_code == 200
    WorkerHeartbeat.objects.all().delete()
    assert client.get("/readyz").status_code == 200  # kept
    health.forget()
    assert client.get("/readyz").status_code == 503


@pytest.mark.integration
def test_only_operators_see_which_check_failed(client, ready):
    WorkerHeartbeat.objects.all().delete()
    # Anyone else (here: through the proxy, or from another host) gets the status only.
    assert readyz(client, **REMOTE) == (503, {"status": "failing"})
    assert readyz(client, HTTP_X_FORWARDED_FOR="203.0.113.7") == (503, {"status": "failing"})
    assert readyz(client, HTTP_AUTHORIZATION="Bearer not-a-token", **REMOTE) == (503, {"status": "failing"})
    # A staff session, an API token, or a request from this host without a proxy: details.
    staff = UserFactory(username="ops", is_staff=True)
    client.force_login(staff)
    assert readyz(client, **REMOTE)[1]["failing"] == ["worker"]
    client.logout()
    org = OrganisationFactory(code="HC2", parent=None)
    _, token = make_api_client("监控", org, [ChannelAccountFactory(code="wx-hc2", organisation=org)])
    assert readyz(client, HTTP_AUTHORIZATION=f"Bearer {token}", **REMOTE)[1]["failing"] == ["worker"]
    assert readyz(client)[1]["failing"] == ["worker"]


def test_graphql_refuses_unauthenticated_requests(client, db):
    response = client.post("/graphql/", '{"query": "{ brands { code } }"}', content_type="application/json")
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


@pytest.mark.integration
def test_a_running_worker_keeps_readiness_up_and_its_clean_stop_takes_it_down(client, ready):
    from harness.worker import WorkerProcess, database_url, purge_broker

    WorkerHeartbeat.objects.all().delete()
    purge_broker()
    worker = WorkerProcess(database_url(connections["default"].settings_dict), pool="threads",
                           extra_env={"WORKER_HEARTBEAT_SECONDS": "1"}).start()
    try:
        deadline = time.monotonic() + 30
        while not WorkerHeartbeat.objects.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        status, body = readyz(client)
        assert status == 200, (body, worker.log()[-3000:])
        first = WorkerHeartbeat.objects.get().seen_at
        time.sleep(2.5)
        assert WorkerHeartbeat.objects.get().seen_at > first  # stamped again
    finally:
        worker.stop()
    status, body = readyz(client)
    assert status == 503 and body["failing"] == ["worker"]
    purge_broker()
