"""Celery tasks of push publishing: thin wrappers over ``publishing.services``,
given ids only, acknowledged late so a job a dead worker held is delivered again
(its steps are idempotent, its lease decides who runs it)."""

from celery import shared_task
from celery.signals import worker_ready

from publishing import services

JOB = {"acks_late": True, "reject_on_worker_lost": True, "ignore_result": True}


@shared_task(name="publishing.run_publication", **JOB)
def run_publication(publication_id):
    return services.run_publication(publication_id)


@shared_task(name="publishing.deliver", **JOB)
def deliver(delivery_id):
    return services.deliver(delivery_id)


@shared_task(name="publishing.publish_source", **JOB)
def publish_source(app_label, model_name, pk, revision_id=None, action="publish"):
    """After an editor published (or unpublished) an item: create its batch."""
    from django.apps import apps

    model = apps.get_model(app_label, model_name)
    item = model._default_manager.filter(pk=pk).first()
    if item is None:
        return None
    revision = item.revisions.filter(pk=revision_id).first() if revision_id else None
    if action == "publish" and not item.live:
        return None  # unpublished again before the job ran
    # Who published is not in Wagtail's signal; the published revision's author is the nearest record.
    user = revision.user if revision is not None else None
    batch = services.publish_item(item, action=action, revision=revision, user=user)
    return batch.pk if batch else None


@shared_task(name="publishing.replace_superseded", **JOB)
def replace_superseded(publication_id):
    """An article went live on an account: delete the versions it replaces there."""
    batch = services.replace_superseded(publication_id)
    return batch.pk if batch else None


@shared_task(name="publishing.take_down_deleted", **JOB)
def take_down_deleted(source_type_id, source_id, code="", label=""):
    """A deleted article or news group: delete its live WeChat articles from every account."""
    batch = services.take_down_deleted(source_type_id, source_id, code, label)
    return batch.pk if batch else None


@shared_task(name="publishing.take_down_group_positions", **JOB)
def take_down_group_positions(article_id, code="", label=""):
    """A deleted library article: delete its position in live news group messages."""
    batch = services.take_down_group_positions(article_id, code, label)
    return batch.pk if batch else None


@shared_task(name="publishing.publish_menu_version", **JOB)
def publish_menu_version(version_id, account_ids=None):
    from content.models import ChannelAccount
    from menus.models import MenuVersion

    version = MenuVersion.objects.select_related("menu__account").filter(pk=version_id).first()
    if version is None:
        return None
    accounts = list(ChannelAccount.objects.filter(pk__in=account_ids)) if account_ids else None
    batch = services.publish_menu_version(version, accounts=accounts)
    return batch.pk if batch else None


@shared_task(name="publishing.take_down_menu", **JOB)
def take_down_menu(menu_id):
    """A WeChat menu left live: its accounts get the menu serving them now, or none."""
    from menus.models import Menu

    menu = Menu.objects.filter(pk=menu_id).first()
    if menu is None:
        return []
    return [batch.pk for batch in services.take_down_menu(menu)]


@shared_task(name="publishing.serve_menu_again", **JOB)
def serve_menu_again(account_id):
    """An account's menu variable changed: the menu it is served changed with it."""
    batch = services.serve_menu_again(account_id)
    return batch.pk if batch else None


@shared_task(name="publishing.complete_from_event", **JOB)
def complete_from_event(app_id, publish_id, status, article_id="", fail_idx=()):
    return services.complete_from_event(app_id, publish_id, status, article_id, fail_idx)


@shared_task(name="publishing.cover_changes", **JOB)
def cover_changes(account_ids, version):
    return services.cover_changes(account_ids, version)


@shared_task(name="publishing.resume_account", **JOB)
def resume_account(account_id):
    return services.resume_account(account_id)


@shared_task(name="publishing.check_wechat_accounts", ignore_result=True)
def check_wechat_accounts():
    """The periodic drift check (beat): every official account read and compared, the
    result stored for the dashboard; how many drift."""
    from publishing.drift.accounts import check_account, official_accounts

    return sum(check_account(account).drifted for account in official_accounts())


@shared_task(name="publishing.sweep", ignore_result=True)
def sweep():
    return services.sweep()


@worker_ready.connect
def _sweep_on_start(sender=None, **kwargs):
    # A restarted worker picks up what the previous one left half done.
    sweep.delay()
