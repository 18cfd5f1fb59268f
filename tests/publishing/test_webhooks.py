"""Webhook deliveries to an SMS gateway: signed bundle deltas, in order, retried for
a bounded time, every attempt logged, replayable."""

import json
import re
import time

import pytest

from content.models import ChannelAccount, SmsTemplate
from content.secrets import Secret
from publishing import services, webhooks
from publishing.models import Delivery, Publication, State, WebhookEndpoint
from tests.support.factories import ChannelAccountFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


@pytest.fixture
def sms_account(matrix):
    return ChannelAccountFactory(
        code="sms-sx-01", organisation=matrix["branch1"], type=ChannelAccount.Type.SMS, app_id="",
        service_number="10086", signature="【中国移动】",
    )


@pytest.fixture
def endpoint(sms_account, webhook_receiver):
    return WebhookEndpoint.objects.create(
        account=sms_account, name="短信网关", url=webhook_receiver.url, secret=Secret(webhook_receiver.secret)
    )


def parameters_of(text):
    return [{"name": name, "type": "text", "max_length": 10} for name in re.findall(r"{(\w+)}", text)]


def publish_template(capture, organisation, code, text):
    with capture(execute=True):
        template = SmsTemplate.objects.filter(code=code).first()
        if template is None:
            template = SmsTemplate.objects.create(
                code=code, category="reply", organisation=organisation, text=text, parameters=parameters_of(text),
                commands=[],
            )
        else:
            template.text, template.parameters = text, parameters_of(text)
            template.save()
        template.save_revision().publish()
    return template


def templates_in(document):
    data = document["data"]
    if document["type"] == "bundle":
        return sorted(t["code"] for t in data["smsTemplates"])
    return sorted(t["code"] for t in data["upserts"].get("smsTemplates", []))


def test_the_first_delivery_is_the_signed_bundle_and_the_next_carries_only_the_changed_template(
    matrix, endpoint, webhook_receiver, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    # given two templates published and delivered
    publish_template(capture, matrix["branch1"], "CXYE", "您的余额为{balance}元")
    publish_template(capture, matrix["branch1"], "CXLL", "本月已用流量{used}")
    first = webhook_receiver.documents()
    assert [d["type"] for d in first] == ["bundle", "delta"]
    assert templates_in(first[0]) == ["CXYE"] and templates_in(first[1]) == ["CXLL"]
    # when one template changes
    publish_template(capture, matrix["branch1"], "CXYE", "您的话费余额为{balance}元")
    # then exactly one more delivery arrived, carrying only that template, in version order
    documents = webhook_receiver.documents()
    assert len(documents) == 3
    assert templates_in(documents[2]) == ["CXYE"]
    assert documents[2]["since"] == documents[1]["version"] < documents[2]["version"]
    assert documents[2]["data"]["upserts"]["smsTemplates"][0]["text"] == "您的话费余额为{balance}元"
    # and each publish's webhook publication is done with its delivery logged
    pubs = Publication.objects.filter(channel=Publication.Channel.WEBHOOK).order_by("pk")
    assert [p.state for p in pubs] == [State.DONE] * 3
    assert all(p.deliveries.count() == 1 for p in pubs)
    attempt = Delivery.objects.order_by("pk").last().attempt_log.get()
    assert attempt.status_code == 200 and '"ok": true' in attempt.response_body


def test_the_signature_covers_timestamp_and_body_and_refuses_tampering_or_staleness():
    body = json.dumps({"type": "delta"}).encode()
    now = int(time.time())
    signature = webhooks.sign("k3y", now, body)
    assert signature.startswith("sha256=") and len(signature) == 71
    assert webhooks.verify("k3y", str(now), body, signature)
    assert not webhooks.verify("k3y", str(now), body + b" ", signature)
    assert not webhooks.verify("other", str(now), body, signature)
    assert not webhooks.verify("k3y", str(now - 3600), body, webhooks.sign("k3y", now - 3600, body))


def test_a_failing_endpoint_is_retried_with_backoff_and_later_deliveries_wait_their_turn(
    matrix, endpoint, webhook_receiver, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    # given the gateway fails twice before accepting
    webhook_receiver.script = [503, 503]
    # when two templates are published one after the other
    publish_template(capture, matrix["branch1"], "T1", "第一条")
    publish_template(capture, matrix["branch1"], "T2", "第二条")
    # then the first delivery took three attempts, each logged, and the second came after it
    first, second = Delivery.objects.order_by("pk")
    assert first.state == second.state == State.DONE
    assert first.attempts == 3
    assert list(first.attempt_log.values_list("status_code", flat=True)) == [503, 503, 200]
    assert first.attempt_log.first().error == "HTTP 503"
    sent = [delivery for delivery, _ in webhook_receiver.requests]
    assert sent == [str(first.pk)] * 3 + [str(second.pk)]


def test_a_delivery_given_up_after_its_window_loses_nothing_the_next_one_carries_it(
    matrix, endpoint, webhook_receiver, settings, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    publish_template(capture, matrix["branch1"], "T1", "第一条")
    # given the gateway is down for longer than the retry window
    # (two seconds: room for a retry even when one attempt is slow on a loaded machine;
    # retries come every 0.05-0.4 s here)
    settings.PUBLISHING_WEBHOOK_RETRY_WINDOW_SECONDS = 2
    webhook_receiver.script = [500] * 200
    publish_template(capture, matrix["branch1"], "T2", "第二条")
    failed = Delivery.objects.order_by("pk").last()
    assert failed.state == State.FAILED and failed.attempts >= 2
    assert failed.publication.state == State.FAILED and "Webhook" in failed.publication.last_error
    # when it is back and a third template is published
    webhook_receiver.script = []
    publish_template(capture, matrix["branch1"], "T3", "第三条")
    # then that delivery carries both the missed and the new template
    assert templates_in(webhook_receiver.documents()[-1]) == ["T2", "T3"]


def test_a_delivery_replayed_from_the_admin_sends_the_same_body_again(
    matrix, endpoint, webhook_receiver, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    publish_template(capture, matrix["branch1"], "T1", "第一条")
    original = Delivery.objects.get()
    with capture(execute=True):
        replay = services.replay_delivery(original)
    replay.refresh_from_db()
    assert replay.state == State.DONE and replay.replay_of == original and replay.body == original.body
    assert [d for d, _ in webhook_receiver.requests] == [str(original.pk), str(replay.pk)]
    assert webhook_receiver.documents()[0] == webhook_receiver.documents()[1]


def test_a_disabled_endpoint_gets_no_delivery(matrix, endpoint, webhook_receiver, django_capture_on_commit_callbacks):
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(enabled=False)
    publish_template(django_capture_on_commit_callbacks, matrix["branch1"], "T1", "第一条")
    assert not Delivery.objects.exists() and webhook_receiver.requests == []


def test_unpublishing_a_template_delivers_its_removal(
    matrix, endpoint, webhook_receiver, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    template = publish_template(capture, matrix["branch1"], "T1", "第一条")
    with capture(execute=True):
        template.unpublish()
    last = webhook_receiver.documents()[-1]
    assert last["type"] == "delta" and last["data"]["removed"] == {"smsTemplates": ["T1"]}
