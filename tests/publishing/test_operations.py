"""Operations beyond the happy path: the sweep taking over a dead worker's job,
webhook endpoints in the admin (secret write-only), deliveries replayed from the admin."""

import time
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from content.models import ChannelAccount
from content.secrets import Secret
from publishing import services
from publishing.models import Delivery, Publication, State, WebhookEndpoint
from publishing.services.dispatch import enqueue
from publishing.tasks import deliver
from tests.support.factories import ChannelAccountFactory

pytestmark = pytest.mark.django_db


@pytest.mark.integration
def test_the_sweep_takes_over_a_job_whose_worker_died_and_leaves_held_ones_alone(
    official_accounts, article, django_capture_on_commit_callbacks
):
    # given two jobs marked running: one whose worker's lease ran out, one still held
    with django_capture_on_commit_callbacks(execute=False):
        batch = services.publish_item(article, accounts=official_accounts[:2])
    dead, held = batch.publications.order_by("pk")
    past, future = timezone.now() - timedelta(minutes=5), timezone.now() + timedelta(minutes=5)
    Publication.objects.filter(pk=dead.pk).update(state=State.RUNNING, lease_until=past, created_at=past)
    Publication.objects.filter(pk=held.pk).update(state=State.RUNNING, lease_until=future, created_at=past)
    # when the sweep runs
    with django_capture_on_commit_callbacks(execute=True):
        found = services.sweep()
    # then only the dead worker's job was resumed, and it completed
    assert found["publications"] == 1
    dead.refresh_from_db()
    held.refresh_from_db()
    assert dead.state == State.DONE and held.state == State.RUNNING


def test_a_webhook_endpoint_is_added_in_the_admin_with_a_write_only_secret(client, superuser, matrix):
    account = ChannelAccountFactory(code="sms-sx-01", organisation=matrix["branch1"], type=ChannelAccount.Type.SMS,
                                    app_id="", service_number="10086", signature="【中国移动】")
    client.force_login(superuser)
    add = reverse("wagtailsnippets_publishing_webhookendpoint:add")
    # an enabled endpoint without a secret is refused, naming the field
    page = client.post(add, {"account": account.pk, "name": "网关", "url": "https://gw.example.cn/hook",
                             "enabled": "on"}).content.decode()
    assert "启用的 Webhook 端点必须设置签名密钥" in page
    response = client.post(add, {"account": account.pk, "name": "网关", "url": "https://gw.example.cn/hook",
                                 "enabled": "on", "secret_new": "whsec-very-secret"})
    assert response.status_code == 302
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.secret.reveal() == "whsec-very-secret"
    edit = client.get(reverse("wagtailsnippets_publishing_webhookendpoint:edit", args=[endpoint.pk])).content.decode()
    assert "whsec-very-secret" not in edit and "已设置" in edit


def test_a_branch_publisher_cannot_add_an_endpoint_to_a_sibling_branchs_account(client, matrix, branch_publisher):
    client.force_login(branch_publisher)
    page = client.get(reverse("wagtailsnippets_publishing_webhookendpoint:add")).content.decode()
    assert matrix["account_branch1"].code in page
    assert matrix["account_branch2"].code not in page


@pytest.mark.integration
def test_deliveries_are_listed_with_their_attempts_and_replayed_from_the_admin(
    client, superuser, matrix, webhook_receiver, django_capture_on_commit_callbacks
):
    account = ChannelAccountFactory(code="web-sx-01", organisation=matrix["branch1"], type=ChannelAccount.Type.WEB,
                                    app_id="", base_url="https://web.example.cn")
    endpoint = WebhookEndpoint.objects.create(account=account, url=webhook_receiver.url,
                                              secret=Secret(webhook_receiver.secret))
    webhook_receiver.script = [500]
    with django_capture_on_commit_callbacks(execute=True):
        delivery = Delivery.objects.create(endpoint=endpoint)
        enqueue(deliver, delivery.pk)
    delivery.refresh_from_db()
    assert delivery.state == State.DONE and delivery.attempts == 2
    client.force_login(superuser)
    listing = client.get(reverse("publishing:deliveries")).content.decode()
    assert f'data-delivery="{delivery.pk}"' in listing and endpoint.url in listing
    detail = client.get(reverse("publishing:delivery", args=[delivery.pk])).content.decode()
    assert "HTTP 500" in detail and '"type":"bundle"' in detail.replace("&quot;", '"')
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("publishing:delivery_action", args=[delivery.pk, "replay"]))
    assert response.status_code == 302
    replay = Delivery.objects.get(replay_of=delivery)
    assert replay.state == State.DONE and replay.body == delivery.body


@pytest.mark.integration
def test_an_in_process_run_over_its_budget_leaves_jobs_queued_and_run_now_finishes_them(
    official_accounts, article, settings, django_capture_on_commit_callbacks
):
    # given no broker and no time left for inline work
    settings.PUBLISHING_INLINE_BUDGET_SECONDS = 0
    with django_capture_on_commit_callbacks(execute=True):
        batch = services.publish_item(article, accounts=official_accounts[:1])
    pub = batch.publications.get()
    assert pub.state == State.QUEUED and pub.attempts == 0
    # when an operator runs it now
    settings.PUBLISHING_INLINE_BUDGET_SECONDS = 60
    with django_capture_on_commit_callbacks(execute=True):
        services.retry_publication(pub)
    pub.refresh_from_db()
    assert pub.state == State.DONE


@pytest.mark.django_db(transaction=True)
def test_a_job_running_longer_than_its_lease_keeps_it_so_no_sweep_takes_it_over(matrix, settings):
    from django.contrib.contenttypes.models import ContentType

    from publishing.models import PublishBatch
    from publishing.services import runner

    # given a job claimed by a worker, with a lease of 0.6 s
    settings.PUBLISHING_LEASE_SECONDS = 0.6
    account = matrix["account_branch1"]
    batch = PublishBatch.objects.create(kind="article", source_type=ContentType.objects.get_for_model(ChannelAccount),
                                        source_id=str(account.pk), source_code="ART-SLOW")
    pub = Publication.objects.create(batch=batch, account=account, channel=Publication.Channel.WECHAT)
    claimed, _attempt = runner.claim(pub.pk)
    first_lease = claimed.lease_until
    # when its step runs three leases long
    with runner.lease_kept(claimed):
        time.sleep(1.8)
        # then the lease was renewed meanwhile, and a second claim (a sweep, a redelivery) finds it held
        assert Publication.objects.get(pk=pub.pk).lease_until > first_lease + timedelta(seconds=0.5)
        assert runner.claim(pub.pk) is None
    # and once the step is over, the heartbeat stops renewing it
    lease = Publication.objects.get(pk=pub.pk).lease_until
    time.sleep(0.5)
    assert Publication.objects.get(pk=pub.pk).lease_until == lease
