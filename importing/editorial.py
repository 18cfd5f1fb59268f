"""Importing a list of editorial records (packages, SMS templates, articles...):
read every record, compare it with what is stored, validate what changed with the
model's own validation, then write the whole list in bulk, published.

A record is refused as a whole (nothing of it is written) with errors naming the
export field; the rest of the list still arrives."""

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from functools import cached_property

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import DatabaseError, models, transaction
from django.utils.translation import gettext as _
from wagtail.models import Revision

from content.errors import RecordError, record_errors
from content.models import Organisation

from . import digests
from .context import FieldErrors, Refused
from .indexing import chunks, reindex
from .publish import insert_published, publish_changes


@dataclass(eq=False)
class Planned:
    """One record of the export, read and resolved, ready to compare and write."""

    record: str
    key: tuple
    values: dict
    m2m: dict = field(default_factory=dict)
    extra: dict = field(default_factory=dict)
    pk: int | None = None
    digest: str = ""
    # Known unchanged from its digests (``importing.digests``): neither compared nor written.
    skipped: bool = False
    warnings: list = field(default_factory=list)

    def canonical(self):
        return {**self.values, **{name: tuple(sorted(pks)) for name, pks in self.m2m.items()}}


class EditorialList(ABC):
    """The import of one list into one editorial model. Subclasses say how to read
    a record (``read``) and may check the accepted records together (``check_batch``)
    or write what hangs off them (``after_write``)."""

    list_name = ""
    model = None
    identity = ("code",)
    identity_field = "code"  # the export field a repeated identity is reported on
    # Model field -> export field, so that errors name what the operator exported.
    field_names = {}
    # Lists whose records reading one of this list's records looks at (``importing.digests``).
    depends_on = ("organisations",)

    def __init__(self, ctx):
        self.ctx = ctx
        self.instances = {}  # model -> {pk: instance} for foreign keys and many-to-many
        self._read_attnames = None  # the attnames ``read`` gives values for (see _not_validated)
        self._exclusions = {}  # those attnames -> the field names not validated

    # -- to override -------------------------------------------------------
    def label(self, record):
        return record.get("code") if isinstance(record.get("code"), str) else str(record.get("code"))

    @abstractmethod
    def read(self, record, errors):
        """(values by attname, {m2m field: [pks]}, extra) for one record; errors on ``errors``."""

    def read_skipped(self, record):
        """(values, m2m) that check_batch and after_write need of a record known unchanged
        (read and accepted before, and nothing it depends on changed); None: nothing."""
        return None

    def check_batch(self, accepted):
        """Refuse records that clash with each other or with stored data; returns the rest."""
        return accepted

    def after_write(self, accepted):
        """Write what hangs off the records (every accepted one, unchanged ones too)."""

    def clean(self, obj):
        """The model's own validation (``full_clean``, whose ``clean()`` is the admin's
        validator). Foreign keys were resolved from codes already, so their per-row
        existence queries are skipped, and the code is the identity, so is uniqueness."""
        obj.full_clean(exclude=self._not_validated(), validate_unique=False, validate_constraints=False)

    def clean_with(self, obj, validate):
        """Field checks (foreign keys were resolved from codes already) and then
        ``validate(obj)``, the admin's validator given what the run read once; every
        message of both, by field, in one ValidationError."""
        errors = {}
        try:
            obj.clean_fields(exclude=self._not_validated())
        except ValidationError as exc:
            errors.update(exc.message_dict)
        try:
            validate(obj)
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                errors.setdefault(name, []).extend(messages)
        if errors:
            raise ValidationError(errors)

    # -- the run -----------------------------------------------------------
    def run(self, records):
        ctx = self.ctx
        ctx.report.start_list(self.list_name)
        ctx.progress.start(self.list_name, len(records))
        if self.identity == ("code",):
            ctx.known(self.list_name, dict(self.model.objects.values_list("code", "pk")))
        planned = self._read_all(records)
        stored = self._stored([item for item in planned if not item.skipped])
        new, changed, unchanged = [], [], []
        for item in planned:
            current = stored.get(item.key)
            if item.skipped:
                unchanged.append(item)
            elif current is None:
                new.append(item)
            elif current["canonical"] == item.canonical():
                item.pk = current["pk"]
                unchanged.append(item)
            elif current["locked"]:
                self._refuse(item, {NON_FIELD_ERRORS: [_("记录已被编辑锁定,解锁后再导入")]})
            else:
                item.pk = current["pk"]
                changed.append(item)
        self._load_instances(new + changed)
        new = [item for item in new if self._validated(item, self._new_instance(item))]
        changes = self._changed_instances(changed)
        changed = [item for item in changed if self._validated(item, changes[item.pk])]
        # In export order, whatever is stored: who wins a clash must not change between runs.
        order = {id(item): index for index, item in enumerate(planned)}
        accepted = self.check_batch(sorted(new + changed + unchanged, key=lambda item: order[id(item)]))
        accepted_keys = {id(item) for item in accepted}
        new = [item for item in new if id(item) in accepted_keys]
        changed = [item for item in changed if id(item) in accepted_keys]
        unchanged = [item for item in unchanged if id(item) in accepted_keys]
        new, changed = self._write(new, changed, unchanged)
        if digests.enabled():
            digests.remember(self.model, self.list_name, [item for item in new + changed + unchanged if not item.skipped])
        ctx.known(self.list_name, {item.record: item.pk for item in new})
        ctx.wrote(self.model, [item.pk for item in new + changed])
        ctx.report.count(self.list_name, "created", len(new))
        ctx.report.count(self.list_name, "updated", len(changed))
        ctx.report.count(self.list_name, "unchanged", len(unchanged))
        ctx.finish_list(self.list_name)
        return new + changed + unchanged

    def _read_all(self, records):
        planned, seen, key, known = [], set(), None, {}
        if digests.enabled():
            key = digests.fingerprint(self.ctx, self.list_name, self.depends_on)
            known = digests.remembered(self.model, self.list_name)
        warnings = self.ctx.report.warnings
        for record in records:
            self.ctx.progress.advance()
            label = self.label(record)
            if label in seen:
                # The first record with the code stands; its dependents are not refused.
                self.ctx.refuse(
                    self.list_name, label, {self.identity_field: [_("代码在导出中重复出现")]},
                    blocks_dependents=False,
                )
                continue
            seen.add(label)
            digest = digests.record_digest(key, record) if key else ""
            remembered = known.get(label)
            if remembered and remembered[0] == digest:
                self._repeat_warnings(label, remembered[2])
                values, m2m = self.read_skipped(record) or ({}, {})
                planned.append(Planned(label, None, values, m2m, pk=remembered[1], digest=digest, skipped=True))
                continue
            errors, before = FieldErrors(), len(warnings)
            try:
                values, m2m, extra = self.read(record, errors)
                errors.raise_if_any()
            except Refused as refused:
                self.ctx.refuse(self.list_name, label, refused.errors)
                continue
            item = Planned(label, tuple(values[f] for f in self.identity), values, m2m, extra, digest=digest)
            item.warnings = [{"field": w.field, "message": w.message} for w in warnings[before:]]
            planned.append(item)
        return planned

    def _repeat_warnings(self, label, warnings):
        for warning in warnings:
            self.ctx.report.warn(RecordError(record=label, list=self.list_name, **warning))

    def _refuse(self, item, errors):
        self.ctx.refuse(self.list_name, item.record, errors)

    # -- comparing with what is stored -------------------------------------
    def _stored(self, planned):
        """{key: {"pk", "canonical", "locked"}} of the stored records the plan names."""
        if not planned:
            return {}
        attnames = list(planned[0].values)
        m2m_names = list(planned[0].m2m)
        first = self.identity[0]
        columns = ("pk", "locked", "has_unpublished_changes", "latest_revision_id", *attnames)
        firsts = {item.key[0] for item in planned}
        if self.identity == ("code",):
            # A code not stored (all of them on a first import) is new: asking costs a parameter each.
            firsts &= set(self.ctx.ids.get(self.list_name, {}))
        rows = []
        for chunk in chunks(firsts - {None}, 5000):
            rows += self.model.objects.filter(**{first + "__in": chunk}).values(*columns)
        if None in firsts:
            # "IN" never matches NULL (e.g. a shared reply rule, owned by no account).
            rows += self.model.objects.filter(**{first + "__isnull": True}).values(*columns)
        wanted = {item.key for item in planned}
        rows = [row for row in rows if tuple(row[f] for f in self.identity) in wanted]
        related = self._stored_m2m(m2m_names, [row["pk"] for row in rows])
        stored = {}
        for row in rows:
            canonical = {name: row[name] for name in attnames}
            canonical.update({name: tuple(sorted(related[name].get(row["pk"], ()))) for name in m2m_names})
            stored[tuple(row[f] for f in self.identity)] = {"pk": row["pk"], "canonical": canonical, "locked": row["locked"]}
        self._apply_schedules(rows, stored, attnames, m2m_names)
        return stored

    def _stored_m2m(self, names, pks):
        related = {name: {} for name in names}
        for name in names:
            model_field = self.model._meta.get_field(name)
            through = model_field.remote_field.through
            source, target = model_field.m2m_field_name() + "_id", model_field.m2m_reverse_field_name() + "_id"
            for chunk in chunks(pks, 5000):
                for owner, other in through.objects.filter(**{source + "__in": chunk}).values_list(source, target):
                    related[name].setdefault(owner, []).append(other)
        return related

    def _apply_schedules(self, rows, stored, attnames, m2m_names):
        """A record with a scheduled revision is compared with that revision, not the live row."""
        pending = {row["latest_revision_id"]: row for row in rows if row["has_unpublished_changes"] and row["latest_revision_id"]}
        if not pending:
            return
        for revision in Revision.objects.filter(pk__in=list(pending)).exclude(approved_go_live_at=None):
            row = pending[revision.pk]
            obj = self.model.from_serializable_data(revision.content, check_fks=False)
            canonical = {name: getattr(obj, name) for name in attnames}
            canonical.update({name: tuple(sorted(revision.content.get(name, []))) for name in m2m_names})
            stored[tuple(row[f] for f in self.identity)]["canonical"] = canonical

    # -- validating --------------------------------------------------------
    @cached_property
    def _relations(self):
        fks = [f for f in self.model._meta.concrete_fields if f.is_relation]
        m2ms = [f for f in self.model._meta.get_fields() if f.many_to_many and not f.auto_created]
        return fks, m2ms

    def _not_validated(self):
        """Fields whose checks the record does not need: foreign keys (resolved from codes
        already) and the fields the list does not read, which hold what the importer or
        the stored row put there (the lifecycle fields: live, locked, go-live dates...)."""
        read = self._read_attnames
        if read not in self._exclusions:
            fks, _m2ms = self._relations
            self._exclusions[read] = [f.name for f in self.model._meta.concrete_fields
                                      if f in fks or (read is not None and f.attname not in read)]
        return self._exclusions[read]

    def _load_instances(self, items):
        """Fetch every related record the items point at, one query per model."""
        fks, m2ms = self._relations
        wanted = {}
        for item in items:
            for f in fks:
                if item.values.get(f.attname) is not None:
                    wanted.setdefault(f.related_model, set()).add(item.values[f.attname])
            for f in m2ms:
                if f.name in item.m2m:
                    wanted.setdefault(f.related_model, set()).update(item.m2m[f.name])
        for model, pks in wanted.items():
            cache = self.instances.setdefault(model, {})
            missing = [pk for pk in pks if pk not in cache]
            for chunk in chunks(missing, 5000):
                cache.update(model.objects.in_bulk(chunk))
        if Organisation in wanted:
            self._link_organisations()

    def _link_organisations(self):
        """All organisations, each holding its parent: validators walk up the tree
        (``ancestor_ids``) and would otherwise ask for each parent in turn."""
        cache = self.instances.setdefault(Organisation, {})
        cache.update({pk: org for pk, org in Organisation.objects.in_bulk().items() if pk not in cache})
        for org in cache.values():
            if org.parent_id is not None:
                org.parent = cache[org.parent_id]

    def _apply(self, obj, item):
        fks, _ = self._relations
        for name, value in item.values.items():
            setattr(obj, name, value)
        for f in fks:
            pk = item.values.get(f.attname)
            if pk is not None and f.attname in item.values:
                setattr(obj, f.name, self.instances[f.related_model][pk])
        for name, pks in item.m2m.items():
            related = self.instances.get(self.model._meta.get_field(name).related_model, {})
            setattr(obj, name, [related[pk] for pk in pks])
        return obj

    def _new_instance(self, item):
        return self._apply(self.model(), item)

    def _changed_instances(self, items):
        objs = {}
        for chunk in chunks([item.pk for item in items]):
            objs.update(self.model.objects.in_bulk(chunk))
        for item in items:
            obj = objs[item.pk]
            obj._import_old_title = str(obj)
            self._apply(obj, item)
        return objs

    def _validated(self, item, obj):
        self._read_attnames = frozenset(item.values)
        try:
            self.clean(obj)
        except ValidationError as exc:
            errors = {}
            for err in record_errors(item.record, exc, list_name=self.list_name):
                errors.setdefault(self.field_names.get(err.field, err.field), []).append(err.message)
            self._refuse(item, errors)
            return False
        item.extra["instance"] = obj
        return True

    # -- writing -----------------------------------------------------------
    def _write(self, new, changed, unchanged):
        """Write the list in bulk; if the database refuses the batch, write record by
        record so that only the records it refuses stay out."""
        try:
            with transaction.atomic():
                self._write_batch(new, changed)
                self.after_write(new + changed + unchanged)
            return new, changed
        except DatabaseError:
            pass
        new_ids = {id(item) for item in new}
        written_new, written_changed = [], []
        for item in new + changed:
            is_new = id(item) in new_ids
            try:
                with transaction.atomic():
                    # A fresh instance, cleaned again: the failed batch may have touched the old one.
                    if is_new:
                        item.pk = None
                        fresh = self._new_instance(item)
                    else:
                        fresh = self._changed_instances([item])[item.pk]
                    if not self._validated(item, fresh):
                        continue
                    self._write_batch([item] if is_new else [], [] if is_new else [item])
            except DatabaseError as exc:
                self._refuse(item, {NON_FIELD_ERRORS: [_("数据库拒绝写入:%(error)s") % {"error": exc}]})
                continue
            (written_new if is_new else written_changed).append(item)
        with transaction.atomic():
            self.after_write(written_new + written_changed + unchanged)
        return written_new, written_changed

    def _write_batch(self, new, changed):
        objs = [item.extra["instance"] for item in new]
        insert_published(self.model, objs, [item.m2m for item in new], self.ctx)
        for item, obj in zip(new, objs, strict=True):
            item.pk = obj.pk
        value_fields = [name for name in (changed[0].values if changed else ()) if name not in self.identity]
        rows_changed = publish_changes(
            self.model, [item.extra["instance"] for item in changed], [item.m2m for item in changed], value_fields, self.ctx
        )
        reindex(self.model, objs + rows_changed, new={obj.pk for obj in objs})


def value(model, name, raw, export_key, errors):
    """``raw`` converted as the model field converts form input; an error names ``export_key``."""
    model_field = model._meta.get_field(name)
    if raw is None:
        if model_field.null:
            return None
        if model_field.has_default():
            return model_field.get_default()
        return "" if isinstance(model_field, (models.CharField, models.TextField)) else None
    if isinstance(model_field, (models.CharField, models.TextField)) and not isinstance(raw, str):
        errors.add(export_key, _("必须是文本"))
        return None
    try:
        return model_field.to_python(raw)
    except ValidationError as exc:
        for message in exc.messages:
            errors.add(export_key, message)
        return None
