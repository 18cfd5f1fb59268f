"""SMS interaction templates and the commands they answer.

Each template's commands are bound on the SMS account(s) that serve its
organisation (``content.reach.target_accounts``), for each of the record's
``brands`` (none: as the command's default reply); a (command, brand) is bound
to one template per account, as in the admin (``content.services.sms_commands``).
Whether a command is free is decided for the whole export at once: within one
export a command may move from one template to another."""

from functools import cached_property
from typing import ClassVar

from django.utils.translation import gettext as _

from content.models import ChannelAccount, SmsCommand, SmsTemplate
from content.reach import target_accounts
from content.services.sms import (
    normalise_commands,
    rules_for_organisations,
    validate_template,
)

from .bulk import insert_values
from .editorial import EditorialList, value
from .indexing import chunks

SCALARS = ("category", "text")


class SmsTemplatesList(EditorialList):
    list_name = "sms_templates"
    model = SmsTemplate
    field_names: ClassVar[dict] = {"organisation": "org", "command_bindings": "commands"}
    depends_on = ("organisations", "brands")

    def __init__(self, ctx):
        super().__init__(ctx)
        self._accounts_by_org = {}

    def read(self, record, errors):
        values = {"code": value(SmsTemplate, "code", record.get("code"), "code", errors)}
        for name in SCALARS:
            values[name] = value(SmsTemplate, name, record.get(name), name, errors)
        values["organisation_id"] = self.ctx.ref("organisations", record.get("org"), "org", errors)
        values["parameters"] = _json_list(record, "parameters", dict, errors)
        commands, problems = normalise_commands(_json_list(record, "commands", str, errors))
        for problem in problems:
            errors.add("commands", problem)
        values["commands"] = commands
        brands = self.ctx.refs("brands", record.get("brands") or [], "brands", errors)
        return values, {"brands": brands}, {}

    def read_skipped(self, record):
        """The commands of a record known unchanged still take part in the clash check,
        which sees the whole export; its codes resolved when it was read before."""
        ids = self.ctx.ids
        values = {"organisation_id": ids["organisations"][record["org"]],
                  "commands": normalise_commands(record.get("commands"))[0]}
        return values, {"brands": [ids["brands"][code] for code in dict.fromkeys(record.get("brands") or [])]}

    @cached_property
    def _rules(self):
        """Organisation id -> content.services.sms.SmsRules, for all organisations in two queries."""
        return rules_for_organisations()

    def clean(self, obj):
        """The admin's validator (``validate_template``, which the model's ``clean()``
        calls), given the serving account found once for all organisations.
        The command clash check is left to ``check_batch``, which sees the whole export."""
        self.clean_with(obj, self._validate_without_commands)

    def _validate_without_commands(self, obj):
        commands, obj.commands = obj.commands, []
        try:
            validate_template(obj, self._rules[obj.organisation_id].account)
        finally:
            obj.commands = commands

    def sms_accounts(self, organisation_id):
        """The SMS accounts serving an organisation: the one rule, asked once per organisation."""
        if organisation_id not in self._accounts_by_org:
            probe = SmsTemplate(organisation_id=organisation_id)
            self._accounts_by_org[organisation_id] = [
                a.pk for a in target_accounts(probe) if a.type == ChannelAccount.Type.SMS
            ]
        return self._accounts_by_org[organisation_id]

    def check_batch(self, accepted):
        """Refuse a template whose command another template already answers on the same
        account for one of its brands (or as the default)."""
        owner = {}  # (account, command, brand id or None) -> template code, for this export
        refused = set()
        for item in accepted:
            taken = {}
            for key in self._bindings(item):
                other = owner.setdefault(key, item.record)
                if other != item.record:
                    taken.setdefault(key[1], other)
            if taken:
                refused.add(id(item))
                self._refuse(item, {"commands": [_("指令 %(command)s 已由模板 %(other)s 使用") % {
                    "command": command, "other": other} for command, other in taken.items()]})
        accepted = [item for item in accepted if id(item) not in refused]
        exported = {item.record for item in accepted}
        clashes = {}
        accounts = {key[0] for key in owner}
        # Every binding of the accounts at once: the export asks for most of them, and a
        # filter naming thousands of commands costs more to build than the rows to read.
        for account_id, command, brand_id, code in SmsCommand.objects.filter(account_id__in=accounts).values_list(
            "account_id", "command", "brand_id", "template__code"
        ):
            # Bound to a template outside this export: the binding stands, the import yields.
            mine = owner.get((account_id, command, brand_id))
            if code not in exported and mine not in (None, code) and (command, code) not in clashes.get(mine, []):
                clashes.setdefault(mine, []).append((command, code))
        kept = []
        for item in accepted:
            if item.record in clashes:
                self._refuse(item, {"commands": [
                    _("指令 %(command)s 已绑定到模板 %(other)s") % {"command": c, "other": o}
                    for c, o in clashes[item.record]
                ]})
            else:
                kept.append(item)
        return kept

    def _bindings(self, item):
        """(account, command, brand id or None) of each binding the record asks for."""
        brands = sorted(item.m2m.get("brands") or []) or [None]
        for account_id in self.sms_accounts(item.values["organisation_id"]):
            for command in item.values["commands"]:
                for brand_id in brands:
                    yield account_id, command, brand_id

    def after_write(self, accepted):
        """Make the stored bindings of the accepted templates exactly what they ask for."""
        wanted = {key: item.pk for item in accepted for key in self._bindings(item)}
        template_ids = {item.pk for item in accepted}
        stored = {}
        # All bindings, kept to the accepted templates here (see check_batch).
        for pk, account_id, command, brand_id, template_id in SmsCommand.objects.values_list(
            "pk", "account_id", "command", "brand_id", "template_id"
        ):
            if template_id in template_ids:
                stored[(account_id, command, brand_id)] = (pk, template_id)
        stale = [pk for key, (pk, template_id) in stored.items() if wanted.get(key) != template_id]
        for chunk in chunks(stale):
            SmsCommand.objects.filter(pk__in=chunk).delete()
        fresh = [
            (account_id, command, brand_id, template_id)
            for (account_id, command, brand_id), template_id in wanted.items()
            if stored.get((account_id, command, brand_id), (None, None))[1] != template_id
        ]
        insert_values(SmsCommand, ("account", "command", "brand", "template"), fresh)


def _json_list(record, key, item_type, errors):
    items = record.get(key) or []
    if not isinstance(items, list) or not all(isinstance(i, item_type) for i in items):
        errors.add(key, _("格式不正确"))
        return []
    return items
