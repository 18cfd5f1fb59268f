"""Scheduling: a release scheduled to a time goes live through beat's
``content.publish_scheduled`` like other scheduled items; a time in the past is refused."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from content.models import Package
from releases import golive
from releases.models import Release

from .conftest import committed, edit_draft

pytestmark = [pytest.mark.django_db]


def come_due(release):
    """Move the release's scheduled revision a second into the past, as the clock would."""
    past = timezone.now() - datetime.timedelta(seconds=1)
    for revision in Release.objects.get(pk=release.pk).revisions.exclude(
        approved_go_live_at=None
    ):
        revision.approved_go_live_at = past
        revision.content["go_live_at"] = past.isoformat()
        revision.save(update_fields=["approved_go_live_at", "content"])


def test_a_schedule_in_the_past_is_refused_and_nothing_changes(release):
    with pytest.raises(ValidationError) as refused:
        golive.publish(release, at=timezone.now() - datetime.timedelta(minutes=5))
    assert "go_live_at" in refused.value.message_dict
    release.refresh_from_db()
    assert (
        release.state == Release.State.OPEN
        and not release.live
        and release.go_live_at is None
    )


def test_a_scheduled_release_waits_then_goes_live_when_beat_runs_publish_scheduled(
    release, tariff
):
    # given a release scheduled a minute ahead
    at = timezone.now() + datetime.timedelta(minutes=1)
    with committed():
        release = golive.publish(release, at=at)
    assert (
        release.state == Release.State.OPEN
        and release.approved_schedule
        and not release.live
    )
    # when beat's task runs before the time, nothing goes live
    with committed():
        call_command("publish_scheduled")
    assert Release.objects.get(pk=release.pk).state == Release.State.OPEN
    # and when it runs after the time, the release goes live as a whole
    come_due(release)
    from content.tasks import publish_scheduled

    with committed():
        publish_scheduled.apply()
    release.refresh_from_db()
    assert release.state == Release.State.LIVE
    assert Package.objects.get(pk=tariff["package"].pk).name == "5G畅享套餐(新资费)"


def test_a_scheduled_release_that_broke_meanwhile_is_not_published_and_says_why(
    release, tariff
):
    at = timezone.now() + datetime.timedelta(minutes=1)
    with committed():
        golive.publish(release, at=at)
    # given one of its drafts broke a rule after scheduling (a negative fee)
    package = Package.objects.get(pk=tariff["package"].pk)
    package.monthly_fee = -1
    revision = package.save_revision(clean=False)
    release.items.filter(code="PKG-5G-58").update(published_revision_id=revision.pk)
    come_due(release)
    # when the schedule comes due
    with committed():
        call_command("publish_scheduled")
    # then it stays open, the reason names the item and field, nothing of it went live
    release.refresh_from_db()
    assert release.state == Release.State.OPEN and not release.live
    assert "package:PKG-5G-58" in release.problem and "monthly_fee" in release.problem
    assert Package.objects.get(pk=package.pk).name != "5G畅享套餐(新资费)"


@pytest.fixture
def sent_runs(monkeypatch, settings):
    """The runs of beat's task sent to the broker for later, as (eta, kwargs), beat ticking
    every minute."""
    from content.tasks import publish_scheduled

    settings.CONTENT_PUBLISH_SCHEDULED_SECONDS = 60
    sent = []
    monkeypatch.setattr(
        publish_scheduled,
        "apply_async",
        lambda args=None, kwargs=None, eta=None, **options: sent.append((eta, kwargs)),
    )
    return sent


def test_a_release_due_before_beats_next_tick_gets_a_run_at_its_time(
    release, sent_runs
):
    from content.tasks import ARMED_MARGIN

    # given a release scheduled 20 s ahead, inside beat's minute
    at = timezone.now().replace(microsecond=0) + datetime.timedelta(seconds=20)
    with committed():
        golive.publish(release, at=at)
    # then a run is sent for its time (and arms nothing further), not a minute later
    assert sent_runs == [(at + ARMED_MARGIN, {"arm": False})]
    assert Release.objects.get(pk=release.pk).state == Release.State.OPEN


def test_beat_arms_the_go_lives_due_before_its_next_tick_only(release, sent_runs):
    from content.tasks import ARMED_MARGIN, publish_scheduled

    # given a release scheduled beyond beat's next tick: nothing armed yet
    later = timezone.now() + datetime.timedelta(minutes=10)
    with committed():
        golive.publish(release, at=later)
    assert sent_runs == []
    with committed():
        publish_scheduled.apply()
    assert sent_runs == []
    # when the clock nears it (30 s to go) and beat ticks
    soon = timezone.now().replace(microsecond=0) + datetime.timedelta(seconds=30)
    for revision in Release.objects.get(pk=release.pk).revisions.exclude(
        approved_go_live_at=None
    ):
        revision.approved_go_live_at = soon
        revision.save(update_fields=["approved_go_live_at"])
    with committed():
        publish_scheduled.apply()
    # then one run is armed at its time, and that run arms nothing itself
    assert sent_runs == [(soon + ARMED_MARGIN, {"arm": False})]
    with committed():
        publish_scheduled.apply(kwargs={"arm": False})
    assert len(sent_runs) == 1
    assert Release.objects.get(pk=release.pk).state == Release.State.OPEN


def test_a_second_run_due_at_the_same_time_leaves_no_false_problem(release):
    # given a scheduled release that a first run of publish_scheduled already set going live
    with committed():
        release = golive.publish(
            release, at=timezone.now() + datetime.timedelta(minutes=1)
        )
    come_due(release)
    Release.objects.filter(pk=release.pk).update(state=Release.State.GOING_LIVE)
    # when a second run (beat's tick beside the run armed for the time) finds it due
    with committed():
        call_command("publish_scheduled")
    # then it records no "did not go live" problem on a release that is going live
    release.refresh_from_db()
    assert release.state == Release.State.GOING_LIVE
    assert release.problem == ""


def test_an_edit_made_after_scheduling_waits_for_the_next_release(release, tariff):
    # given a release scheduled with its package's approved draft
    with committed():
        release = golive.publish(release, at=timezone.now() + datetime.timedelta(minutes=1))
    # and the package edited again before the time
    edit_draft(Package.objects.get(pk=tariff["package"].pk), name="5G畅享套餐(七月)")
    # when the schedule comes due
    come_due(release)
    with committed():
        call_command("publish_scheduled")
    # then what goes live is what was scheduled, and the later edit stays a draft
    assert Release.objects.get(pk=release.pk).state == Release.State.LIVE
    package = Package.objects.get(pk=tariff["package"].pk)
    assert package.name == "5G畅享套餐(新资费)"
    assert package.latest_revision.as_object().name == "5G畅享套餐(七月)"
