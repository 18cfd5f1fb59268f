"""Imported records arrive published: the rows, revisions and history entries that
Wagtail's CreateAction / EditAction followed by PublishRevisionAction write for one
record, written here for a whole list in a handful of statements.

A record whose ``go_live_at`` lies in the future is scheduled instead, as the
admin schedules it: its revision carries ``approved_go_live_at`` and it goes live
when ``publish_scheduled`` runs."""

import datetime
from decimal import Decimal
from functools import cache

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Field
from modelcluster.models import (
    ClusterableModel,
    get_all_child_m2m_relations,
    get_all_child_relations,
    get_field_value,
)
from wagtail.log_actions import registry as log_registry
from wagtail.models import Revision, WorkflowState
from wagtail.utils.timestamps import ensure_utc

from .bulk import insert_rows, insert_values, reserve_pks, update_rows
from .indexing import BATCH, chunks

PUBLISH_FIELDS = ("live", "has_unpublished_changes", "first_published_at", "last_published_at", "expired")
REVISION_COLUMNS = (
    "content_type", "base_content_type", "object_id", "created_at", "user", "object_str", "content", "approved_go_live_at"
)
LOG_COLUMNS = (
    "content_type", "label", "action", "timestamp", "user", "uuid", "revision", "data", "content_changed", "deleted",
    "object_id",
)


def is_scheduled(obj, now):
    go_live_at = getattr(obj, "go_live_at", None)
    return go_live_at is not None and go_live_at > now


def insert_published(model, objs, m2m, ctx):
    """Create ``objs`` (unsaved, many-to-many values set in memory and given in
    ``m2m``: one {field: [pks]} per object) as first published (or scheduled) versions."""
    if not objs:
        return
    for obj in objs:
        # As CreateAction saves it: a draft, then a revision of that draft.
        obj.live, obj.has_unpublished_changes, obj.expired = False, False, False
        obj.first_published_at = obj.last_published_at = None
        obj.latest_revision = obj.live_revision = None
        _empty_child_relations(obj)
    pks = reserve_pks(model, len(objs))
    if pks is None:
        insert_rows(model, objs)
    else:
        for obj, pk in zip(objs, pks, strict=True):
            obj.pk = pk
    revision_ids = _create_revisions(model, objs, ctx)
    logs = []
    for obj, revision_id in zip(objs, revision_ids, strict=True):
        scheduled = is_scheduled(obj, ctx.now)
        obj.latest_revision_id = revision_id
        obj.has_unpublished_changes = scheduled
        obj.live = not scheduled
        if not scheduled:
            obj.live_revision_id = revision_id
            obj.first_published_at = obj.last_published_at = ctx.now
        logs.append((obj, "wagtail.create", revision_id, None))
        logs.append(_publish_log(obj, revision_id, ctx, scheduled, has_live_version=False))
    if pks is None:
        update_rows(model, objs, ["latest_revision", "live_revision", *PUBLISH_FIELDS])
    else:
        # The rows go in complete: their revisions are already there.
        insert_rows(model, objs)
    write_many_to_many(model, objs, m2m, replace=False)
    _write_logs(model, logs, ctx)


def publish_changes(model, objs, m2m, value_fields, ctx):
    """Save a new published (or scheduled) revision of each existing object in
    ``objs``, whose new values are set in memory, as EditAction + publish would.
    Returns the objects whose rows changed (a scheduled change of a live object
    leaves its row alone until it goes live)."""
    if not objs:
        return []
    base_content_type = objs[0].get_base_content_type()
    for obj in objs:
        obj.has_unpublished_changes = True  # what save_revision records before publishing
    # A publication supersedes any earlier schedule of these objects.
    for chunk in chunks([str(obj.pk) for obj in objs]):
        Revision.objects.filter(base_content_type=base_content_type, object_id__in=chunk).exclude(
            approved_go_live_at=None
        ).update(approved_go_live_at=None)
    revision_ids = _create_revisions(model, objs, ctx)
    logs, rows_changed, changed_m2m, schedule_only = [], [], [], []
    for obj, values, revision_id in zip(objs, m2m, revision_ids, strict=True):
        scheduled = is_scheduled(obj, ctx.now)
        obj.latest_revision_id = revision_id
        logs.append((obj, "wagtail.edit", revision_id, None))
        if scheduled and obj.live:
            # The live version stays as it is; the revision waits for go_live_at.
            schedule_only.append(obj)
            logs.append(_publish_log(obj, revision_id, ctx, True, has_live_version=True))
            continue
        obj.expired = False
        if scheduled:
            obj.live, obj.live_revision_id = False, None
        else:
            obj.live, obj.has_unpublished_changes = True, False
            obj.live_revision_id = revision_id
            obj.last_published_at = ctx.now
            obj.first_published_at = obj.first_published_at or ctx.now
            if obj._import_old_title != str(obj):
                title = {"old": obj._import_old_title, "new": str(obj)}
                logs.append((obj, "wagtail.rename", revision_id, {"title": title}))
        logs.append(_publish_log(obj, revision_id, ctx, scheduled, has_live_version=False))
        rows_changed.append(obj)
        changed_m2m.append(values)
    update_rows(model, rows_changed, [*value_fields, "latest_revision", "live_revision", *PUBLISH_FIELDS])
    update_rows(model, schedule_only, ["latest_revision", "has_unpublished_changes"])
    write_many_to_many(model, rows_changed, changed_m2m, replace=True)
    _write_logs(model, logs, ctx)
    _cancel_workflows(base_content_type, [obj.pk for obj in objs], ctx)
    return rows_changed


