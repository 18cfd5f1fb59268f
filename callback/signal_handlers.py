"""Rebuild reply tables after commit whenever what they are built from changes:
a rule or an article published or unpublished, a rule deleted, an account (its
secrets included) saved or deleted. A rule an organisation shares rebuilds every
official account of that organisation and below."""

from functools import partial

from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_save
from wagtail.signals import published, unpublished

from content.models import Article, AutoReply, ChannelAccount
from content.services.replies import accounts_of_rules

from . import table


def _rebuild_for(owners):
    table.rebuild_accounts(accounts_of_rules(owners))


def _rule_changed(sender, instance, **kwargs):
    # Ids, not the instance: a deleted rule is gone by the time this runs.
    transaction.on_commit(partial(_rebuild_for, [(instance.account_id, instance.organisation_id)]))


def _rule_moving(sender, instance, raw=False, **kwargs):
    # A published rule given another owner (an account instead of an organisation, or
    # another organisation) leaves the tables of its former accounts too.
    if raw or instance.pk is None:
        return
    before = AutoReply.objects.filter(pk=instance.pk, live=True).values_list("account_id", "organisation_id").first()
    if before is not None and before != (instance.account_id, instance.organisation_id):
        transaction.on_commit(partial(_rebuild_for, [before]))


def _article_changed(sender, instance, **kwargs):
    def rebuild():
        owners = AutoReply.objects.filter(live=True, reply_article_id=instance.pk).values_list(
            "account_id", "organisation_id"
        )
        _rebuild_for(set(owners))

    transaction.on_commit(rebuild)


def _account_saved(sender, instance, **kwargs):
    transaction.on_commit(partial(table.rebuild_account, instance.pk))


def _account_deleted(sender, instance, **kwargs):
    transaction.on_commit(table.rebuild_index)


def connect():
    uid = "wechat_callback"
    published.connect(_rule_changed, sender=AutoReply, dispatch_uid=f"{uid}.rule_published")
    unpublished.connect(_rule_changed, sender=AutoReply, dispatch_uid=f"{uid}.rule_unpublished")
    post_delete.connect(_rule_changed, sender=AutoReply, dispatch_uid=f"{uid}.rule_deleted")
    pre_save.connect(_rule_moving, sender=AutoReply, dispatch_uid=f"{uid}.rule_moving")
    published.connect(_article_changed, sender=Article, dispatch_uid=f"{uid}.article_published")
    unpublished.connect(_article_changed, sender=Article, dispatch_uid=f"{uid}.article_unpublished")
    post_save.connect(_account_saved, sender=ChannelAccount, dispatch_uid=f"{uid}.account_saved")
    post_delete.connect(_account_deleted, sender=ChannelAccount, dispatch_uid=f"{uid}.account_deleted")
