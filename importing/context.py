"""State shared by the lists of one import run: which codes exist (in the database
or imported earlier in the run), which were refused, and where to report."""

import uuid
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from content.errors import RecordError

from . import outbox
from .progress import SilentProgress
from .report import ImportReport


class Refused(Exception):
    """A record cannot be imported; ``errors`` maps export field names to messages."""

    def __init__(self, errors):
        super().__init__(errors)
        self.errors = errors


class FieldErrors(dict):
    """Collects messages per export field while a record is being read."""

    def add(self, field, message):
        self.setdefault(field, []).append(str(message))

    def raise_if_any(self):
        if self:
            raise Refused(dict(self))


@dataclass
class ImportContext:
    export: object
    report: ImportReport
    progress: object = field(default_factory=SilentProgress)
    user: object = None
    dry_run: bool = False
    # Push menu versions to their live channels (``--push``); otherwise nothing is pushed.
    push: bool = False
    now: object = field(default_factory=timezone.now)
    # One id shared by every log entry of the run, as Wagtail shares one per request.
    log_uuid: uuid.UUID = field(default_factory=uuid.uuid4)
    # list name -> {code: primary key} of records that exist (stored or imported now).
    ids: dict = field(default_factory=dict)
    # list name -> codes refused in this run.
    refused: dict = field(default_factory=dict)
    # list name -> {code: anything the later lists need to know about the record}.
    facts: dict = field(default_factory=dict)
    # Files written to storage by this run, deleted again if the run fails.
    stored_files: list = field(default_factory=list)
    # model -> primary keys of the records this run created or updated.
    changed: dict = field(default_factory=dict)

    def owe(self, kind, **args):
        """A side effect the committed import owes (``importing.outbox``), counted in the report."""
        outbox.record(kind, **args)
        self.report.queue(kind)

    def wrote(self, model, pks):
        self.changed.setdefault(model, set()).update(pks)

    def finish_list(self, list_name):
        """Close the list's progress with its counts."""
        counts = self.report.counts[list_name]
        self.progress.finish(
            _("新建 %(c)d,更新 %(u)d,未变 %(n)d,拒绝 %(r)d")
            % {"c": counts["created"], "u": counts["updated"], "n": counts["unchanged"],
               "r": len(self.report.refused_records(list_name))}
        )

    def known(self, list_name, values):
        self.ids.setdefault(list_name, {}).update(values)

    def refuse(self, list_name, record, errors, *, blocks_dependents=True):
        """Refuse a record: report each error naming list, record and field.

        A refused record refuses the records that depend on it, except a repeated
        code: the first record with that code still stands."""
        if blocks_dependents:
            self.refused.setdefault(list_name, set()).add(record)
        for field_name, messages in errors.items():
            for message in messages:
                self.report.refuse(RecordError(record=record, field=field_name, message=message, list=list_name))

    def ref(self, list_name, code, field_name, errors):
        """The id of record ``code`` of ``list_name``, or None with an error on ``field_name``."""
        if code in self.refused.get(list_name, ()):
            errors.add(field_name, _("依赖的 %(list)s 记录 %(code)s 已被拒绝") % {"list": list_name, "code": code})
            return None
        pk = self.ids.get(list_name, {}).get(code)
        if pk is None and code in self.export.outside.get(list_name, ()):
            errors.add(field_name, _("%(list)s 记录 %(code)s 不在本次导入的组织范围内,且尚未导入") % {
                "list": list_name, "code": code})
        elif pk is None:
            errors.add(field_name, _("%(list)s 中没有代码为 %(code)r 的记录") % {"list": list_name, "code": code})
        return pk

    def refs(self, list_name, codes, field_name, errors):
        """Ids of several codes, in the order given, each once; errors for the missing ones."""
        if not isinstance(codes, list):
            errors.add(field_name, _("必须是代码的列表"))
            return []
        found = [self.ref(list_name, code, field_name, errors) for code in dict.fromkeys(codes)]
        return [pk for pk in found if pk is not None]
