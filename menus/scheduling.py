"""Scheduling a menu like every other kind: the draft tree is frozen in a Wagtail
revision carrying ``go_live_at`` (and ``expire_at``); Wagtail keeps it as the
revision's ``approved_go_live_at`` and beat's ``publish_scheduled`` publishes it then
through ``menus.services.publish_revision``, the same path scheduled snippets take.
Expiry is Wagtail's too: the menu stops serving when ``expire_at`` passes."""

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import dateparse, timezone
from wagtail.models import Revision

from menus.models import Menu
from menus.tree import build_tree, load_rows
from menus.validation import MenuValidationError


def go_live_at_of(revision):
    """The go-live time a revision was saved with, when it is still ahead (else None)."""
    value = (revision.content or {}).get("go_live_at")
    if isinstance(value, str):
        value = dateparse.parse_datetime(value)
    if isinstance(value, datetime) and timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value if value is not None and value > timezone.now() else None


@dataclass(frozen=True)
class Schedule:
    """What is planned for a menu: a revision due to go live, and the expiry of the live menu."""

    go_live_at: datetime | None
    expire_at: datetime | None
    revision_id: int | None


def schedule_of(menu):
    revision = scheduled_revision(menu)
    expire_at = menu.expire_at if menu.live else None
    if revision is not None:
        expire_at = (
            dateparse.parse_datetime(revision.content.get("expire_at") or "")
            or expire_at
        )
    return Schedule(
        revision.approved_go_live_at if revision else None,
        expire_at,
        revision.pk if revision else None,
    )


def scheduled_revision(menu):
    return (
        Revision.objects.filter(
            base_content_type=Menu.get_base_content_type(), object_id=str(menu.pk)
        )
        .exclude(approved_go_live_at=None)
        .order_by("-created_at")
        .first()
    )


def check_times(go_live_at, expire_at, now=None):
    """The editor's times: go-live ahead of now, expiry after go-live (or now)."""
    now = now or timezone.now()
    errors = {}
    if go_live_at is not None and go_live_at <= now:
        errors["go_live_at"] = ValidationError(
            "定时上线时间须晚于当前时间", code="in_past"
        )
    if expire_at is not None and expire_at <= (go_live_at or now):
        errors["expire_at"] = ValidationError(
            "下线时间须晚于上线时间", code="before_go_live"
        )
    if errors:
        raise ValidationError(errors)


def schedule(menu, user, go_live_at, *, expire_at=None):
    """Freeze the draft tree to go live at ``go_live_at`` (and expire at ``expire_at``).
    Refused whole when the tree breaks a rule at that time (MenuValidationError) or the
    times are wrong (ValidationError on the field); the live version keeps serving."""
    from menus.services import publish_revision

    check_times(go_live_at, expire_at)
    with transaction.atomic():
        menu = (
            Menu.objects.select_for_update(of=("self",))
            .select_related("account", "brand")
            .get(pk=menu.pk)
        )
        lock = menu.get_lock()
        if lock is not None and lock.for_user(user):
            raise PermissionDenied(lock.get_message(user))
        _tree, structural = build_tree(load_rows(menu))
        if structural:
            raise MenuValidationError(structural)
        menu.go_live_at, menu.expire_at = go_live_at, expire_at
        revision = menu.save_revision(user=user, clean=False)  # carries the draft tree
        publish_revision(menu, revision, user=user, skip_permission_checks=True)
    return revision


def set_expiry(menu, expire_at):
    """Make the live menu stop serving at ``expire_at`` (None: keep serving)."""
    check_times(None, expire_at)
    Menu.objects.filter(pk=menu.pk).update(expire_at=expire_at)


def unschedule(menu):
    """Cancel the planned go-live; the live version (if any) keeps serving."""
    with transaction.atomic():
        Revision.objects.filter(
            base_content_type=Menu.get_base_content_type(), object_id=str(menu.pk)
        ).exclude(approved_go_live_at=None).update(approved_go_live_at=None)
        Menu.objects.filter(pk=menu.pk).update(go_live_at=None)
