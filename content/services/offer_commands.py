"""Order and cancel commands of packages and businesses: well formed, and each used
by one offer (a package's command no business may take, and the other way round)."""

import re

from django.db.models import Q
from django.utils.translation import gettext as _

from content import memo
from content.models import Business, Package

COMMAND_RE = re.compile(r"^[A-Za-z0-9#*]{1,20}$")


class CommandOwners:
    """Which package or business uses each order/cancel command, read once: a caller
    validating many offers (the import) asks this rather than the database twice per
    command. Matches as ``iexact`` does, in the model's order."""

    def __init__(self):
        self.by_model = {}
        for model in (Package, Business):
            owners = {}
            rows = model._default_manager.order_by(*(model._meta.ordering or ["pk"]))
            for pk, code, *commands in rows.values_list("pk", "code", "order_command", "cancel_command"):
                for command in {c.upper() for c in commands if c and c.isascii()}:
                    owners.setdefault(command, []).append((pk, code))
            self.by_model[model] = owners

    def owner(self, model, value, exclude_pk):
        return next((code for pk, code in self.by_model[model].get(value.upper(), ()) if pk != exclude_pk), None)


def _command_owner(model, value, exclude_pk, owners):
    if owners is None and memo.active():
        # Many offers checked in one content.memo block (the release page): read once.
        owners = memo.once("offer command owners", CommandOwners)
    if owners is not None:
        return owners.owner(model, value, exclude_pk)
    return (
        model._default_manager.filter(Q(order_command__iexact=value) | Q(cancel_command__iexact=value))
        .exclude(pk=exclude_pk)
        .values_list("code", flat=True)
        .first()
    )


def check_commands(errors, item, owners=None):
    """Errors of the item's commands on ``errors``; ``owners`` (a CommandOwners) spares the queries."""
    for name in ("order_command", "cancel_command"):
        value = getattr(item, name) or ""
        if value and not COMMAND_RE.match(value):
            errors[name].append(_("指令 %(value)s 无效:只能含字母、数字、#、*,最长20个字符") % {"value": value})
    if item.order_command and item.order_command == item.cancel_command:
        errors["cancel_command"].append(_("退订指令不能与订购指令相同(%(value)s)") % {"value": item.cancel_command})
    for name in ("order_command", "cancel_command"):
        value = getattr(item, name) or ""
        if not value or errors[name]:
            continue
        for model in (Package, Business):
            clash = _command_owner(model, value, item.pk if isinstance(item, model) else None, owners)
            if clash:
                errors[name].append(
                    _("指令 %(value)s 已被%(kind)s %(code)s 使用")
                    % {"value": value, "kind": model._meta.verbose_name, "code": clash}
                )
