"""Scheduled go-lives and expiries with referential integrity: what ``manage.py
publish_scheduled`` (beat's content.publish_scheduled, every minute) does.

Expiry: the items whose ``expire_at`` has passed leave live together, except those a
live item staying live still needs (content.dependencies); these stay live, the
refusal is logged with what needs them, and they expire on a later run once their
dependents are gone. Go-lives: each revision due is published in its own savepoint,
so one refused (a menu whose tree breaks a rule) is logged and the rest still go
live; menus go last within a run, after the templates and articles they may need."""

import logging
from datetime import timedelta

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from wagtail.log_actions import log
from wagtail.models import DraftStateMixin, ModelLogEntry, Page, Revision

from content import kinds
from content.dependencies import blockers

logger = logging.getLogger(__name__)

# The history line of an item kept live past its expiry (content.wagtail_hooks formats it).
EXPIRY_REFUSED = "content.expiry_refused"


def expired_items(now=None):
    """Live items of every draft-state model whose expiry has passed, oldest first."""
    now = now or timezone.now()
    out = []
    for model in apps.get_models():
        if issubclass(model, DraftStateMixin) and not issubclass(model, Page):
            out += list(
                model.objects.filter(live=True, expire_at__lt=now).order_by("expire_at")
            )
    return out


def may_expire(items):
    """(items that may leave live together, [Blocker] of those that must stay)."""
    staying, refused = [], []
    leaving = list(items)
    while True:
        pairs = [
            (kinds.kind_of(item).code, item.pk)
            for item in leaving
            if kinds.kind_of(item) is not None
        ]
        found = blockers(pairs)
        if not found:
            return leaving, refused
        needed = {(b.needed.kind, b.needed.pk) for b in found}
        refused += found
        # An item staying live may in turn need others that were exempt as its fellow leavers.
        staying = [
            i
            for i in leaving
            if kinds.kind_of(i) and (kinds.kind_of(i).code, str(i.pk)) in needed
        ]
        leaving = [i for i in leaving if i not in staying]


def expire(now=None):
    """Unpublish what may expire; returns (expired items, refusals)."""
    items = expired_items(now)
    leaving, refused = may_expire(items)
    for blocker in refused:
        logger.warning("scheduled expiry refused: %s", blocker.message)
    _note_in_history([i for i in items if i not in leaving], refused)
    expired = [item for item in leaving if _unpublish_once(item)]
    return expired, refused


def _unpublish_once(item):
    """Unpublish ``item`` unless an overlapping run (beat's tick and a run armed for a
    go-live time may meet) holds or already unpublished it."""
    with transaction.atomic():
        still_live = type(item)._base_manager.select_for_update(skip_locked=True, of=("self",)).filter(pk=item.pk, live=True)
        if not list(still_live.values_list("pk", flat=True)):
            return False
        item.unpublish(set_expired=True, log_action="wagtail.unpublish.scheduled")
        return True


def _note_in_history(kept, refused):
    """One history line per kept item and refusal: beat retries every minute, the
    history says it once, until the reasons change."""
    for item in kept:
        kind = kinds.kind_of(item)
        messages = [
            b.message
            for b in refused
            if (b.needed.kind, b.needed.pk) == (kind.code, str(item.pk))
        ]
        last = (
            ModelLogEntry.objects.filter(
                content_type=ContentType.objects.get_for_model(
                    item, for_concrete_model=False
                ),
                object_id=str(item.pk),
            )
            .order_by("-timestamp", "-pk")
            .values_list("action", "data")
            .first()
        )
        if messages and last != (EXPIRY_REFUSED, {"blockers": messages}):
            log(instance=item, action=EXPIRY_REFUSED, data={"blockers": messages})


def _menus_last(revision):
    model = revision.content_type.model_class()
    kind = kinds.kind_of(model) if model is not None else None
    return (
        kind is not None and kind.code == kinds.Kind.MENU,
        revision.approved_go_live_at,
        revision.pk,
    )


def due_revisions(now):
    """The revisions whose go-live time has passed, menus last."""
    return sorted(
        Revision.objects.filter(approved_go_live_at__lt=now).select_related("content_type"),
        key=_menus_last,
    )


def go_live(now=None):
    """Publish every revision due; returns the revisions refused, each logged with why.
    Runs may overlap (beat's tick and a run armed for the go-live time): each revision
    is claimed under a row lock and published by the first run only."""
    now = now or timezone.now()
    refused = []
    for revision in due_revisions(now):
        try:
            with transaction.atomic():
                claimed = Revision.objects.select_for_update(skip_locked=True).filter(
                    pk=revision.pk, approved_go_live_at__lt=now
                )
                if not list(claimed.values_list("pk", flat=True)):
                    continue
                revision.publish(log_action="wagtail.publish.scheduled")
        except ValidationError as error:
            refused.append(revision)
            logger.warning(
                "scheduled go-live of %s refused: %s",
                revision.object_str,
                "; ".join(error.messages[:10]),
            )
    return refused


def due_within(seconds, now=None):
    """The distinct go-live times of scheduled revisions due in the next ``seconds``."""
    now = now or timezone.now()
    due = Revision.objects.filter(
        approved_go_live_at__gt=now,
        approved_go_live_at__lte=now + timedelta(seconds=seconds),
    )
    return sorted(set(due.values_list("approved_go_live_at", flat=True)))
