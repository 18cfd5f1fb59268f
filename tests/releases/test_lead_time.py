"""Go-live lead time (issue #18) without weaker guarantees: a release's checks passed at
approval stand while nothing they read has changed (releases.stamp), and run again when
something did; a scheduled release is prepared ahead and commits at its time
(releases.ontime), or is left to the run at its time."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from content.models import SmsTemplate
from publishing.changes.models import Change
from releases import golive, ontime
from releases.models import Release, ReleaseRun
from tests.support.menus import make_menu, node

from .conftest import committed, make_release
from .test_schedule import come_due

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


@pytest.fixture
def menu_release(matrix, tariff, sms_account):
    """A release of an SMS menu answering with a live template outside the release."""
    make_menu(
        sms_account,
        [node("1", "查询余额", "command", command="YE58", reply_template="SMS-5G-58")],
        code="menu-sms-ye",
    )
    return make_release(matrix["branch1"], code="R-MENU", items=["menu:menu-sms-ye"])


@pytest.fixture
def checks(monkeypatch):
    """Counts of the release's full checks and of a menu publish's own validation."""
    import menus.services

    counts = {"release": 0, "menu": 0}
    release_checks, menu_checks = golive.violations, menus.services.validate_for_publish

    def count_release(*args, **kwargs):
        counts["release"] += 1
        return release_checks(*args, **kwargs)

    def count_menu(*args, **kwargs):
        counts["menu"] += 1
        return menu_checks(*args, **kwargs)

    monkeypatch.setattr(golive, "violations", count_release)
    monkeypatch.setattr(menus.services, "validate_for_publish", count_menu)
    return counts


def schedule(release, seconds=60):
    at = timezone.now() + datetime.timedelta(seconds=seconds)
    with committed():
        golive.publish(release, at=at)
    return Release.objects.get(pk=release.pk)


def test_a_release_coming_due_unchanged_goes_live_without_checking_again(menu_release, checks):
    # given a release checked when it was scheduled
    release = schedule(menu_release)
    assert checks == {"release": 1, "menu": 0} and release.validation_stamp
    # when it comes due with nothing its checks read changed
    come_due(release)
    with committed():
        call_command("publish_scheduled")
    # then it went live, neither its checks nor its menu's rules run again
    release.refresh_from_db()
    assert release.state == Release.State.LIVE
    assert checks == {"release": 1, "menu": 0}


def test_a_release_whose_reference_went_dark_after_approval_is_checked_again_and_refused(
    menu_release, tariff, checks
):
    release = schedule(menu_release)
    # given the template its menu answers with was taken off live since (outside the release)
    with committed():
        SmsTemplate.objects.get(code="SMS-5G-58").unpublish()
    # when it comes due
    come_due(release)
    with committed():
        call_command("publish_scheduled")
    # then the full checks ran again and refused it, naming the node's template
    release.refresh_from_db()
    assert checks["release"] == 2
    assert release.state == Release.State.OPEN and "SMS-5G-58" in release.problem


def test_the_go_live_checks_its_menus_again_only_when_the_stamp_moved(menu_release, checks):
    release = schedule(menu_release)
    going = Release.objects.filter(pk=release.pk)
    # given the release going live with nothing changed: its menu is not checked again
    with committed():
        going.update(state=Release.State.GOING_LIVE)
        golive.go_live(release.pk)
    assert checks["menu"] == 0 and going.get().state == Release.State.LIVE


def test_the_go_live_checks_its_menus_when_something_they_read_changed(menu_release, checks):
    release = schedule(menu_release)
    # given a row the checks read written since (any write moves the stamp)
    SmsTemplate.objects.filter(code="SMS-5G-58").update(text="余额{balance}元。")
    going = Release.objects.filter(pk=release.pk)
    with committed():
        going.update(state=Release.State.GOING_LIVE)
        golive.go_live(release.pk)
    assert checks["menu"] == 1 and going.get().state == Release.State.LIVE


def test_the_run_at_the_time_of_an_unchanged_release_is_a_few_queries(
    release, django_assert_max_num_queries
):
    release = schedule(release)
    come_due(release)
    # (with its four items checked again, the run is ~120 queries)
    with django_assert_max_num_queries(50):
        call_command("publish_scheduled")
    assert Release.objects.get(pk=release.pk).state == Release.State.GOING_LIVE


def test_a_release_prepared_ahead_commits_at_its_time_once(release, settings):
    settings.RELEASES_PREPARE_SECONDS = 5
    # given a release scheduled in a moment
    release = schedule(release, seconds=1.5)
    at = release.revisions.exclude(approved_go_live_at=None).get().approved_go_live_at
    # when its on-time job runs ahead of the time
    with committed():
        run = ontime.go_live_on_time(release.pk)
    # then it committed at (not before) its time, as one run and one change-feed version
    release.refresh_from_db()
    assert run is not None and release.state == Release.State.LIVE and release.live
    assert release.went_live_at >= at
    assert ReleaseRun.objects.filter(release=release).count() == 1
    versions = set(Change.objects.filter(release_code=release.code).values_list("release_version", flat=True))
    assert versions == {run.change_version}
    # and the run at its time finds nothing to do and records no problem
    with committed():
        call_command("publish_scheduled")
    release.refresh_from_db()
    assert release.state == Release.State.LIVE and release.problem == ""
    assert ReleaseRun.objects.filter(release=release).count() == 1


def test_a_release_broken_before_its_time_is_left_to_the_run_at_its_time(menu_release, settings):
    settings.RELEASES_PREPARE_SECONDS = 5
    release = schedule(menu_release, seconds=1.5)
    with committed():
        SmsTemplate.objects.get(code="SMS-5G-58").unpublish()
    # when the on-time job finds it refused, it leaves it as it was
    with committed():
        assert ontime.go_live_on_time(release.pk) is None
    release.refresh_from_db()
    assert release.state == Release.State.OPEN and not release.live and release.problem == ""
    # and the run at its time records why it did not go live
    come_due(release)
    with committed():
        call_command("publish_scheduled")
    release.refresh_from_db()
    assert release.state == Release.State.OPEN and "SMS-5G-58" in release.problem


def test_a_release_due_later_than_the_lead_is_not_prepared_yet(release, settings):
    settings.RELEASES_PREPARE_SECONDS = 5
    release = schedule(release, seconds=60)
    assert ontime.go_live_on_time(release.pk) is None
    assert Release.objects.get(pk=release.pk).state == Release.State.OPEN


def test_beats_arming_sends_the_on_time_job_the_lead_before_the_time(release, settings, monkeypatch):
    from publishing.services import dispatch
    from releases import tasks

    settings.RELEASES_PREPARE_SECONDS = 5
    release = schedule(release, seconds=30)
    at = release.revisions.exclude(approved_go_live_at=None).get().approved_go_live_at
    sent = []
    monkeypatch.setattr(dispatch, "in_process", lambda: False)
    monkeypatch.setattr(
        tasks.go_live_on_time, "apply_async", lambda args=None, eta=None, **options: sent.append((args, eta))
    )
    # a tick whose window (plus the lead) holds the time sends it; a shorter one does not
    ontime.arm(10)
    assert sent == []
    ontime.arm(60)
    assert sent == [([release.pk], at - datetime.timedelta(seconds=5))]
