"""A webhook delivery claimed while a writer (a release going live) holds the change
log's writer lock waits for it, instead of deadlocking with it: the delivery takes the
writer lock before the endpoint's row, in the order writers take them."""

import threading
import time

import pytest
from django.db import connection, transaction

from content.models import ChannelAccount
from content.secrets import Secret
from publishing import services
from publishing.changes.services import lock_writers
from publishing.models import Delivery, State, WebhookEndpoint
from tests.support.factories import ChannelAccountFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def endpoint(matrix, webhook_receiver):
    account = ChannelAccountFactory(
        code="sms-sx-01",
        organisation=matrix["branch1"],
        type=ChannelAccount.Type.SMS,
        app_id="",
        service_number="10086",
        signature="【中国移动】",
    )
    return WebhookEndpoint.objects.create(
        account=account,
        name="短信网关",
        url=webhook_receiver.url,
        secret=Secret(webhook_receiver.secret),
    )


def wait_until_a_backend_waits_on_a_lock(timeout=20):
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.05)
    raise AssertionError("the delivery never waited on a lock")


def test_a_delivery_claimed_during_a_release_write_waits_for_it_instead_of_deadlocking(
    endpoint,
):
    # given a queued delivery, and a writer holding the change log's writer lock that will
    # then lock the endpoint's row (as cover_changes does inside a publish's transaction)
    delivery = Delivery.objects.create(endpoint=endpoint)
    holding, go_on, errors = threading.Event(), threading.Event(), []

    def writer():
        try:
            with transaction.atomic():
                lock_writers()
                holding.set()
                go_on.wait(20)
                WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    def deliverer():
        try:
            services.deliver(delivery.pk)
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    writing = threading.Thread(target=writer)
    writing.start()
    assert holding.wait(20)
    # when the delivery is claimed meanwhile and blocks, then the writer goes on
    delivering = threading.Thread(target=deliverer)
    delivering.start()
    wait_until_a_backend_waits_on_a_lock()
    go_on.set()
    writing.join(60)
    delivering.join(60)
    # then neither failed (no deadlock) and the delivery went out once the writer committed
    assert errors == []
    delivery.refresh_from_db()
    assert delivery.state == State.DONE
