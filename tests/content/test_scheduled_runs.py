"""Overlapping scheduled runs: beat's tick and a run armed for a go-live time can meet
in one worker; a due revision goes live once and an expired item leaves once (a
second publish of the same article pushed it twice to WeChat, and each push's
clean-up deleted the other's articles)."""

from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone
from wagtail.models import ModelLogEntry
from wagtail.signals import published, unpublished

from content.models import SmsTemplate
from content.services import scheduled
from tests.support.menus import make_template

pytestmark = pytest.mark.django_db


@pytest.fixture
def signals_sent():
    sent = []

    def record(sender, instance, **kwargs):
        sent.append((kwargs.get("signal"), instance.code))

    published.connect(record, dispatch_uid="test-scheduled-runs-p")
    unpublished.connect(record, dispatch_uid="test-scheduled-runs-u")
    yield sent
    published.disconnect(dispatch_uid="test-scheduled-runs-p")
    unpublished.disconnect(dispatch_uid="test-scheduled-runs-u")


def scheduled_template(matrix):
    """A template draft approved to go live, its time now passed."""
    template = make_template("LATER", "稍后上线。", organisation=matrix["province"], live=False)
    template.go_live_at = timezone.now() + timedelta(minutes=5)
    revision = template.save_revision()
    revision.publish()
    # its time passes
    past = timezone.now() - timedelta(seconds=1)
    revision.content["go_live_at"] = past.isoformat()
    revision.approved_go_live_at = past
    revision.save(update_fields=["content", "approved_go_live_at"])
    return template


def test_a_revision_an_overlapping_run_published_is_not_published_again(matrix, signals_sent):
    template = scheduled_template(matrix)
    signals_sent.clear()  # Wagtail signals "published" for the scheduling itself too
    # given a run that has read the due revisions, and a second run that publishes them first
    stale = scheduled.due_revisions(timezone.now())
    assert [r.object_id for r in stale] == [str(template.pk)]
    assert scheduled.go_live() == []
    # when the first run goes on with what it read
    with mock.patch.object(scheduled, "due_revisions", return_value=stale):
        assert scheduled.go_live() == []
    # then the template went live once: one publish, one history line
    assert SmsTemplate.objects.get(pk=template.pk).live
    assert [code for _signal, code in signals_sent] == ["LATER"]
    assert ModelLogEntry.objects.filter(object_id=str(template.pk), action="wagtail.publish.scheduled").count() == 1


def test_an_item_an_overlapping_run_expired_is_not_unpublished_again(matrix, signals_sent):
    template = make_template("GOING", "即将下线。", organisation=matrix["province"])
    SmsTemplate.objects.filter(pk=template.pk).update(expire_at=timezone.now() - timedelta(minutes=1))
    stale = scheduled.expired_items()
    assert [item.code for item in stale] == ["GOING"]
    expired, _refused = scheduled.expire()
    assert [item.code for item in expired] == ["GOING"]
    # when a run that read the expired items before goes on
    with mock.patch.object(scheduled, "expired_items", return_value=stale):
        expired, refused = scheduled.expire()
    # then it unpublishes nothing more
    assert expired == [] and refused == []
    assert [code for _signal, code in signals_sent] == ["GOING"]
