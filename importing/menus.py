"""Menus: each menu record goes to ``importing.menu_records.import_menu``, which
validates the tree with the menus app's own rules (the same as the menu editor)
and publishes it as a version. This module keeps the import's promises around it:
a menu that points at a refused record is refused too, and a refused menu leaves
nothing behind."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from content.errors import RecordError, record_errors
from menus.models import MenuVersion

from . import outbox

from .context import FieldErrors
from .menu_records import import_menu

OUTCOMES = ("created", "updated", "unchanged")


def _walk(nodes, path="nodes"):
    for index, node in enumerate(nodes or []):
        if not isinstance(node, dict):
            continue
        where = f"{path}[{node.get('key', index)}]"
        yield where, node
        yield from _walk(node.get("children"), f"{where}.children")


def dependency_errors(ctx, record):
    """Errors for every record of another list the menu points at that is refused or unknown."""
    errors = FieldErrors()
    ctx.ref("channel_accounts", record.get("account"), "account", errors)
    ctx.ref("organisations", record.get("org"), "org", errors)
    if record.get("brand"):
        ctx.ref("brands", record["brand"], "brand", errors)
    for where, node in _walk(record.get("nodes")):
        for brand in node.get("brands") or []:
            ctx.ref("brands", brand, f"{where}.brands", errors)
        template = node.get("reply_template")
        if template:
            ctx.ref("sms_templates", template, f"{where}.reply_template", errors)
        miniprogram = node.get("miniprogram")
        if isinstance(miniprogram, dict) and miniprogram.get("account"):
            ctx.ref("channel_accounts", miniprogram["account"], f"{where}.miniprogram.account", errors)
    return errors


def _menu_errors(code, exc):
    """{field: [messages]}; a node's error names it as ``nodes[KEY].field``."""
    errors = {}
    node_errors = getattr(exc, "errors", None)
    if not isinstance(node_errors, list) or not all(isinstance(e, RecordError) for e in node_errors):
        node_errors = record_errors(code, exc, list_name="menus")
    for error in node_errors:
        field = error.field if error.record in (code, "?") else f"nodes[{error.record}].{error.field}"
        errors.setdefault(field, []).append(error.message)
    return errors


def import_menus(ctx, records):
    list_name = "menus"
    # Versions are published unannounced: their change rows (and pushes, when asked)
    # are owed through the outbox, in this transaction.
    before = MenuVersion.objects.aggregate(top=Max("pk"))["top"] or 0
    ctx.report.start_list(list_name)
    ctx.progress.start(list_name, len(records))
    seen = set()
    for record in records:
        ctx.progress.advance()
        code = str(record.get("code"))
        if code in seen:
            ctx.refuse(list_name, code, {"code": [_("代码在导出中重复出现")]}, blocks_dependents=False)
            continue
        seen.add(code)
        errors = dependency_errors(ctx, record)
        if errors:
            ctx.refuse(list_name, code, errors)
            continue
        try:
            with transaction.atomic():
                outcome = import_menu(record, user=ctx.user, announce=False)
        except ValidationError as exc:
            ctx.refuse(list_name, code, _menu_errors(code, exc))
            continue
        if outcome not in OUTCOMES:
            raise RuntimeError(f"importing.menu_records.import_menu returned {outcome!r} for {code}")
        ctx.report.count(list_name, outcome)
    for version_id, menu_id, account_id in MenuVersion.objects.filter(pk__gt=before).order_by("pk").values_list(
        "pk", "menu_id", "menu__account_id"
    ):
        ctx.owe(outbox.MENU_CHANGE, menu_id=menu_id, account_id=account_id)
        if ctx.push:
            ctx.owe(outbox.MENU_PUSH, version_id=version_id, account_id=account_id)
    ctx.finish_list(list_name)
