"""The organisation matrix: organisations, brands and channel accounts.

A few dozen records: each goes through the model's own validation and save,
exactly as the admin saves it (signals, search index and all)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from content.errors import record_errors
from content.models import Brand, ChannelAccount, Organisation
from content.services.organisations import save_organisation

from .context import FieldErrors

ACCOUNT_FIELDS = ("app_id", "original_id", "service_number", "signature", "base_url")
ORG_FIELD_NAMES = {"parent": "parent"}
ACCOUNT_FIELD_NAMES = {"organisation": "org"}


def _text(record, key, errors, *, required=True):
    value = record.get(key)
    if value is None or value == "":
        if required:
            errors.add(key, _("不能为空"))
        return ""
    if not isinstance(value, str):
        errors.add(key, _("必须是文本"))
        return ""
    return value


def _save(ctx, list_name, code, instance, field_names, save):
    """Validate and save one record in a savepoint; refuse it on a validation error."""
    try:
        with transaction.atomic():
            save(instance)
    except ValidationError as exc:
        errors = {}
        for err in record_errors(code, exc, list_name=list_name):
            errors.setdefault(field_names.get(err.field, err.field), []).append(err.message)
        ctx.refuse(list_name, code, errors)
        return False
    return True


def _full_clean_and_save(instance):
    instance.full_clean()
    instance.save()


def _unique_records(ctx, list_name, records):
    """Records by code; a repeated or missing code refuses the record."""
    seen = {}
    for record in records:
        code = record.get("code")
        if not isinstance(code, str) or not code:
            ctx.refuse(list_name, str(code), {"code": [_("缺少代码")]})
        elif code in seen:
            ctx.refuse(
                list_name, code, {"code": [_("代码 %(code)s 在导出中重复出现") % {"code": code}]}, blocks_dependents=False
            )
        else:
            seen[code] = record
    return seen


def _parents_first(records):
    """Organisations ordered so that each comes after its parent when both are listed."""
    ordered, pending = [], dict(records)
    while pending:
        ready = [code for code, r in pending.items() if r.get("parent") not in pending or r.get("parent") == code]
        if not ready:  # a cycle: leave the rest in export order, validation refuses them
            ready = list(pending)
        for code in ready:
            ordered.append(pending.pop(code))
    return ordered


def import_organisations(ctx, records):
    list_name = "organisations"
    ctx.report.start_list(list_name)
    existing = {o.code: o for o in Organisation.objects.select_related("parent")}
    ctx.known(list_name, {code: o.pk for code, o in existing.items()})
    by_code = _unique_records(ctx, list_name, records)
    ctx.progress.start(list_name, len(records))
    for record in _parents_first(by_code):
        code = record["code"]
        ctx.progress.advance()
        errors = FieldErrors()
        name = _text(record, "name", errors)
        level = _text(record, "level", errors)
        parent_code = record.get("parent")
        parent = None
        if parent_code:
            if ctx.ref(list_name, parent_code, "parent", errors):
                parent = existing[parent_code]
        if errors:
            ctx.refuse(list_name, code, errors)
            continue
        org = existing.get(code)
        if org and (org.name, org.level, org.parent_id) == (name, level, parent and parent.pk):
            ctx.report.count(list_name, "unchanged")
            continue
        outcome = "updated" if org else "created"
        org = org or Organisation(code=code)
        org.name, org.level, org.parent = name, level, parent
        if _save(ctx, list_name, code, org, ORG_FIELD_NAMES, save_organisation):
            existing[code] = org
            ctx.known(list_name, {code: org.pk})
            ctx.wrote(Organisation, [org.pk])
            ctx.report.count(list_name, outcome)
    ctx.finish_list(list_name)
    ctx.facts[list_name] = {
        code: {"parent": parent, "level": level}
        for code, parent, level in Organisation.objects.values_list("code", "parent__code", "level")
    }


def import_brands(ctx, records):
    list_name = "brands"
    ctx.report.start_list(list_name)
    existing = {b.code: b for b in Brand.objects.all()}
    ctx.known(list_name, {code: b.pk for code, b in existing.items()})
    by_code = _unique_records(ctx, list_name, records)
    ctx.progress.start(list_name, len(records))
    for code, record in by_code.items():
        ctx.progress.advance()
        errors = FieldErrors()
        name = _text(record, "name", errors)
        if errors:
            ctx.refuse(list_name, code, errors)
            continue
        brand = existing.get(code)
        if brand and brand.name == name:
            ctx.report.count(list_name, "unchanged")
            continue
        outcome = "updated" if brand else "created"
        brand = brand or Brand(code=code)
        brand.name = name
        if _save(ctx, list_name, code, brand, {}, _full_clean_and_save):
            ctx.known(list_name, {code: brand.pk})
            ctx.wrote(Brand, [brand.pk])
            ctx.report.count(list_name, outcome)
    ctx.finish_list(list_name)


def import_channel_accounts(ctx, records):
    """Accounts arrive without secrets: an administrator enters those afterwards."""
    list_name = "channel_accounts"
    ctx.report.start_list(list_name)
    existing = {a.code: a for a in ChannelAccount.objects.all()}
    ctx.known(list_name, {code: a.pk for code, a in existing.items()})
    by_code = _unique_records(ctx, list_name, records)
    ctx.progress.start(list_name, len(records))
    for code, record in by_code.items():
        ctx.progress.advance()
        errors = FieldErrors()
        wanted = {
            "name": _text(record, "name", errors),
            "type": _text(record, "type", errors),
            "organisation_id": ctx.ref("organisations", record.get("org"), "org", errors),
        }
        for key in ACCOUNT_FIELDS:
            wanted[key] = _text(record, key, errors, required=False)
        if errors:
            ctx.refuse(list_name, code, errors)
            continue
        account = existing.get(code)
        if account and all(getattr(account, key) == value for key, value in wanted.items()):
            ctx.report.count(list_name, "unchanged")
            continue
        outcome = "updated" if account else "created"
        account = account or ChannelAccount(code=code)
        for key, value in wanted.items():
            setattr(account, key, value)
        if _save(ctx, list_name, code, account, ACCOUNT_FIELD_NAMES, _full_clean_and_save):
            ctx.known(list_name, {code: account.pk})
            ctx.wrote(ChannelAccount, [account.pk])
            ctx.report.count(list_name, outcome)
    ctx.finish_list(list_name)
    ctx.facts[list_name] = {
        code: {"type": type_, "organisation_id": org_id}
        for code, type_, org_id in ChannelAccount.objects.values_list("code", "type", "organisation_id")
    }

