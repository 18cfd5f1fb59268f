"""Side effects of a committed import (change log, menu pushes, reply tables) are
owed in the import's own transaction (importing.outbox) and completed exactly once
by whoever comes next: the import after its commit, a re-run, or the worker's sweep.
An import pushes nothing to live channels unless asked (--push)."""

import io

import pytest
from django.core.management import call_command

from content.models import ChannelAccount
from importing.models import PendingEffect
from importing.tasks import complete_side_effects
from menus.models import MenuVersion
from publishing.changes.models import Change
from publishing.models import Publication


@pytest.fixture
def queued_jobs(monkeypatch):
    """Task names the push jobs sent to the broker (the jobs themselves are not run)."""
    from publishing.services import dispatch

    sent = []
    monkeypatch.setattr(dispatch, "send_many", lambda task, args_list, delay=0.0: sent.extend(
        task.name for _args in args_list))
    return sent


def _pushed_versions():
    """(account, version) of every version on an account a menu is pushed to (official accounts)."""
    return sorted(MenuVersion.objects.filter(menu__account__type=ChannelAccount.Type.WECHAT_OFFICIAL_ACCOUNT)
                  .values_list("menu__account_id", "pk"))


def _menu_changes():
    return list(Change.objects.filter(kind=Change.Kind.MENU).values_list("account_id", "object_id"))


def _expected_menu_changes():
    return sorted(MenuVersion.objects.values_list("menu__account_id", "menu_id"))


def _complete(run_import, export, capture, **kwargs):
    """An import whose after-commit step runs."""
    with capture(execute=True):
        return run_import(export, **kwargs)


def _killed_after_commit(run_import, export, capture, **kwargs):
    """An import whose process dies right after its commit: its after-commit step never runs."""
    with capture(execute=False):
        return run_import(export, **kwargs)


def test_an_import_pushes_nothing_and_still_records_every_change(
    run_import, small_export, django_capture_on_commit_callbacks, queued_jobs
):
    # when
    report = _complete(run_import, small_export, django_capture_on_commit_callbacks)
    # then
    assert not Publication.objects.exists() and "publishing.run_publication" not in queued_jobs
    assert "menu_push" not in report.queued
    assert report.queued["menu_change"] == MenuVersion.objects.count() > 0
    assert sorted(_menu_changes()) == _expected_menu_changes()
    assert Change.objects.exclude(kind=Change.Kind.MENU).exists()
    assert not PendingEffect.objects.exists()


def test_push_queues_one_push_per_published_menu_version(
    run_import, small_export, django_capture_on_commit_callbacks, queued_jobs
):
    # when
    report = _complete(run_import, small_export, django_capture_on_commit_callbacks, push=True)
    # then
    assert report.queued["menu_push"] == MenuVersion.objects.count()
    pushed = _pushed_versions()
    assert sorted(Publication.objects.values_list("account_id", "batch__revision_id")) == pushed
    assert queued_jobs.count("publishing.run_publication") == len(pushed) > 0


def test_a_rerun_completes_what_a_run_killed_after_commit_owed_exactly_once(
    run_import, small_export, django_capture_on_commit_callbacks, queued_jobs
):
    # given: the first run committed, then died before its side effects
    _killed_after_commit(run_import, small_export, django_capture_on_commit_callbacks, push=True)
    assert PendingEffect.objects.exists()
    assert not _menu_changes() and not Publication.objects.exists()
    # when: the same export again
    report = _complete(run_import, small_export, django_capture_on_commit_callbacks, push=True)
    # then: every menu change and push once, and the re-run itself found everything unchanged
    versions = MenuVersion.objects.count()
    assert report.completed_earlier["menu_change"] == report.completed_earlier["menu_push"] == versions
    assert all(counts["created"] == counts["updated"] == 0 for counts in report.counts.values())
    assert sorted(_menu_changes()) == _expected_menu_changes()
    assert Publication.objects.count() == len(_pushed_versions()) == queued_jobs.count("publishing.run_publication")
    carried = Change.objects.exclude(kind=Change.Kind.MENU).count()
    assert carried > 0 and not PendingEffect.objects.exists()
    # when: yet another run and a sweep
    _complete(run_import, small_export, django_capture_on_commit_callbacks, push=True)
    complete_side_effects.apply()
    # then: nothing twice
    assert sorted(_menu_changes()) == _expected_menu_changes()
    assert Publication.objects.count() == len(_pushed_versions())
    assert Change.objects.exclude(kind=Change.Kind.MENU).count() == carried


def test_the_sweep_completes_what_a_run_killed_after_commit_owed_exactly_once(
    run_import, small_export, django_capture_on_commit_callbacks, queued_jobs
):
    # given
    _killed_after_commit(run_import, small_export, django_capture_on_commit_callbacks, push=True)
    owed = PendingEffect.objects.count()
    # when: beat's sweep runs, twice
    with django_capture_on_commit_callbacks(execute=True):
        complete_side_effects.apply()
        complete_side_effects.apply()
    # then
    versions = MenuVersion.objects.count()
    assert owed == 2 * versions + 2  # a change and a push per version, the change log, the reply tables
    assert not PendingEffect.objects.exists()
    assert sorted(_menu_changes()) == _expected_menu_changes()
    assert Publication.objects.count() == len(_pushed_versions())
    assert Change.objects.exclude(kind=Change.Kind.MENU).exists()


def test_a_dry_run_owes_nothing(run_import, small_export, django_capture_on_commit_callbacks):
    # when
    _complete(run_import, small_export, django_capture_on_commit_callbacks, dry_run=True)
    # then
    assert not PendingEffect.objects.exists() and not Change.objects.exists()


def _command(*args):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_legacy", *args, stdout=out, stderr=err)
    except SystemExit:
        pass
    return out.getvalue()


def test_the_command_says_what_it_queued_and_that_it_pushed_nothing_without_push(
    db, settings, tmp_path, small_export, django_capture_on_commit_callbacks, queued_jobs
):
    # given
    settings.MEDIA_ROOT = tmp_path / "media"
    # when
    with django_capture_on_commit_callbacks(execute=True):
        out = _command(str(small_export))
    # then
    versions = MenuVersion.objects.count()
    assert f"menu_change {versions}" in out and "menu_push" not in out
    assert "pushed to live channels: nothing (use --push to push menus)" in out
    assert not Publication.objects.exists()


def test_the_command_with_push_says_how_many_menu_versions_it_pushed(
    db, settings, tmp_path, small_export, django_capture_on_commit_callbacks, queued_jobs
):
    # given
    settings.MEDIA_ROOT = tmp_path / "media"
    # when
    with django_capture_on_commit_callbacks(execute=True):
        out = _command(str(small_export), "--push")
    # then
    versions = MenuVersion.objects.count()
    assert f"menu_push {versions}" in out and f"queued for push to live channels: {versions} menu versions" in out
    assert Publication.objects.count() == len(_pushed_versions())
