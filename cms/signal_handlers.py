"""Invalidate cached GraphQL answers and principals when what they depend on
changes: a new change version, the organisation matrix, API clients and tokens.
And give a connection its own statement timeout back before any request but the
API's (api.budget leaves the API's on the connection between API requests)."""

from django.contrib.auth import get_user_model
from django.core.signals import request_started
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from wagtail.models import APIToken

from api import budget, cache
from cms.graphql_reads import PATH as API_PATH
from cms.models import ApiClient
from content.models import Brand, ChannelAccount, Organisation
from publishing.changes.signals import changes_recorded


def _after_commit_bump_all(**kwargs):
    transaction.on_commit(cache.bump_all)


def _user_saved(sender, instance, update_fields=None, **kwargs):
    # A login only touches last_login; anything else may (de)activate a service user.
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return
    transaction.on_commit(cache.bump_all)


def _outside_the_api(sender, environ=None, **kwargs):
    if (environ or {}).get("PATH_INFO") != API_PATH:
        budget.release()


def _client_deleted(sender, instance, **kwargs):
    from cms.callers.clients import retire_service_user

    user_id = instance.user_id
    transaction.on_commit(lambda: retire_service_user(user_id))


def connect():
    changes_recorded.connect(cache.bump_content, dispatch_uid="cms.graphql.changes_recorded")
    for model in (Organisation, ChannelAccount, Brand, ApiClient, APIToken):
        uid = f"cms.graphql.{model._meta.label_lower}"
        post_save.connect(_after_commit_bump_all, sender=model, dispatch_uid=f"{uid}.saved", weak=False)
        post_delete.connect(_after_commit_bump_all, sender=model, dispatch_uid=f"{uid}.deleted", weak=False)
    m2m_changed.connect(_after_commit_bump_all, sender=ApiClient.accounts.through, dispatch_uid="cms.graphql.accounts")
    post_delete.connect(_client_deleted, sender=ApiClient, dispatch_uid="cms.graphql.client_deleted")
    post_save.connect(_user_saved, sender=get_user_model(), dispatch_uid="cms.graphql.user")
    request_started.connect(_outside_the_api, dispatch_uid="cms.graphql.statement_timeout")
