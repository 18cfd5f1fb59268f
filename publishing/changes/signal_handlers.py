"""Publish, unpublish and delete of content, and menu publishes, become change rows
after the transaction commits (handlers pass ids, never ORM objects)."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_delete
from wagtail.signals import published, unpublished

from content import kinds
from content.kinds import item_code
from content.models import SmsCommand
from content.reach import target_accounts
from menus.signals import menu_rollout_changed, menu_version_published
from publishing.changes import grouping, services
from publishing.changes.models import Change


def on_published(sender, instance, **kwargs):
    pk = instance.pk
    if (group := grouping.current()) is not None:
        group.published.append((sender, pk))
        return
    transaction.on_commit(lambda: services.record_publication(sender, pk))


def on_unpublished(sender, instance, **kwargs):
    pk = instance.pk
    if (group := grouping.current()) is not None:
        group.unpublished.append((sender, pk))
        return
    transaction.on_commit(lambda: services.record_unpublication(sender, pk))


def on_pre_delete(sender, instance, **kwargs):
    # The relations that say where an item went are gone after the delete.
    if getattr(instance, "live", False):
        instance._change_targets = list(target_accounts(instance).values_list("pk", flat=True))
    else:
        instance._change_targets = []
    instance._change_code = item_code(instance)


def on_post_delete(sender, instance, **kwargs):
    kind, pk = kinds.kind_of(sender).code, instance.pk
    code, targets = getattr(instance, "_change_code", item_code(instance)), getattr(instance, "_change_targets", [])
    transaction.on_commit(lambda: services.record_deletion(kind, pk, code, targets))


def on_sms_command_saved(sender, instance, **kwargs):
    pk, command, account_id = instance.pk, instance.command, instance.account_id
    transaction.on_commit(lambda: services.record_sms_command(pk, command, account_id, Change.Action.UPSERT))


def on_sms_command_deleted(sender, instance, **kwargs):
    pk, command, account_id = instance.pk, instance.command, instance.account_id
    transaction.on_commit(lambda: services.record_sms_command(pk, command, account_id, Change.Action.DELETE))


def on_menu_version_published(sender, version=None, menu=None, account=None, **kwargs):
    account = account if account is not None else getattr(menu, "account", None)
    if menu is None or account is None:
        return
    code, menu_id, account_id = kinds.get(Change.Kind.MENU).item_code(menu), menu.pk, account.pk
    if (group := grouping.current()) is not None:
        # A release records its menus with its other rows, in its own transaction.
        group.menus.append((code, menu_id, _served_ids(menu_id, account_id), getattr(version, "pk", None)))
        return
    transaction.on_commit(lambda: services.record_menu_served(code, menu_id, _served_ids(menu_id, account_id)))


def on_menu_rollout_changed(sender, menu=None, **kwargs):
    """Accounts added to or taken out of a rollout change their menu."""
    code, menu_id, account_id = kinds.get(Change.Kind.MENU).item_code(menu), menu.pk, menu.account_id
    transaction.on_commit(lambda: services.record_menu_served(code, menu_id, _served_ids(menu_id, account_id)))


def _served_ids(menu_id, account_id):
    """The menu's account and the accounts it is rolled out to (they change with it)."""
    from menus.models import Menu
    from menus.rollout import served_accounts

    menu = Menu.objects.filter(pk=menu_id).first()
    return {account_id, *(a.pk for a in served_accounts(menu))} if menu is not None else {account_id}


def import_change_log():
    """An import's owed change log (importing.outbox): its records arrive published
    in bulk, without per-record signals."""
    services.resync()


def import_menu_change(menu_id, account_id):
    """An imported menu version's change row (importing.outbox); the import publishes unannounced."""
    from menus.models import Menu

    menu = Menu.objects.filter(pk=menu_id).first()
    if menu is not None:
        services.record_menu(kinds.get(Change.Kind.MENU).item_code(menu), menu_id, account_id)


def connect():
    for model in kinds.editorial_models():
        uid = f"changes.{model._meta.label_lower}"
        published.connect(on_published, sender=model, dispatch_uid=f"{uid}.published")
        unpublished.connect(on_unpublished, sender=model, dispatch_uid=f"{uid}.unpublished")
        pre_delete.connect(on_pre_delete, sender=model, dispatch_uid=f"{uid}.pre_delete")
        post_delete.connect(on_post_delete, sender=model, dispatch_uid=f"{uid}.post_delete")
    post_save.connect(on_sms_command_saved, sender=SmsCommand, dispatch_uid="changes.smscommand.saved")
    post_delete.connect(on_sms_command_deleted, sender=SmsCommand, dispatch_uid="changes.smscommand.deleted")
    menu_version_published.connect(on_menu_version_published, dispatch_uid="changes.menu_version_published")
    menu_rollout_changed.connect(on_menu_rollout_changed, dispatch_uid="changes.menu_rollout_changed")
    from importing import outbox

    outbox.register(outbox.CHANGE_LOG, import_change_log)
    outbox.register(outbox.MENU_CHANGE, import_menu_change)