def write_many_to_many(model, objs, m2m, *, replace):
    """Through rows of each object's many-to-many fields (replacing the stored ones)."""
    if not objs:
        return
    for name in m2m[0]:
        field = model._meta.get_field(name)
        through = field.remote_field.through
        source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
        if replace:
            for chunk in chunks([obj.pk for obj in objs]):
                through.objects.filter(**{source + "__in": chunk}).delete()
        rows = [(obj.pk, pk) for obj, values in zip(objs, m2m, strict=True) for pk in values[name]]
        insert_values(through, (source, target), rows)


def _empty_child_relations(obj):
    # A new object has no children; saying so spares a query per object when serialising.
    for rel in get_all_child_relations(type(obj)):
        name = rel.get_accessor_name()
        if name not in getattr(obj, "_cluster_related_objects", {}):
            setattr(obj, name, [])


def _create_revisions(model, objs, ctx):
    """One revision per object, of its content as it stands; returns their ids."""
    content_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
    base_content_type = objs[0].get_base_content_type()
    rows = [
        (
            content_type.pk,
            base_content_type.pk,
            str(obj.pk),
            ctx.now,
            ctx.user.pk if ctx.user else None,
            str(obj),
            serialize(obj),
            obj.go_live_at if is_scheduled(obj, ctx.now) else None,
        )
        for obj in objs
    ]
    pks = reserve_pks(Revision, len(rows))
    if pks is None:
        revisions = [Revision(**dict(zip([f + "_id" if f in ("content_type", "base_content_type", "user") else f
                                          for f in REVISION_COLUMNS], row, strict=True))) for row in rows]
        return [r.pk for r in Revision.objects.bulk_create(revisions, batch_size=BATCH)]
    insert_values(Revision, ("id", *REVISION_COLUMNS), [(pk, *row) for pk, row in zip(pks, rows, strict=True)])
    return pks


# Values modelcluster's get_field_value hands back as they are (is_protected_type), and str,
# which a plain field's value_to_string gives back unchanged.
AS_IS = {type(None), int, float, bool, Decimal, datetime.date, datetime.time, str}


def serialize(obj):
    """``obj.serializable_data()``, the content of a revision, as modelcluster builds it,
    with what each field needs decided once per model: most fields are read as they are
    instead of through pre_save and value_to_string (a third of writing the revisions)."""
    model = type(obj)
    fields = _serialized_fields(model)
    if fields is None:
        return obj.serializable_data()
    data = {}
    for name, attname, field, plain in fields:
        if field is None:
            data[name] = getattr(obj, attname)
            continue
        value = getattr(obj, attname) if plain else None
        data[name] = value if plain and type(value) in AS_IS else get_field_value(field, obj)
    children, m2m = _serialized_relations(model)
    for name in children:
        data[name] = [child.serializable_data() for child in getattr(obj, name).all()]
    for name in m2m:
        data[name] = [child.pk for child in getattr(obj, name).all()]
    return data


@cache
def _serialized_relations(model):
    """Accessor names of the child relations and serialized many-to-many fields, as
    modelcluster walks them (it looks them up again for every object)."""
    return ([rel.get_accessor_name() for rel in get_all_child_relations(model)],
            [field.name for field in get_all_child_m2m_relations(model) if field.serialize])


@cache
def _serialized_fields(model):
    """(key, attname, field or None for a foreign key, read as is) per serialized field;
    None when the model serializes itself some other way."""
    from wagtail.models import RevisionMixin

    if not issubclass(model, ClusterableModel) or model.serializable_data is not RevisionMixin.serializable_data:
        return None
    if any(not hasattr(rel.related_model, "serializable_data") for rel in get_all_child_relations(model)):
        return None
    pk = model._meta.pk
    while pk.remote_field and pk.remote_field.parent_link:
        pk = pk.remote_field.model._meta.pk
    out = []
    for name, field in [("pk", pk), *((f.name, f) for f in model._meta.fields if f.serialize)]:
        if field.remote_field is not None:
            out.append((name, field.get_attname(), None, False))
        else:
            plain = type(field).pre_save is Field.pre_save and type(field).value_to_string is Field.value_to_string
            out.append((name, field.attname, field, plain))
    return out


def _publish_log(obj, revision_id, ctx, scheduled, *, has_live_version):
    if not scheduled:
        return (obj, "wagtail.publish", revision_id, None)
    data = {
        "revision": {
            "id": revision_id,
            "created": ensure_utc(ctx.now),
            "go_live_at": ensure_utc(obj.go_live_at),
            "has_live_version": has_live_version,
        }
    }
    return (obj, "wagtail.publish.schedule", revision_id, data)


def _write_logs(model, logs, ctx):
    """History entries, as ``wagtail.log_actions.log`` writes them, one run sharing one uuid."""
    log_model = log_registry.get_log_model_for_model(model)
    if log_model is None or not logs:
        return
    content_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
    user_id = ctx.user.pk if ctx.user else None
    rows = []
    for obj, action, revision_id, data in logs:
        label = str(obj) or f"{model.__name__} object ({obj.pk})"
        rows.append((content_type.pk, label, action, ctx.now, user_id, ctx.log_uuid, revision_id, data or {}, True,
                     False, str(obj.pk)))
    insert_values(log_model, LOG_COLUMNS, rows)


def _cancel_workflows(base_content_type, pks, ctx):
    """Publishing cancels a workflow in progress (WAGTAIL_WORKFLOW_CANCEL_ON_PUBLISH)."""
    if not settings.WAGTAIL_WORKFLOW_CANCEL_ON_PUBLISH:
        return
    states = WorkflowState.objects.filter(
        base_content_type=base_content_type,
        object_id__in=[str(pk) for pk in pks],
        status__in=(WorkflowState.STATUS_IN_PROGRESS, WorkflowState.STATUS_NEEDS_CHANGES),
    )
    for state in states:  # rare: only records an editor had sent for approval
        state.cancel(user=ctx.user)
