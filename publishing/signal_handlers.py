"""Signal handlers: they only schedule jobs after commit, passing ids. A release's
publishes (publishing.changes.grouping) start no batch here: the release fans out."""

from publishing.changes import grouping
from publishing.services.dispatch import enqueue


def item_published(sender, instance, revision=None, **kwargs):
    if grouping.current() is not None:
        return
    from publishing.tasks import publish_source

    meta = type(instance)._meta
    enqueue(publish_source, meta.app_label, meta.model_name, instance.pk, getattr(revision, "pk", None), "publish")


def item_unpublished(sender, instance, **kwargs):
    if grouping.current() is not None:
        return
    from publishing.tasks import publish_source

    meta = type(instance)._meta
    enqueue(publish_source, meta.app_label, meta.model_name, instance.pk, None, "unpublish")


def item_deleted(sender, instance, **kwargs):
    """A deleted article or news group leaves WeChat too (the job reads the ledger, not the item)."""
    from django.contrib.contenttypes.models import ContentType

    from publishing.tasks import take_down_deleted

    source_type = ContentType.objects.get_for_model(instance, for_concrete_model=False)
    enqueue(take_down_deleted, source_type.pk, str(instance.pk), getattr(instance, "code", "") or "",
            str(instance)[:200])


def article_deleted_from_groups(sender, instance, **kwargs):
    """A deleted library article leaves the live news group messages it is a position of."""
    from publishing.tasks import take_down_group_positions

    enqueue(take_down_group_positions, instance.pk, getattr(instance, "code", "") or "", str(instance)[:200])


def publication_finished(sender, publication_id, state, **kwargs):
    from publishing.models import State
    from publishing.tasks import replace_superseded

    if state == State.DONE:
        enqueue(replace_superseded, publication_id)


def menu_version_published(sender, version, account=None, **kwargs):
    if grouping.current() is not None:
        return
    from publishing.tasks import publish_menu_version

    # Every account the menu serves (its own and those it is rolled out to), decided when the job runs.
    enqueue(publish_menu_version, version.pk, None)


def menu_unpublished(sender, instance, **kwargs):
    if grouping.current() is not None:
        return  # a release's fan-out takes it down
    from publishing.tasks import take_down_menu

    enqueue(take_down_menu, instance.pk)


def menu_variable_changed(sender, instance, **kwargs):
    from publishing.tasks import serve_menu_again

    enqueue(serve_menu_again, instance.account_id)


def publish_job_finished(sender, app_id, publish_id, status, article_id="", fail_idx=(), **kwargs):
    from publishing.tasks import complete_from_event

    enqueue(complete_from_event, app_id, str(publish_id), int(status), article_id or "", list(fail_idx or ()))


def changes_recorded(sender, changes, **kwargs):
    from publishing.tasks import cover_changes

    if not changes:
        return
    version = max(change.version for change in changes)
    enqueue(cover_changes, sorted({change.account_id for change in changes}), version)


def import_menu_push(version_id, account_id):
    """A menu version an import published with ``--push`` (importing.outbox): its
    push batch, written in the caller's transaction; the jobs run after commit."""
    from content.models import ChannelAccount
    from menus.models import MenuVersion
    from publishing.models import PublishBatch
    from publishing.services import publish_menu_version

    version = MenuVersion.objects.select_related("menu__account").filter(pk=version_id).first()
    account = ChannelAccount.objects.filter(pk=account_id).first()
    if version is not None and account is not None:
        publish_menu_version(version, accounts=[account], origin=PublishBatch.Origin.COMMAND)
