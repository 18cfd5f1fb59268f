import os

import pytest


@pytest.mark.integration
def test_healthz_reports_database_storage_and_broker(client, db, settings):
    settings.CELERY_BROKER_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    from cms.celery import app

    app.conf.broker_url = settings.CELERY_BROKER_URL
    response = client.get("/healthz")
    body = response.json()
    assert response.status_code == 200, body
    assert body["checks"]["database"]["ok"] and body["checks"]["storage"]["ok"] and body["checks"]["broker"]["ok"]


def test_healthz_is_503_when_broker_unreachable(client, db, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    from cms.celery import app

    old = app.conf.broker_url
    app.conf.broker_url = settings.CELERY_BROKER_URL
    try:
        response = client.get("/healthz")
    finally:
        app.conf.broker_url = old
    assert response.status_code == 503
    assert response.json()["checks"]["broker"]["ok"] is False


def test_graphql_refuses_unauthenticated_requests(client, db):
    response = client.post("/graphql/", '{"query": "{ brands { code } }"}', content_type="application/json")
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
