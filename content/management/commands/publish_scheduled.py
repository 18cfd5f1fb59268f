"""Wagtail's ``publish_scheduled`` with referential integrity: the scheduled work beat
runs every minute (content.tasks.publish_scheduled) and cron may run by hand.

Expiry: the items whose ``expire_at`` has passed leave live together, except those a
live item staying live still needs (content.dependencies); these stay live, the
refusal is logged with what needs them, and they expire on a later run once their
dependents are gone. Go-lives: each revision due is published in its own savepoint,
so one refused (a menu whose tree breaks a rule) is logged and the rest still go
live; menus go last within a run, after the templates and articles they may need."""

import logging

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from wagtail.management.commands.publish_scheduled import Command as WagtailCommand
from wagtail.models import DraftStateMixin, Page, Revision

from content import kinds
from content.dependencies import blockers

logger = logging.getLogger(__name__)


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
    leaving, refused = may_expire(expired_items(now))
    for blocker in refused:
        logger.warning("scheduled expiry refused: %s", blocker.message)
    for item in leaving:
        item.unpublish(set_expired=True, log_action="wagtail.unpublish.scheduled")
    return leaving, refused


def _menus_last(revision):
    model = revision.content_type.model_class()
    kind = kinds.kind_of(model) if model is not None else None
    return (
        kind is not None and kind.code == kinds.Kind.MENU,
        revision.approved_go_live_at,
        revision.pk,
    )


def go_live(now=None):
    """Publish every revision due; returns the revisions refused, each logged with why."""
    now = now or timezone.now()
    due = sorted(
        Revision.objects.filter(approved_go_live_at__lt=now).select_related(
            "content_type"
        ),
        key=_menus_last,
    )
    refused = []
    for revision in due:
        try:
            with transaction.atomic():
                revision.publish(log_action="wagtail.publish.scheduled")
        except ValidationError as error:
            refused.append(revision)
            logger.warning(
                "scheduled go-live of %s refused: %s",
                revision.object_str,
                "; ".join(error.messages[:10]),
            )
    return refused


class Command(WagtailCommand):
    help = "Publish the revisions scheduled to go live and unpublish expired items, keeping what live items need."

    def handle(self, *args, **options):
        if options["dryrun"]:
            return super().handle(*args, **options)
        _expired, refused = expire()
        for blocker in refused:
            self.stdout.write(f"到期下线被拒绝:{blocker.message}")
        for revision in go_live():
            self.stdout.write(f"定时上线被拒绝:{revision.object_str}")
